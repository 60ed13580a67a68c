// A button with data-confirm asks before it sends its form (a send-back, a termination...).
// Without JavaScript the form is sent at once; the server's rules are the same either way.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });
})();
