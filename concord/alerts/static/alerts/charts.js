/* Concord early warning: stacked bar charts by risk level. Each element with
   data-level-chart="<id>" is drawn from the JSON script element of that id:
   {"series": [level names], "colors": [one per level], "rows": [[label, n per level], ...]}.
   ECharts is served by the app itself (static/vendor/echarts), as for the disputes charts. */
(function () {
  "use strict";
  document.querySelectorAll("[data-level-chart]").forEach(function (el) {
    var source = document.getElementById(el.dataset.levelChart);
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var rows = data.rows || [];
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      color: data.colors,
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "category", data: rows.map(function (r) { return r[0]; }), axisLabel: { interval: 0, rotate: rows.length > 8 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: (data.series || []).map(function (name, i) {
        return { name: name, type: "bar", stack: "total", data: rows.map(function (r) { return r[i + 1]; }) };
      })
    });
    el.dataset.drawn = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
