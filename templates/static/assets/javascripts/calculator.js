// The calculator page: reads the form, asks engine.js, writes the answer formatted by format.js.
// The question lives in the address bar (?gpu=…&model=…), so a link shares it.
import { compare, lookup, trainingPrecision } from "./engine.js";
import { Format } from "./format.js";

const NUMBERS = ["gpus", "utilization", "years", "mfu", "price_kwh", "cloud_rate"];
const CUSTOM = { gpu: ["tflops", "memory", "power"], model: ["params", "active_params", "tokens", "flops"] };
const PRECISIONS = ["fp32", "tf32", "fp16", "bf16", "fp8"];
// What a link may set (precision apart: the list depends on the GPU).
const LINKED = ["gpu", "model", ...NUMBERS, ...CUSTOM.gpu, ...CUSTOM.model];
const SHOWN_ID = 60; // characters of an unknown id that a notice repeats

const form = document.getElementById("calculator");
if (form) start(form);

/** Text from the data in the page's language: a plain string, or {en: …, de: …}. */
function local(text) {
  return typeof text === "string" ? text : (text[form.dataset.lang] ?? text.en);
}

async function start(form) {
  const data = await (await fetch(new URL("../../calculator.json", import.meta.url))).json();
  const words = JSON.parse(document.getElementById("calc-words").textContent);
  const f = new Format(form.dataset.lang);
  const field = (name) => form.elements.namedItem(name);
  fill(field("gpu"), data.gpus, words["calc.custom_gpu"]);
  fill(field("model"), data.models, words["calc.custom_model"]);
  const query = new URLSearchParams(location.search);
  const notice = document.querySelector(".calc-notice");
  unknownIds(notice, fromLink(query, field), field, words);
  precisions(data, field, query.get("precision"));
  const update = (event) => {
    const target = event && event.target;
    if (target === field("gpu")) precisions(data, field, field("precision").value);
    if (target === field("gpu") || target === field("model")) notice.hidden = true;
    answer(data, field, f, words);
  };
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("submit", (e) => e.preventDefault());
  update();
  window.gpuYearCalculator = { ready: true };
}

/** Put the link's question into the form; the [kind, id] of each GPU or model id it names that
 *  the lists lack (a renamed GPU, a typo): that choice keeps the default. */
function fromLink(query, field) {
  const unknown = [];
  for (const name of LINKED) {
    const value = query.get(name);
    const input = field(name);
    if (value === null) continue;
    if (input.tagName !== "SELECT") input.value = value;
    else if ([...input.options].some((o) => o.value === value)) input.value = value;
    else unknown.push([name, value]);
  }
  return unknown;
}

/** Say which ids of the link are unknown and what the calculator shows instead. */
function unknownIds(notice, unknown, field, words) {
  const clip = (id) => ([...id].length > SHOWN_ID ? `${[...id].slice(0, SHOWN_ID - 1).join("")}…` : id);
  notice.textContent = unknown
    .map(([kind, id]) => {
      const values = { id: clip(id), name: field(kind).selectedOptions[0].text };
      return words[`calc.unknown_${kind}`].replace(/\{(id|name)\}/g, (_, key) => values[key]);
    })
    .join(" ");
  notice.hidden = !unknown.length;
}

function fill(select, entries, customLabel) {
  const chosen = select.value;
  select.replaceChildren(
    ...Object.entries(entries).map(([id, e]) => new Option(local(e.name), id, false, id === chosen)),
    new Option(customLabel, "custom", false, chosen === "custom"),
  );
}

/** The precision list offers the chosen GPU's peaks; keep the choice where the GPU has it. */
function precisions(data, field, wanted) {
  const select = field("precision");
  const gpu = field("gpu").value;
  const entry = lookup(data.gpus, gpu);
  const peaks = gpu === "custom" ? PRECISIONS : PRECISIONS.filter((p) => entry.peaks[p]);
  const fallback = peaks.includes(data.scenario.precision)
    ? data.scenario.precision
    : gpu === "custom" ? "fp32" : trainingPrecision(entry.peaks);
  const value = peaks.includes(wanted) ? wanted : fallback;
  select.replaceChildren(...peaks.map((p) => new Option(p.toUpperCase(), p, false, p === value)));
}

/** The question the form asks, or the name of the first input that is not a valid number. */
function question(field) {
  const q = { gpu: field("gpu").value, model: field("model").value, precision: field("precision").value };
  const bad = [];
  const number = (name, required) => {
    const input = field(name);
    const empty = input.value.trim() === "";
    const ok = input.checkValidity() && !(required && empty);
    input.setAttribute("aria-invalid", String(!ok));
    if (!ok) bad.push(input);
    return empty ? null : Number(input.value);
  };
  for (const name of NUMBERS) q[name] = number(name, name !== "cloud_rate");
  for (const [kind, names] of Object.entries(CUSTOM)) {
    const on = q[kind] === "custom";
    form.querySelector(`.calc-custom[data-for="${kind}"]`).hidden = !on;
    const values = Object.fromEntries(names.map((n) => [n, on ? number(n, false) : null]));
    if (!on) continue;
    if (kind === "gpu") {
      for (const n of ["tflops", "memory"]) if (values[n] === null) bad.push(field(n));
      q.custom_gpu = { tflops: values.tflops, precision: q.precision, memory_gib: values.memory, power_w: values.power };
    } else {
      if (values.params === null) bad.push(field("params"));
      if (values.tokens === null && values.flops === null) bad.push(field("tokens"));
      q.custom_model = { params: values.params, active_params: values.active_params, tokens: values.tokens, flops: values.flops };
    }
  }
  return { q, bad };
}

function answer(data, field, f, words) {
  const { q, bad } = question(field);
  const error = document.querySelector(".calc-error");
  // An answer to another question (the pre-built one, the last valid one) must not stay up.
  document.querySelector(".calc-answer").hidden = bad.length > 0;
  if (bad.length) {
    bad.forEach((input) => input.setAttribute("aria-invalid", "true"));
    const label = bad[0].closest("label").firstChild.textContent.trim();
    error.textContent = words["calc.error"].replace("{problem}", label);
    error.hidden = false;
    return;
  }
  error.hidden = true;
  const r = compare(data, q);
  show(r, f, data.scenario.currency, words);
  sources(data, q);
  const params = new URLSearchParams();
  for (const el of form.elements) {
    if (!el.name || el.value === "" || el.closest("[hidden]")) continue;
    params.set(el.name, el.value);
  }
  const search = `?${params}`;
  document.querySelector(".calc-share").href = search;
  history.replaceState(null, "", search);
}

function show(r, f, currency, words) {
  const kinds = {
    flops: (v) => f.flops(v),
    pct: (v) => f.pct(v),
    years: (v) => f.years(v),
    integer: (v) => f.integer(v),
    bytes: (v) => f.bytes(v),
    count: (v) => f.count(v),
    kwh: (v) => `${f.num(v)}\u00a0kWh`,
    money: (v) => f.money(v, currency),
    usd: (v) => f.money(v, "USD"),
  };
  for (const cell of document.querySelectorAll("[data-result][data-kind]")) {
    const value = cell.dataset.result.split(".").reduce((o, k) => (o == null ? o : o[k]), r);
    cell.dataset.value = value == null ? "" : String(value);
    cell.textContent = value == null ? "–" : kinds[cell.dataset.kind](value);
  }
  const overall = verdict(r);
  const set = (key, value, text) => {
    const el = document.querySelector(`[data-result="${key}"]`);
    el.dataset.value = value;
    el.textContent = text;
  };
  set("verdict", overall, words[`home.verdict.${overall}`]);
  set("compute_verdict", r.compute_verdict, words[`verdict.${r.compute_verdict}`]);
  set("memory_verdict", r.memory_verdict, words[`verdict.${r.memory_verdict}`]);
}

/** The overall answer from the compute and memory verdicts (generator/answer.py verdict_key). */
function verdict(r) {
  if (r.compute_verdict === "unknown") return "unknown";
  const far = [["compute", r.compute_verdict], ["memory", r.memory_verdict]].filter(([, v]) => v === "far");
  if (far.length === 2) return "far_both";
  if (far.length) return `far_${far[0][0]}`;
  return r.compute_verdict === "enough" && r.memory_verdict === "enough" ? "enough" : "reach";
}

function sources(data, q) {
  const list = document.querySelector('[data-result="sources"]');
  const items = [];
  for (const entry of [lookup(data.gpus, q.gpu), lookup(data.models, q.model)]) {
    for (const s of entry ? entry.sources : []) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = s.url;
      a.textContent = s.title;
      li.append(a, ` (${local(entry.name)})`);
      items.push(li);
    }
  }
  list.replaceChildren(...items);
}
