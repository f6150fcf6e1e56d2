// Draws the dashboard charts from the JSON the server computed from the records.
// A chart with nothing to draw says 暂无数据 (never an empty 0–1 axis); every figure is grouped
// by thousands (1,234,567); a bar that stands for a union opens that union's dashboard (?org=CODE).
(function () {
  // 1234567.5 → "1,234,567.5" (Intl would follow the browser's locale; the dashboard prints commas).
  function thousands(value) {
    if (value === null || value === undefined || value === "") { return "—"; }
    var parts = String(value).split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return parts.join(".");
  }
  function hasData(values) {
    return values.some(function (v) { return Number(v) !== 0 && !isNaN(Number(v)); });
  }
  function empty(el) {
    el.textContent = "";
    var note = document.createElement("div");
    note.className = "chart-empty";
    note.textContent = "暂无数据";
    el.appendChild(note);
    el.dataset.empty = "true";
    el.dataset.rendered = "true";
  }
  // Clicking a bar of a union opens its dashboard, the URL of the drill rows: ?org=CODE.
  function drill(chart, el, codes, reversed) {
    if (!codes || !codes.length) { return; }
    el.classList.add("chart-drill");
    chart.on("click", function (params) {
      var index = reversed ? codes.length - 1 - params.dataIndex : params.dataIndex;
      var code = codes[index];
      if (code) { window.location.search = "?org=" + encodeURIComponent(code); }
    });
  }
  function bar(elementId, dataId, color) {
    var el = document.getElementById(elementId);
    if (!el) { return; }
    var data = JSON.parse(document.getElementById(dataId).textContent);
    if (!data.labels.length || !hasData(data.values)) { empty(el); return; }
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", valueFormatter: thousands },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1, axisLabel: { formatter: thousands } },
      yAxis: { type: "category", data: data.labels.slice().reverse() },
      series: [{ type: "bar", data: data.values.slice().reverse(), itemStyle: { color: color } }],
    });
    drill(chart, el, data.codes, true);
    el.dataset.rendered = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  // Several named series over shared labels: months (lines) or unions (bars).
  function series(elementId, dataId, kind) {
    var el = document.getElementById(elementId);
    if (!el) { return; }
    var data = JSON.parse(document.getElementById(dataId).textContent);
    var any = data.series.some(function (s) { return hasData(s.values); });
    if (!data.labels.length || !any) { empty(el); return; }
    var chart = echarts.init(el);
    chart.setOption({
      color: ["#c0392b", "#2874a6", "#d68910"],
      tooltip: { trigger: "axis", valueFormatter: thousands },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels, axisLabel: { rotate: kind === "bar" ? 30 : 0 } },
      // A registered chart names its unit when it is not money (人次, 座).
      yAxis: { type: "value", name: data.unit || "万元", minInterval: data.unit ? 1 : 0, axisLabel: { formatter: thousands } },
      series: data.series.map(function (s) { return { name: s.name, type: kind, data: s.values }; }),
    });
    drill(chart, el, data.codes, false);
    el.dataset.rendered = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    series("chart-month", "data-month", "line");
    series("chart-city", "data-city", "bar");
    // Charts the domain apps registered: each element names its data.
    document.querySelectorAll(".registered-chart").forEach(function (el) {
      series(el.id, el.dataset.source, "bar");
    });
    bar("chart-kind", "data-kind", "#c0392b");
    bar("chart-region", "data-region", "#d68910");
    bar("chart-status", "data-status", "#1e8449");
  });
})();
