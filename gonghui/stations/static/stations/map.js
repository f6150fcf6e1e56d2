// The stations' map page. With a tile server (GONGHUI_MAP_TILE_URL) it draws the stations as
// markers on Leaflet; without one, the page is the list, and "按我的位置排序" sorts it by the
// distance from the browser's position. Stations are stored in GCJ-02 and the browser reports
// WGS-84, so the position is converted first (the published formula, as stations/coords.py).
(() => {
  "use strict";

  const A = 6378245.0;
  const EE = 0.00669342162296594323;
  const outOfChina = (lat, lng) => !(lng >= 72.004 && lng <= 137.8347 && lat >= 0.8293 && lat <= 55.8271);
  const offset = (lat, lng) => {
    const x = lng - 105.0;
    const y = lat - 35.0;
    const pi = Math.PI;
    const wave = ((20.0 * Math.sin(6.0 * x * pi) + 20.0 * Math.sin(2.0 * x * pi)) * 2.0) / 3.0;
    let dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) + wave;
    dLat += ((20.0 * Math.sin(y * pi) + 40.0 * Math.sin((y / 3.0) * pi)) * 2.0) / 3.0;
    dLat += ((160.0 * Math.sin((y / 12.0) * pi) + 320 * Math.sin((y * pi) / 30.0)) * 2.0) / 3.0;
    let dLng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) + wave;
    dLng += ((20.0 * Math.sin(x * pi) + 40.0 * Math.sin((x / 3.0) * pi)) * 2.0) / 3.0;
    dLng += ((150.0 * Math.sin((x / 12.0) * pi) + 300.0 * Math.sin((x / 30.0) * pi)) * 2.0) / 3.0;
    const rad = (lat / 180.0) * pi;
    const magic = 1 - EE * Math.sin(rad) ** 2;
    const sqrtMagic = Math.sqrt(magic);
    dLat = (dLat * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * pi);
    dLng = (dLng * 180.0) / ((A / sqrtMagic) * Math.cos(rad) * pi);
    return [dLat, dLng];
  };
  const toGcj02 = (lat, lng) => {
    if (outOfChina(lat, lng)) return [lat, lng];
    const [dLat, dLng] = offset(lat, lng);
    return [lat + dLat, lng + dLng];
  };
  const metres = (lat1, lng1, lat2, lng2) => {
    const r = (d) => (d * Math.PI) / 180;
    const h = Math.sin(r(lat2 - lat1) / 2) ** 2 + Math.cos(r(lat1)) * Math.cos(r(lat2)) * Math.sin(r(lng2 - lng1) / 2) ** 2;
    return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
  };
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
