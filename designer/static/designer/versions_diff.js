// The version diff: two bpmn-js NavigatedViewers (npm package bpmn-js, served from
// node_modules/bpmn-js/dist), the older version on the left and the newer on the right. Each
// step is coloured by what happened to it (diff-added, diff-removed, diff-changed, diff-renamed);
// a row of the table, clicked, scrolls both diagrams to that step.
(function () {
  "use strict";
  var dataNode = document.getElementById("diff-diagrams");
  if (!dataNode) return;
  if (typeof window.BpmnJS === "undefined") {
    document.querySelector(".bl-diagram-fallback").hidden = false;
    return;
  }
  var data = JSON.parse(dataNode.textContent);
  var viewers = {};

  function show(side) {
    var container = document.getElementById("diagram-" + side);
    var viewer = new window.BpmnJS({ container: container });
    viewers[side] = viewer;
    return viewer
      .importXML(data[side].xml)
      .then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        var marked = 0;
        Object.keys(data[side].markers).forEach(function (id) {
          if (registry.get(id)) {
            canvas.addMarker(id, "diff-" + data[side].markers[id]);
            marked += 1;
          }
        });
        canvas.zoom("fit-viewport", "auto");
        container.dataset.rendered = "1";
        container.dataset.marked = String(marked);
      })
      .catch(function (error) {
        container.dataset.rendered = "error";
        // The words come translated from the page (data-failed), in the page's language.
        container.textContent = container.closest("[data-failed]").dataset.failed + " " + error.message;
      });
  }

  function focus(side, id) {
    var viewer = viewers[side];
    if (!viewer || !id) return;
    var registry = viewer.get("elementRegistry");
    var canvas = viewer.get("canvas");
    registry.getAll().forEach(function (element) { canvas.removeMarker(element, "diff-selected"); });
    var element = registry.get(id);
    if (!element) return;
    canvas.addMarker(element, "diff-selected");
    canvas.scrollToElement(element);
  }

  Promise.all([show("old"), show("new")]).then(function () {
    document.querySelectorAll("[data-diff-table] tr[data-old], [data-diff-table] tr[data-new]").forEach(function (row) {
      function select() {
        focus("old", row.dataset.old);
        focus("new", row.dataset.new);
      }
      row.addEventListener("click", select);
      row.addEventListener("keydown", function (event) { if (event.key === "Enter") select(); });
    });
  });
})();
