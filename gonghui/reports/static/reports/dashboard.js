// Draws the dashboard charts from the JSON the server computed from the records.
(function () {
  function bar(elementId, dataId, color) {
    var el = document.getElementById(elementId);
    if (!el) { return; }
    var data = JSON.parse(document.getElementById(dataId).textContent);
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: data.labels.slice().reverse() },
      series: [{ type: "bar", data: data.values.slice().reverse(), itemStyle: { color: color } }],
    });
    el.dataset.rendered = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  // Several named series over shared labels: months (lines) or unions (bars).
  function series(elementId, dataId, kind) {
    var el = document.getElementById(elementId);
    if (!el) { return; }
    var data = JSON.parse(document.getElementById(dataId).textContent);
    var chart = echarts.init(el);
    chart.setOption({
      color: ["#c0392b", "#2874a6", "#d68910"],
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels, axisLabel: { rotate: kind === "bar" ? 30 : 0 } },
      yAxis: { type: "value", name: "万元" },
      series: data.series.map(function (s) { return { name: s.name, type: kind, data: s.values }; }),
    });
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
