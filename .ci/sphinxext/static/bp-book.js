// The book's own script (every page; loaded by .ci/sphinxext/book_fixes.py). One job: a wide
// formula, table or code block that scrolls sideways gets a visible cue (a fade at the edge it
// can scroll to) and, only while it overflows, becomes a keyboard-focusable region so a
// keyboard user can scroll it with the arrow keys. Nothing else on the page changes, and a
// formula that fits is never a Tab stop. All boxes are measured first and changed afterwards
// (one layout for the page, not one per box), after the page has loaded.
(function () {
  "use strict";
  var SELECTOR = ".katex-display, .bd-article .table-wrapper, .bd-article div.highlight pre";
  function measure(el) {
    var over = el.scrollWidth > el.clientWidth + 4; // KaTeX struts may stick out 1–3 px
    return {
      el: el,
      over: over,
      right: over && el.scrollLeft + el.clientWidth < el.scrollWidth - 1,
      left: over && el.scrollLeft > 1
    };
  }
  function apply(m) {
    var el = m.el;
    el.classList.toggle("bp-scroll-right", m.right);
    el.classList.toggle("bp-scroll-left", m.left);
    if (m.over && !el.classList.contains("bp-scrollable")) {
      el.setAttribute("tabindex", "0");
      el.setAttribute("role", "region");
      el.setAttribute("aria-label", el.classList.contains("katex-display") ?
        "Wide formula, scrolls sideways" : "Wide content, scrolls sideways");
      el.classList.add("bp-scrollable");
    } else if (!m.over && el.classList.contains("bp-scrollable")) {
      el.removeAttribute("tabindex");
      el.removeAttribute("role");
      el.removeAttribute("aria-label");
      el.classList.remove("bp-scrollable");
    }
  }
  function update(els) {
    els.map(measure).forEach(apply); // all reads, then all writes
  }
  function start() {
    var els = Array.prototype.slice.call(document.querySelectorAll(SELECTOR));
    update(els);
    els.forEach(function (el) {
      el.addEventListener("scroll", function () { update([el]); }, { passive: true });
    });
    var pending = false;
    window.addEventListener("resize", function () {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(function () { pending = false; update(els); });
    });
  }
  if (document.readyState === "complete") {
    start();
  } else {
    window.addEventListener("load", start);
  }
})();
