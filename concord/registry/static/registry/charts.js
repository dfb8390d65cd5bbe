/* Concord registry: small bar charts on the 360 pages. Each element with data-chart="<id>" is
   drawn from the JSON script element of that id: [[label, value], ...]. ECharts is served by the
   app itself (static/vendor/echarts), never from a CDN. */
(function () {
  "use strict";
  function draw(el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source || typeof echarts === "undefined") { return; }
    var rows = JSON.parse(source.textContent);
    var horizontal = el.dataset.orientation === "horizontal";
    var labels = rows.map(function (r) { return r[0]; });
    var values = rows.map(function (r) { return r[1]; });
    var category = { type: "category", data: horizontal ? labels.slice().reverse() : labels, axisLabel: { interval: 0 } };
    var value = { type: "value", minInterval: 1 };
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: [{ type: "bar", data: horizontal ? values.slice().reverse() : values, label: { show: true, position: horizontal ? "right" : "top" } }]
    });
    el.dataset.drawn = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.querySelectorAll("[data-chart]").forEach(draw);
})();
