// The task form: the rejection and correction fields show only when that outcome is chosen.
// Without JavaScript they are always shown; the server checks them either way.
(function () {
  "use strict";
  var form = document.querySelector("form[data-complete]");
  if (!form) return;
  var sections = Array.prototype.slice.call(form.querySelectorAll("fieldset[data-for]"));
  function hasErrors(section) {
    return section.querySelector(".errorlist") !== null;
  }
  function needsInput(section) {
    var required = section.querySelectorAll("textarea, input[type=checkbox]");
    if (section.dataset.for === "reject") return !required[0].value.trim();
    var ticked = section.querySelectorAll("input[type=checkbox]:checked").length;
    var other = section.querySelector("textarea[name=missing_other]");
    var notice = section.querySelector("textarea[name=notice]");
    return (!ticked && !(other && other.value.trim())) || !(notice && notice.value.trim());
  }
  sections.forEach(function (section) {
    if (!hasErrors(section)) section.hidden = true;
  });
  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-outcome]");
    if (!button) return;
    var section = form.querySelector("fieldset[data-for='" + button.dataset.outcome + "']");
    sections.forEach(function (other) {
      if (other !== section && !hasErrors(other)) other.hidden = true;
    });
    if (section && (section.hidden || needsInput(section))) {
      // First show what this outcome needs; the clerk presses the button again to send it.
      event.preventDefault();
      section.hidden = false;
      var first = section.querySelector("textarea, input");
      if (first) first.focus();
    }
  });
})();
