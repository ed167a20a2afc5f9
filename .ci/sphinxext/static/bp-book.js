// The book's own script (every page; loaded by .ci/sphinxext/book_fixes.py). One job: a wide
// formula, table or code block that scrolls sideways gets a visible cue (a fade at the edge it
// can scroll to) and, only while it overflows, becomes a keyboard-focusable region so a
// keyboard user can scroll it with the arrow keys. Nothing else on the page changes, and a
// formula that fits is never a Tab stop.
(function () {
  "use strict";
  var SELECTOR = ".katex-display, .bd-article .table-wrapper, .bd-article div.highlight pre";
  function update(el) {
    var over = el.scrollWidth > el.clientWidth + 1;
    el.classList.toggle("bp-scroll-right", over && el.scrollLeft + el.clientWidth < el.scrollWidth - 1);
    el.classList.toggle("bp-scroll-left", over && el.scrollLeft > 1);
    if (over && !el.hasAttribute("tabindex")) {
      el.setAttribute("tabindex", "0");
      el.setAttribute("role", "region");
      el.setAttribute("aria-label", el.classList.contains("katex-display") ?
        "Wide formula, scrolls sideways" : "Wide content, scrolls sideways");
      el.classList.add("bp-scrollable");
    } else if (!over && el.classList.contains("bp-scrollable")) {
      el.removeAttribute("tabindex");
      el.removeAttribute("role");
      el.removeAttribute("aria-label");
      el.classList.remove("bp-scrollable");
    }
  }
  function start() {
    var els = Array.prototype.slice.call(document.querySelectorAll(SELECTOR));
    els.forEach(function (el) {
      update(el);
      el.addEventListener("scroll", function () { update(el); }, { passive: true });
    });
    if (window.ResizeObserver) {
      var ro = new ResizeObserver(function (entries) {
        entries.forEach(function (e) { update(e.target); });
      });
      els.forEach(function (el) { ro.observe(el); });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
