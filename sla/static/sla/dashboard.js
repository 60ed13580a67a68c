// 电子监察: the breaches chart. Data comes from the page (json_script "sla-breach-data"), its words
// too, in the reader's language (data.labels); Chart.js is served from node_modules (npm package
// chart.js). Clicking a department's bar drills down to it.
(function () {
  "use strict";
  var dataNode = document.getElementById("sla-breach-data");
  var canvas = document.getElementById("sla-breaches");
  if (!dataNode || !canvas) return;
  if (typeof window.Chart === "undefined") {
    document.querySelector(".sla-fallback").hidden = false;
    return;
  }
  var data = JSON.parse(dataNode.textContent);
  // Department colours: calm and distinct, none of them the lights' green / amber / red.
  var palette = ["#2563eb", "#7c3aed", "#0891b2", "#db2777", "#4f46e5", "#0d9488", "#9333ea", "#475569"];
  var datasets = data.departments.map(function (dept, i) {
    return {
      type: "bar",
      label: dept.name,
      code: dept.code,
      data: dept.counts,
      backgroundColor: palette[i % palette.length],
      stack: "tasks",
      borderRadius: 2,
      maxBarThickness: 22,
    };
  });
  // Case breaches: diamonds over the bars, drawn only on days that have any.
  datasets.push({
    type: "line",
    label: data.labels.cases,
    data: data.cases.map(function (n) { return n || null; }),
    stack: "cases",
    showLine: false,
    pointStyle: "rectRot",
    pointRadius: 6,
    pointHoverRadius: 8,
    borderColor: "#7f1d1d",
    backgroundColor: "#ef4444",
    borderWidth: 1.5,
    clip: false,
    order: -1,
  });

  function drillTo(code) {
    var params = new URLSearchParams(window.location.search);
    params.set("department", code);
    params.delete("page");
    window.location.search = params.toString();
  }

  var chart = new window.Chart(canvas, {
    data: { labels: data.days.map(function (day) { return day.slice(5); }), datasets: datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        x: { stacked: true, grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 8 } },
        y: { stacked: true, beginAtZero: true, grace: "5%", ticks: { precision: 0 }, title: { display: true, text: data.labels.axis } },
      },
      plugins: {
        legend: { position: "bottom", labels: { boxWidth: 12, boxHeight: 12, padding: 10 } },
        tooltip: {
          callbacks: {
            title: function (items) { return items.length ? data.days[items[0].dataIndex] : ""; },
          },
        },
      },
      onClick: function (event, elements) {
        var hit = chart.getElementsAtEventForMode(event, "nearest", { intersect: true }, true)[0] || elements[0];
        var dataset = hit && chart.data.datasets[hit.datasetIndex];
        if (dataset && dataset.code) drillTo(dataset.code);
      },
    },
  });
  canvas.dataset.rendered = "1";
})();
