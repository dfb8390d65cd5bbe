/* Concord harmonious enterprises: bar charts. Each element with data-harmony-chart="<id>" is drawn
   from the JSON script element of that id:
   {"series": [names], "rows": [[label, value per series], ...], "colors": [optional],
    "horizontal": optional}; several series stack. ECharts is served by the app itself
   (static/vendor/echarts), as for the disputes and early-warning charts. */
(function () {
  "use strict";
  document.querySelectorAll("[data-harmony-chart]").forEach(function (el) {
    var source = document.getElementById(el.dataset.harmonyChart);
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var rows = data.rows || [];
    var labels = { type: "category", data: rows.map(function (r) { return r[0]; }),
                   axisLabel: { interval: 0, rotate: !data.horizontal && rows.length > 8 ? 30 : 0 } };
    var values = { type: "value", minInterval: 1 };
    var option = {
      animation: false,
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0, show: (data.series || []).length > 1 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: data.horizontal ? values : labels,
      yAxis: data.horizontal ? Object.assign(labels, { inverse: true }) : values,
      series: (data.series || []).map(function (name, i) {
        return { name: name, type: "bar", stack: "total", data: rows.map(function (r) { return r[i + 1]; }) };
      })
    };
    if (data.colors) { option.color = data.colors; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    el.dataset.drawn = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
