// The case page's BPMN diagram: bpmn-js's NavigatedViewer (npm package bpmn-js, served from
// node_modules/bpmn-js/dist) draws the case's own process version; open tasks are marked
// "current", pending timers "waiting", and what is behind the case "done".
(function () {
  "use strict";
  var dataNode = document.getElementById("case-diagram-data");
  var container = document.getElementById("case-diagram");
  if (!dataNode || !container) return;
  if (typeof window.BpmnJS === "undefined") {
    document.querySelector(".bl-diagram-fallback").hidden = false;
    return;
  }
  var data = JSON.parse(dataNode.textContent);
  var viewer = new window.BpmnJS({ container: container });

  function zoomToCurrent(canvas, registry) {
    // The open steps with room around them, never closer than 1:1.
    var shapes = data.current.concat(data.waiting).map(function (id) { return registry.get(id); }).filter(Boolean);
    if (!shapes.length) return canvas.zoom("fit-viewport", "auto");
    var x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
    shapes.forEach(function (s) {
      x1 = Math.min(x1, s.x); y1 = Math.min(y1, s.y);
      x2 = Math.max(x2, s.x + s.width); y2 = Math.max(y2, s.y + s.height);
    });
    var pad = 260;
    var box = { x: x1 - pad, y: y1 - pad / 2, width: x2 - x1 + 2 * pad, height: y2 - y1 + pad };
    canvas.viewbox(box);
    if (canvas.zoom() > 1) canvas.zoom(1, { x: (x1 + x2) / 2, y: (y1 + y2) / 2 });
  }

  viewer
    .importXML(data.xml)
    .then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      function mark(ids, marker) {
        ids.forEach(function (id) {
          if (registry.get(id)) canvas.addMarker(id, marker);
        });
      }
      mark(data.done, "done");
      mark(data.waiting, "waiting");
      mark(data.current, "current");
      canvas.zoom("fit-viewport", "auto");
      document.querySelectorAll("[data-zoom]").forEach(function (button) {
        button.addEventListener("click", function () {
          var how = button.dataset.zoom;
          if (how === "fit") canvas.zoom("fit-viewport", "auto");
          else if (how === "current") zoomToCurrent(canvas, registry);
          else canvas.zoom(canvas.zoom() * (how === "in" ? 1.25 : 0.8));
        });
      });
      container.dataset.rendered = "1";
    })
    .catch(function (error) {
      container.dataset.rendered = "error";
      container.textContent = "流程图无法显示 The diagram could not be drawn: " + error.message;
    });
})();
