// Keyboard navigation in the cases queue: j / k move between cases, Enter opens the case
// (the focused link does that already), x ticks the case for a bulk action.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.cases tbody tr"));
  if (!rows.length) { return; }
  var current = -1;
  function focusRow(i) {
    if (i < 0 || i >= rows.length) { return; }
    if (current >= 0) { rows[current].classList.remove("focused"); }
    current = i;
    rows[i].classList.add("focused");
    var link = rows[i].querySelector("td.name a");
    if (link) { link.focus(); }
  }
  document.addEventListener("keydown", function (event) {
    var tag = (event.target && event.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "j") { focusRow(current + 1); event.preventDefault(); }
    else if (event.key === "k") { focusRow(Math.max(current - 1, 0)); event.preventDefault(); }
    else if (event.key === "x" && current >= 0) {
      var box = rows[current].querySelector("input[type=checkbox]");
      if (box) { box.checked = !box.checked; }
      event.preventDefault();
    }
  });
})();
