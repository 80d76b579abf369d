// Progressive enhancement only: a live character count under a text area that has a limit
// (data-limit), from a translated template (data-count-template, "%(count)s / %(limit)s").
// Without this script the help text gives the limit and the server refuses a longer text
// with a clear message; nothing is ever cut.
(function () {
  "use strict";
  var areas = document.querySelectorAll("textarea[data-limit][data-count-template]");
  Array.prototype.forEach.call(areas, function (area) {
    var limit = parseInt(area.getAttribute("data-limit"), 10);
    var template = area.getAttribute("data-count-template");
    var counter = document.createElement("p");
    counter.className = "hint char-count";
    counter.id = area.id + "_count";
    counter.setAttribute("aria-live", "polite");
    area.parentNode.insertBefore(counter, area.nextSibling);
    var described = area.getAttribute("aria-describedby");
    area.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
    function update() {
      var count = area.value.length;
      counter.textContent = template.replace("%(count)s", count).replace("%(limit)s", limit);
      counter.classList.toggle("char-count--over", count > limit);
    }
    area.addEventListener("input", update);
    update();
  });
})();
