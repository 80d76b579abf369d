// Progressive enhancement only: move the focus to the error summary (or the "slot taken"
// alert) so that screen reader and keyboard users land on what needs fixing. Without this
// script the summary is still the first thing after the heading.
(function () {
  "use strict";
  var target = document.querySelector("[data-focus-on-load]");
  if (target) {
    target.focus();
  }

  // A link of the error summary brings the field's label (or its group's legend) to the top of
  // the screen, then focuses the field: jumping to the field alone would hide its label.
  // Without this script, scroll-margin in site.css keeps some room above the field.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".error-summary a[href^='#']") : null;
    if (!link) {
      return;
    }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) {
      return;
    }
    var group = field.closest("fieldset");
    var label = document.querySelector("label[for='" + field.id + "']");
    var heading = group && field.type === "radio" ? group.querySelector("legend") : label || (group && group.querySelector("legend"));
    if (!heading) {
      return;
    }
    event.preventDefault();
    heading.scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });
})();
