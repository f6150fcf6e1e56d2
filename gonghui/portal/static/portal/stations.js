// 附近驿站 (portal/stations/nearby.html): the phone's position → the public nearest-station API.
//   [data-station-nearby]  data-api: /api/v1/stations/nearest; data-station-url: a station's page, CODE replaced
//   [data-near-open-now]   only stations open now;  [data-near-facility]  one facility's code
//   [data-near-locate]     asks for the position again;  [data-near-status], [data-near-results]
// Without a position (refused, unsupported, timed out) the page's city / name search is the way.
//   [data-near-map]        only with a tile server (GONGHUI_MAP_TILE_URL): the id of the tiles' json_script;
//                          the stations found drawn on Leaflet with the phone's position. The API answers
//                          GCJ-02 (as the tiles draw); the phone's WGS-84 is converted (gonghui/gcj02.js).
(() => {
  "use strict";

  const root = document.querySelector("[data-station-nearby]");
  if (!root) return;
  const status = root.querySelector("[data-near-status]");
  const results = root.querySelector("[data-near-results]");
  const openNow = root.querySelector("[data-near-open-now]");
  const facility = root.querySelector("[data-near-facility]");
  const labelsNode = document.getElementById("facility-labels");
  const labels = labelsNode ? JSON.parse(labelsNode.textContent || "{}") : {};
  let position = null;
  const mapNode = root.querySelector("[data-near-map]");
  let map = null;
  let markers = null;

  const drawMap = (stations) => {
    if (!mapNode || typeof L === "undefined" || !window.gonghuiGcj02) return;
    mapNode.hidden = false; // shown once there is a position: Leaflet measures its container
    if (!map) {
      const tiles = JSON.parse(document.getElementById(mapNode.dataset.nearMap).textContent);
      map = L.map(mapNode);
      L.tileLayer(tiles.url, { attribution: tiles.attribution || "", maxZoom: 18 }).addTo(map);
      markers = L.layerGroup().addTo(map);
    }
    markers.clearLayers();
    const here = window.gonghuiGcj02.toGcj02(position.latitude, position.longitude);
    const bounds = [here];
    stations.forEach((s) => {
      const marker = L.circleMarker([s.lat, s.lng], {
        radius: 8,
        color: s.is_open ? "#198754" : "#6c757d",
        fillOpacity: 0.8,
      }).addTo(markers);
      const box = el("div");
      const link = el("a", "fw-bold", s.name);
      link.href = root.dataset.stationUrl.replace("CODE", encodeURIComponent(s.code));
      box.append(link, el("div", "small", `${distance(s.distance_m)} · ${s.is_open ? "营业中" : "未营业"}`));
      marker.bindPopup(box);
      bounds.push([s.lat, s.lng]);
    });
    // The phone's own position, drawn last so that a station next to it does not cover it.
    L.circleMarker(here, { radius: 6, color: "#0d6efd", fillOpacity: 0.9, interactive: false, className: "near-map-me" }).addTo(markers);
    if (stations.length) map.fitBounds(bounds, { maxZoom: 16, padding: [24, 24] });
    else map.setView(here, 14);
    mapNode.dataset.rendered = "true";
  };

  const say = (text) => {
    status.textContent = text;
  };

  const distance = (m) => (m < 1000 ? `${m} 米` : `${(m / 1000).toFixed(1)} 公里`);

  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  const item = (s) => {
    const link = el("a", "list-group-item list-group-item-action px-0");
    link.href = root.dataset.stationUrl.replace("CODE", encodeURIComponent(s.code));
    link.dataset.testid = `near-${s.code}`;
    const head = el("div", "d-flex justify-content-between align-items-start gap-2");
    head.append(el("span", "fw-bold", s.name));
    const side = el("span", "flex-shrink-0 small");
    side.append(el("span", "me-1", distance(s.distance_m)));
    side.append(el("span", s.is_open ? "badge text-bg-success" : "badge text-bg-secondary", s.is_open ? "营业中" : "未营业"));
    head.append(side);
    link.append(head);
    link.append(el("div", "small text-muted", s.address));
    const names = (s.facilities || []).map((code) => labels[code] || code);
    if (names.length) link.append(el("div", "small", names.join("、")));
    return link;
  };

  const load = async () => {
    if (!position) return;
    const params = new URLSearchParams({
      lat: position.latitude.toFixed(6),
      lng: position.longitude.toFixed(6),
      datum: "wgs84",
      limit: "10",
    });
    if (openNow.checked) params.set("open_now", "true");
    if (facility.value) params.set("facility", facility.value);
    say("正在查找附近的驿站…");
    try {
      // The search is public: sent without cookies, so a member's session (which the API refuses,
      // accounts.middleware.MemberSessionMiddleware) does not come into it.
      const response = await fetch(`${root.dataset.api}?${params}`, {
        credentials: "omit",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      const stations = await response.json();
      results.replaceChildren(...stations.map(item));
      drawMap(stations);
      say(stations.length ? `离您最近的 ${stations.length} 个驿站：` : "附近没有符合条件的驿站，可放宽条件或按城市查找。");
    } catch (_error) {
      say("暂时无法查询附近驿站，请稍后再试，或按城市查找。");
    }
  };

  const locate = () => {
    if (!("geolocation" in navigator)) {
      say("您的浏览器不支持定位，请在下方选择城市或输入驿站名称。");
      return;
    }
    say("正在获取您的位置…");
    navigator.geolocation.getCurrentPosition(
      (found) => {
        position = found.coords;
        load();
      },
      () => say("未能获取您的位置（可能未允许定位），请在下方选择城市或输入驿站名称。"),
      { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 },
    );
  };

  openNow.addEventListener("change", load);
  facility.addEventListener("change", load);
  root.querySelector("[data-near-locate]").addEventListener("click", locate);
  locate();
})();
