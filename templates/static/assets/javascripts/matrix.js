// The matrix page's table: every GPU × model pair from matrix.json, one row each, filtered by
// name and sorted by any column. Years are formatted by format.js, equal to the Python formatter.
// Every word shown comes from the page (labels, data-count and data-more). The first LIMIT rows
// are drawn until the reader asks for all: a phone lays out a short table fast.
import { Format } from "./format.js";

const LIMIT = 50;

const box = document.getElementById("matrix");
if (box) start(box);

async function start(box) {
  const data = await (await fetch(new URL("../../matrix.json", import.meta.url))).json();
  const lang = box.dataset.lang;
  const f = new Format(lang);
  const name = (n) => (typeof n === "object" && n !== null ? n[lang] : n);
  const rows = [];
  for (const [gpu, years] of Object.entries(data.years)) {
    for (const [model, [best, realistic]] of Object.entries(years)) {
      const g = name(data.gpus[gpu]);
      const m = name(data.models[model]);
      rows.push({ gpu, model, g, m, best, realistic, words: `${g} ${m} ${gpu} ${model}`.toLowerCase() });
    }
  }
  const form = box.querySelector("form");
  const table = box.querySelector("table");
  const body = table.tBodies[0];
  const count = box.querySelector(".matrix-count");
  const buttons = Array.from(table.querySelectorAll("button.sort"));
  const more = box.querySelector("button.matrix-more");
  const state = { key: null, ascending: true, all: false };

  const render = () => {
    const mode = form.elements.namedItem("mode").value;
    const words = form.elements.namedItem("q").value.toLowerCase().split(/\s+/).filter(Boolean);
    const shown = rows.filter((r) => words.every((w) => r.words.includes(w)));
    if (state.key) {
      const sign = state.ascending ? 1 : -1;
      const by = {
        gpu: (a, b) => a.g.localeCompare(b.g, lang, { numeric: true }),
        model: (a, b) => a.m.localeCompare(b.m, lang, { numeric: true }),
        years: (a, b) => (a[mode] === null) - (b[mode] === null) || sign * (a[mode] - b[mode]),
      }[state.key];
      // Unknown years stay last either way; names compare in the chosen direction.
      shown.sort(state.key === "years" ? by : (a, b) => sign * by(a, b));
    }
    const out = document.createDocumentFragment();
    for (const r of state.all ? shown : shown.slice(0, LIMIT)) {
      const tr = document.createElement("tr");
      const cells = [r.g, r.m].map((text) => {
        const td = document.createElement("td");
        td.textContent = text;
        return td;
      });
      const td = document.createElement("td");
      const years = r[mode];
      if (years === null) td.textContent = "–";
      else {
        const a = document.createElement("a");
        // The link carries the cell's assumptions, so the calculator opens with the same years.
        const query = new URLSearchParams({
          gpu: r.gpu,
          model: r.model,
          precision: data.precision[r.gpu],
          utilization: data.utilization,
          mfu: data.mfu,
        });
        a.href = `${box.dataset.calculator}?${query}`;
        a.textContent = f.value(years);
        td.append(a);
      }
      td.dataset.gpu = r.gpu;
      td.dataset.model = r.model;
      tr.append(...cells, td);
      out.append(tr);
    }
    body.replaceChildren(out);
    count.textContent = box.dataset.count
      .replace("{shown}", f.integer(shown.length))
      .replace("{total}", f.integer(rows.length));
    more.hidden = state.all || shown.length <= LIMIT;
    more.textContent = box.dataset.more.replace("{count}", f.integer(shown.length));
  };
  more.addEventListener("click", () => {
    state.all = true;
    render();
  });

  for (const button of buttons) {
    button.addEventListener("click", () => {
      const key = button.dataset.key;
      state.ascending = state.key === key ? !state.ascending : true;
      state.key = key;
      for (const b of buttons) {
        const sorted = b.dataset.key === key;
        b.parentElement.setAttribute("aria-sort", sorted ? (state.ascending ? "ascending" : "descending") : "none");
      }
      render();
    });
  }
  form.addEventListener("input", render);
  form.addEventListener("submit", (e) => e.preventDefault());
  render();
  box.hidden = false;
  window.gpuYearMatrix = { ready: true };
}
