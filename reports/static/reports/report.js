// 流程再造: the report's four charts, one series per version. Data comes from the page
// (json_script "report-data", built by reports.charts, every label already in the reader's
// language); Chart.js is served from node_modules.
(function () {
  "use strict";
  var node = document.getElementById("report-data");
  if (!node) return;
  if (typeof window.Chart === "undefined") {
    document.querySelectorAll(".rep-fallback").forEach(function (el) { el.hidden = false; });
    return;
  }
  var data = JSON.parse(node.textContent);
  var palette = ["#94a3b8", "#2563eb", "#7c3aed", "#0891b2", "#db2777", "#0d9488"];
  var lightColours = { green: "#16a34a", yellow: "#d97706", red: "#dc2626" };
  var base = { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { position: "bottom" } } };
  function percent(v) { return Math.round(v * 1000) / 10 + "%"; }
  function options(extra) { return Object.assign({}, base, extra); }
  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) canvas.chart = new window.Chart(canvas, config);
  }

  draw("chart-cycle_time", {
    type: "bar",
    data: {
      labels: data.versions,
      datasets: [
        { label: data.cycle_time.labels.median, data: data.cycle_time.median, backgroundColor: "#2563eb" },
        { label: data.cycle_time.labels.p90, data: data.cycle_time.p90, backgroundColor: "#93c5fd" },
      ],
    },
    options: options({ scales: { y: { beginAtZero: true, title: { display: true, text: data.cycle_time.labels.axis } } } }),
  });

  var deptSets = [];
  data.versions.forEach(function (v, i) {
    deptSets.push({ label: data.departments.wait_labels[i], data: data.departments.wait[i], stack: v, backgroundColor: palette[i % palette.length] + "99" });
    deptSets.push({ label: data.departments.work_labels[i], data: data.departments.work[i], stack: v, backgroundColor: palette[i % palette.length] });
  });
  draw("chart-departments", {
    type: "bar",
    data: { labels: data.departments.names, datasets: deptSets },
    options: options({ scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, title: { display: true, text: data.departments.axis } } } }),
  });

  draw("chart-lights", {
    type: "bar",
    data: {
      labels: data.versions,
      datasets: data.lights.names.map(function (light, j) {
        return { label: data.lights.labels[j], data: data.lights.shares.map(function (s) { return s[j]; }), backgroundColor: lightColours[light] };
      }),
    },
    options: options({
      indexAxis: "y",
      scales: { x: { stacked: true, min: 0, max: 1, ticks: { callback: percent } }, y: { stacked: true } },
      plugins: { legend: { position: "bottom" }, tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + percent(c.raw); } } } },
    }),
  });

  draw("chart-trips", {
    type: "bar",
    data: {
      labels: data.trips.labels,
      datasets: data.versions.map(function (v, i) {
        return { label: v, data: data.trips.shares[i], backgroundColor: palette[i % palette.length] };
      }),
    },
    options: options({ scales: { y: { beginAtZero: true, ticks: { callback: percent } } } }),
  });
  document.documentElement.dataset.reportCharts = "drawn";
})();
