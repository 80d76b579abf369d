// Progressive enhancement only: move the focus to the error summary (or the "slot taken"
// alert) so that screen reader and keyboard users land on what needs fixing. Without this
// script the summary is still the first thing after the heading.
(function () {
  "use strict";
  var target = document.querySelector("[data-focus-on-load]");
  if (target) {
    target.focus();
  }
})();
