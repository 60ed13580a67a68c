// Single-key shortcuts for the worklist and the task page; the pages list them. Never while typing
// in a field, never with Ctrl/Alt/Meta (the browser's own keys stay the browser's). Everything
// they do is also a link or a button that Tab reaches.
(function () {
  "use strict";
  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-row]"));
  function currentRow() {
    return rows.indexOf(document.activeElement);
  }
  function focusRow(index) {
    if (!rows.length) return;
    index = Math.max(0, Math.min(rows.length - 1, index));
    rows[index].focus();
    rows[index].closest("tr").scrollIntoView({ block: "nearest" });
  }
  function click(selector) {
    var el = document.querySelector(selector);
    if (el && !el.disabled) {
      el.click();
      return true;
    }
    return false;
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || typing(event.target)) return;
    var key = event.key;
    var handled = true;
    if (key === "j" || key === "ArrowDown" && rows.length && currentRow() >= 0) {
      focusRow(currentRow() + 1);
    } else if (key === "k" || key === "ArrowUp" && rows.length && currentRow() >= 0) {
      focusRow(currentRow() < 0 ? 0 : currentRow() - 1);
    } else if (key === "/") {
      var search = document.getElementById("filter-case");
      if (search) search.focus(); else handled = false;
    } else if (key === "c") {
      // claim: the focused row's claim button on the list, the page's claim button on a task
      var row = rows[currentRow()];
      var button = row ? row.closest("tr").querySelector("[data-claim]") : document.querySelector("[data-claim]");
      if (button) button.click(); else handled = false;
    } else if (key === "a") {
      handled = click("[data-outcome='approve']") || click("[data-outcome='accept']") || click("[data-outcome='resubmitted']");
    } else if (key === "r") {
      handled = click("[data-outcome='reject']");
    } else if (key === "b") {
      handled = click("[data-outcome='correction']");
    } else if (/^[1-9]$/.test(key)) {
      var tab = document.querySelector("[data-tab][data-key='" + key + "']");
      if (tab) window.location.href = tab.href; else handled = false;
    } else {
      handled = false;
    }
    if (handled) event.preventDefault();
  });
})();
