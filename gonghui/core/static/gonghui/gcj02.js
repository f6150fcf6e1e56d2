// WGS-84 → GCJ-02 and the distance between two points, for the pages that draw or sort stations
// (stations/map.js, portal/stations.js). A browser reports WGS-84 (navigator.geolocation); stations are
// stored in GCJ-02 (高德, 腾讯), so a position is converted before it is drawn or compared. The published
// formula, as gonghui/stations/coords.py on the server. Exposed as window.gonghuiGcj02.
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
  // [lat, lng] in GCJ-02 of a WGS-84 position; outside China the same point.
  const toGcj02 = (lat, lng) => {
    if (outOfChina(lat, lng)) return [lat, lng];
    const [dLat, dLng] = offset(lat, lng);
    return [lat + dLat, lng + dLng];
  };
  // The great-circle distance in metres (haversine, mean Earth radius).
  const metres = (lat1, lng1, lat2, lng2) => {
    const r = (d) => (d * Math.PI) / 180;
    const h = Math.sin(r(lat2 - lat1) / 2) ** 2 + Math.cos(r(lat1)) * Math.cos(r(lat2)) * Math.sin(r(lng2 - lng1) / 2) ** 2;
    return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
  };

  window.gonghuiGcj02 = Object.freeze({ toGcj02, metres });
})();
