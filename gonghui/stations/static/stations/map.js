// The stations' map page. With a tile server (GONGHUI_MAP_TILE_URL) it draws the stations as
// markers on Leaflet; without one, the page is the list, and "按我的位置排序" sorts it by the
// distance from the browser's position. Stations are stored in GCJ-02 and the browser reports
// WGS-84, so the position is converted first (gonghui/gcj02.js, the formula of stations/coords.py).
(() => {
  "use strict";

  const { toGcj02, metres } = window.gonghuiGcj02; // gonghui/gcj02.js, loaded before this file
  const distanceText = (m) => (m < 1000 ? `${Math.round(m)} 米` : `${(m / 1000).toFixed(1)} 公里`);
  const data = (id) => JSON.parse(document.getElementById(id).textContent);

  const sortList = (lat, lng) => {
    const body = document.querySelector("#station-list tbody");
    if (!body) return;
    const rows = Array.from(body.querySelectorAll("tr[data-lat]"));
    rows.forEach((row) => {
      row.dataset.metres = String(metres(lat, lng, Number(row.dataset.lat), Number(row.dataset.lng)));
      row.querySelector("[data-distance]").textContent = distanceText(Number(row.dataset.metres));
    });
    rows.sort((a, b) => Number(a.dataset.metres) - Number(b.dataset.metres)).forEach((row) => body.appendChild(row));
  };

  const locate = (status, then) => {
    if (!navigator.geolocation) {
      if (status) status.textContent = "浏览器不支持定位。";
      return;
    }
    if (status) status.textContent = "正在定位…";
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        const [lat, lng] = toGcj02(pos.coords.latitude, pos.coords.longitude);
        if (status) status.textContent = "已按距离排序。";
        then(lat, lng);
      },
      () => {
        if (status) status.textContent = "无法获取位置（未授权或无信号），列表按编号排列。";
      },
      { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 },
    );
  };

  const drawMap = (el) => {
    const points = data(el.dataset.points);
    const tiles = data(el.dataset.tiles);
    if (typeof L === "undefined") return;
    const map = L.map(el);
    L.tileLayer(tiles.url, { attribution: tiles.attribution || "", maxZoom: 18 }).addTo(map);
    const bounds = [];
    points.forEach((p) => {
      const marker = L.circleMarker([p.lat, p.lng], {
        radius: 7,
        color: p.open ? "#198754" : "#6c757d",
        fillOpacity: 0.8,
      }).addTo(map);
      const link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.name;
      const box = document.createElement("div");
      box.appendChild(link);
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(p.address));
      marker.bindPopup(box);
      bounds.push([p.lat, p.lng]);
    });
    if (bounds.length) map.fitBounds(bounds, { maxZoom: 15, padding: [20, 20] });
    else map.setView([35.0, 105.0], 4);
    el.dataset.rendered = "true";
    locate(null, (lat, lng) => {
      L.circleMarker([lat, lng], { radius: 5, color: "#0d6efd", interactive: false }).addTo(map);
      sortList(lat, lng);
    });
  };

  document.addEventListener("DOMContentLoaded", () => {
    const el = document.getElementById("station-map");
    if (el) drawMap(el);
    const button = document.querySelector("[data-locate]");
    if (button) {
      const status = document.querySelector("[data-locate-status]");
      button.addEventListener("click", () => locate(status, sortList));
      locate(status, sortList);
    }
  });
})();
