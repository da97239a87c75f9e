// Tables and formulas. Sortable tables: a table inside <div class="sortable"> gets clickable column headers.
// Cells may carry their raw value in a data-v attribute (numbers sort numerically by it).
(function () {
  "use strict";

  function key(cell) {
    const raw = cell && cell.querySelector("[data-v]");
    if (raw) {
      const v = raw.getAttribute("data-v");
      const n = Number(v);
      return v === "" || Number.isNaN(n) ? { n: null, s: v } : { n: n, s: v };
    }
    return { n: null, s: cell ? cell.textContent.trim() : "" };
  }

  function compare(a, b, lang) {
    if (a.n !== null && b.n !== null) return a.n - b.n;
    if (a.n !== null) return -1;
    if (b.n !== null) return 1;
    if (a.s === "" || a.s === "–") return 1;
    if (b.s === "" || b.s === "–") return -1;
    return a.s.localeCompare(b.s, lang, { numeric: true });
  }

  function setup(table) {
    if (table.dataset.sortable) return;
    table.dataset.sortable = "1";
    const lang = document.documentElement.lang || "en";
    const label = lang === "de" ? "Sortieren nach" : "Sort by";
    const heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, col) {
      // A separate button: a header may hold a link, and controls must not nest.
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.setAttribute("aria-label", label + " " + th.textContent.trim());
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const body = table.tBodies[0];
        const rows = Array.from(body.rows);
        rows.sort(function (r1, r2) {
          const c = compare(key(r1.cells[col]), key(r2.cells[col]), lang);
          return ascending ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  // Wide tables and formulas scroll sideways inside their box: a keyboard user must be able to
  // reach that box to scroll it (WCAG 2.1.1, axe's scrollable-region-focusable). Only boxes that
  // overflow at the current width become tab stops.
  function scrollers() {
    const de = document.documentElement.lang === "de";
    document.querySelectorAll(".md-typeset__scrollwrap, .md-typeset .formula").forEach(function (box) {
      const wide = box.scrollWidth > box.clientWidth + 1;
      if (wide && !box.hasAttribute("tabindex")) {
        const table = !box.classList.contains("formula");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute(
          "aria-label",
          table
            ? (de ? "Tabelle, seitlich scrollbar" : "Table, scrolls sideways")
            : (de ? "Formel, seitlich scrollbar" : "Formula, scrolls sideways")
        );
        box.dataset.scroller = "1";
      } else if (!wide && box.dataset.scroller) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        delete box.dataset.scroller;
      }
    });
  }

  let resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(scrollers, 150);
  });

  // The GPU index's filter: rows whose first cell contains every typed word stay; sections
  // (headings and tables) left without rows are hidden. Without JavaScript all rows show.
  function filter(input) {
    if (input.dataset.ready) return;
    input.dataset.ready = "1";
    const status = document.getElementById(input.getAttribute("aria-describedby"));
    const tables = Array.from(document.querySelectorAll("[data-filtered] table"));
    function heading(el, tag) {
      let h = el.closest("[data-filtered]") || el;
      while (h && !(h.tagName === tag)) h = h.previousElementSibling;
      return h;
    }
    input.addEventListener("input", function () {
      const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      let shown = 0;
      const h2s = new Map();
      tables.forEach(function (table) {
        let any = false;
        Array.from(table.tBodies[0].rows).forEach(function (row) {
          const name = row.cells[0].textContent.toLowerCase();
          const hit = words.every(function (w) { return name.indexOf(w) >= 0; });
          row.hidden = !hit;
          if (hit) { any = true; shown += 1; }
        });
        const box = table.closest("[data-filtered]");
        box.hidden = !any;
        const h3 = heading(box, "H3");
        if (h3) h3.hidden = !any;
        const h2 = heading(h3 || box, "H2");
        if (h2) h2s.set(h2, (h2s.get(h2) || false) || any);
      });
      h2s.forEach(function (any, h2) { h2.hidden = !any; });
      if (status) status.textContent = shown ? "" : status.dataset.none;
    });
  }

  function init() {
    document.querySelectorAll(".sortable table").forEach(setup);
    document.querySelectorAll(".table-filter input").forEach(filter);
    scrollers();
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(init);
  } else {
    document.addEventListener("DOMContentLoaded", init);
  }
})();
