/* Concord disputes: stacked bar charts. Each element with data-stacked-chart="<id>" is drawn from
   the JSON script element of that id: [[label, series1, series2, ...], ...]; data-series names the
   series. ECharts is served by the app itself. */
(function () {
  "use strict";
  document.querySelectorAll("[data-stacked-chart]").forEach(function (el) {
    var source = document.getElementById(el.dataset.stackedChart);
    if (!source || typeof echarts === "undefined") { return; }
    var rows = JSON.parse(source.textContent);
    var names = JSON.parse(el.dataset.series || "[]");
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "category", data: rows.map(function (r) { return r[0]; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: names.map(function (name, i) {
        return { name: name, type: "bar", stack: "total", data: rows.map(function (r) { return r[i + 1]; }) };
      })
    });
    el.dataset.drawn = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
