// The calculator page: reads the form, asks engine.js, writes the answer formatted by format.js.
// Three questions share the GPU and the model: train (`gpu-year compare`), fine-tune
// (`gpu-year finetune`) and run (`gpu-year infer`). The question lives in the address bar, named
// as the command line names its options (?mode=run&quant=q4_k_m&kv-cache=fp16), so a link shares it.
import { answer, lookup, trainingPrecision } from "./engine.js";
import { Format } from "./format.js";

const MODES = ["train", "finetune", "run"];
const TRAIN_NUMBERS = ["gpus", "utilization", "years", "mfu", "price_kwh", "cloud_rate"];
const TUNE_NUMBERS = ["utilization", "mfu", "price_kwh", "cloud_rate"]; // the time of a fine-tuning run
const CUSTOM = { gpu: ["tflops", "memory", "power"], model: ["params", "active_params", "tokens", "flops"] };
const PRECISIONS = ["fp32", "tf32", "fp16", "bf16", "fp8"];
const MAX_GPUS = { train: 1000000, finetune: 1024, run: 1024 }; // the CLI's --gpus ranges
const OFF = ["off", "false", "no", "0"]; // checkpointing=off in a link: --no-checkpointing
const SHOWN_ID = 60; // characters of an unknown id that a notice repeats

const form = document.getElementById("calculator");
if (form) start(form);

/** Text from the data in the page's language: a plain string, or {en: …, de: …}. */
function local(text) {
  return typeof text === "string" ? text : (text[form.dataset.lang] ?? text.en);
}

/** `{name}` placeholders of a message filled in. */
function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, (all, key) => (key in values ? values[key] : all));
}

const capitalized = (text) => text.charAt(0).toUpperCase() + text.slice(1);

/** The question's mode: the checked radio. */
function modeOf() {
  return form.querySelector('input[name="mode"]:checked')?.value ?? "train";
}

/** The URL parameter of a form element: the command line's option name. */
function param(el) {
  return el.dataset.param || el.name;
}

async function start(form) {
  const data = await (await fetch(new URL("../../calculator.json", import.meta.url))).json();
  const words = JSON.parse(document.getElementById("calc-words").textContent);
  const f = new Format(form.dataset.lang);
  const field = (name) => form.elements.namedItem(name);
  choices(field("gpu"), data.gpus, words["calc.custom_gpu"]);
  choices(field("model"), data.models, words["calc.custom_model"]);
  const query = new URLSearchParams(location.search);
  const notice = document.querySelector(".calc-notice");
  const noticed = unknownIds(notice, fromLink(query, field), field, words);
  precisions(data, field, query.get("precision"));
  const update = (event) => {
    const target = event && event.target;
    if (target === field("gpu")) precisions(data, field, field("precision").value);
    // choosing the GPU, the model or a choice the notice names retires it
    if (target && (noticed.has(target.name) || ["gpu", "model"].includes(target.name))) notice.hidden = true;
    answerForm(data, field, f, words);
  };
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("submit", (e) => e.preventDefault());
  update();
  window.gpuYearCalculator = { ready: true };
}

/** Put the link's question into the form; the [name, value] of each choice it names that the
 *  lists lack (a renamed GPU, a typo): that choice keeps the default. */
function fromLink(query, field) {
  const unknown = [];
  const mode = query.get("mode");
  if (MODES.includes(mode) && field("mode")) {
    for (const radio of form.querySelectorAll('input[name="mode"]')) radio.checked = radio.value === mode;
  }
  for (const input of form.elements) {
    if (!input.name || input.name === "mode" || input.name === "precision") continue;
    const value = query.get(param(input));
    if (value === null) continue;
    if (input.type === "checkbox") input.checked = !OFF.includes(value.toLowerCase());
    else if (input.tagName !== "SELECT") input.value = value;
    else if ([...input.options].some((o) => o.value === value)) input.value = value;
    else unknown.push([input.name, value]);
  }
  return unknown;
}

/** Say which choices of the link are unknown and what the calculator shows instead; the names
 *  of those choices (changing one retires the notice). */
function unknownIds(notice, unknown, field, words) {
  const clip = (id) => ([...id].length > SHOWN_ID ? `${[...id].slice(0, SHOWN_ID - 1).join("")}…` : id);
  notice.textContent = unknown
    .map(([name, id]) => {
      const input = field(name);
      const values = { id: clip(id), name: input.selectedOptions[0].text, field: labelText(input) };
      return fill(words[`calc.unknown_${name}`] ?? words["calc.unknown_option"], values);
    })
    .join(" ");
  notice.hidden = !unknown.length;
  return new Set(unknown.map(([name]) => name));
}

function choices(select, entries, customLabel) {
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

/** Show what the mode (and the fine-tuning method) asks for, in the form and the answer. */
function visibility(mode, field) {
  const method = field("method")?.value;
  for (const el of document.querySelectorAll("[data-modes]")) {
    el.hidden = !el.dataset.modes.split(" ").includes(mode);
  }
  for (const el of document.querySelectorAll(".calc-mode-answer")) el.hidden = el.dataset.mode !== mode;
  for (const el of document.querySelectorAll("[data-methods]")) {
    el.hidden = !el.dataset.methods.split(" ").includes(method);
  }
  field("gpus").max = String(MAX_GPUS[mode]);
}

/** A label's words: its text and visible spans, without the input. */
function labelText(input) {
  const label = input.closest("label");
  if (!label) return input.name;
  const parts = [...label.childNodes].filter(
    (n) => n.nodeType === Node.TEXT_NODE || (n.nodeType === Node.ELEMENT_NODE && !n.hidden && n.tagName === "SPAN"),
  );
  return parts.map((n) => n.textContent).join(" ").replace(/\s+/g, " ").trim();
}

/** The question the form asks and the inputs that are not valid (with a message for each). */
function question(mode, field, words) {
  const bad = [];
  const number = (name, required) => {
    const input = field(name);
    const empty = input.value.trim() === "";
    const ok = input.checkValidity() && !(required && empty);
    input.setAttribute("aria-invalid", String(!ok));
    if (!ok) bad.push([input]);
    return empty ? null : Number(input.value);
  };
  const need = (name, value) => {
    if (value === null) bad.push([field(name)]);
    return value;
  };
  const q = { mode, gpu: field("gpu").value, model: field("model").value };
  for (const kind of ["gpu", "model"]) {
    const on = q[kind] === "custom" && (kind === "gpu" || mode === "train");
    form.querySelector(`.calc-custom[data-for="${kind}"]`).hidden = !on;
  }
  const customGpu = q.gpu === "custom";
  field("model").setAttribute("aria-invalid", "false");
  if (mode === "train") {
    q.precision = field("precision").value;
    for (const name of TRAIN_NUMBERS) q[name] = number(name, name !== "cloud_rate");
    if (customGpu) {
      const [tflops, memory, power] = CUSTOM.gpu.map((n) => number(n, false));
      q.custom_gpu = { tflops: need("tflops", tflops), precision: q.precision, memory_gib: need("memory", memory), power_w: power };
    }
    if (q.model === "custom") {
      const [params, active, tokens, flops] = CUSTOM.model.map((n) => number(n, false));
      if (params === null) bad.push([field("params")]);
      if (tokens === null && flops === null) bad.push([field("tokens")]);
      q.custom_model = { params, active_params: active, tokens, flops };
    }
    return { q, bad };
  }
  q.gpus = number("gpus", true);
  if (mode === "finetune") {
    q.method = field("method").value;
    if (q.method === "full") q.optimizer = field("optimizer").value;
    else {
      q.rank = number("rank", true);
      q.targets = field("targets").value;
    }
    q.seq = number("seq", true);
    q.batch = number("finetune-batch", true);
    q.sharding = field("sharding").value;
    q.checkpointing = field("checkpointing").checked;
    q.tokens = number("finetune-tokens", false);
    for (const name of TUNE_NUMBERS) q[name] = number(name, name !== "cloud_rate");
  } else {
    q.quant = field("quant").value;
    q.kv_cache = field("kv-cache").value;
    q.context = number("context", false);
    q.batch = number("run-batch", true);
  }
  if (customGpu) {
    const tflops = need("tflops", number("tflops", false));
    q.custom_gpu = { tflops, memory_gib: need("memory", number("memory", false)) };
    if (mode === "run") q.custom_gpu.bandwidth_gbs = need("bandwidth", number("bandwidth", false));
    else q.custom_gpu.power_w = number("power", false);
  }
  if (q.model === "custom") bad.unshift([field("model"), words["calc.custom_model_local"]]);
  return { q, bad };
}

function answerForm(data, field, f, words) {
  const mode = modeOf();
  visibility(mode, field);
  const { q, bad } = question(mode, field, words);
  const error = document.querySelector(".calc-error");
  // An answer to another question (the pre-built one, the last valid one) must not stay up.
  document.querySelector(".calc-answer").hidden = bad.length > 0;
  if (bad.length) {
    bad.forEach(([input]) => input.setAttribute("aria-invalid", "true"));
    const [input, message] = bad[0];
    error.textContent = message ?? words["calc.error"].replace("{problem}", labelText(input));
    error.hidden = false;
    return;
  }
  error.hidden = true;
  const params = new URLSearchParams();
  for (const el of form.elements) {
    if (!el.name || el.closest("[hidden]") || (el.type === "radio" && !el.checked)) continue;
    if (el.type === "checkbox") params.set(param(el), el.checked ? "on" : "off");
    else if (el.value !== "") params.set(param(el), el.value);
  }
  const r = answer(data, q);
  const root = document.querySelector(`.calc-mode-answer[data-mode="${mode}"]`);
  if (mode === "train") showTrain(root, r, f, data.scenario.currency, words);
  else showPlan(root, r, mode, f, data, words, params);
  sources(data, q, mode === "train" ? [] : r.sources);
  const search = `?${params}`;
  document.querySelector(".calc-share").href = search;
  history.replaceState(null, "", search);
}

/** How each data-kind of answer cell is shown. */
function kinds(f, currency, yearDays) {
  return {
    seconds: (v) => f.years(v / (yearDays * 86400)),
    flops: (v) => f.flops(v),
    pct: (v) => f.pct(v),
    years: (v) => f.years(v),
    integer: (v) => f.integer(v),
    bytes: (v) => f.bytes(v),
    count: (v) => f.count(v),
    num: (v) => f.num(v),
    kwh: (v) => `${f.num(v)}\u00a0kWh`,
    money: (v) => f.money(v, currency),
    usd: (v) => f.money(v, "USD"),
    cards: (v) => f.integer(v),
  };
}

/** Fill every answer cell under `root` from the answer `r` (a dotted field path per cell). */
function cells(root, r, shown, blank) {
  for (const cell of root.querySelectorAll("[data-result][data-kind]")) {
    const value = cell.dataset.result.split(".").reduce((o, k) => (o == null ? o : o[k]), r);
    cell.dataset.value = value == null ? "" : String(value);
    cell.textContent = value == null ? blank(cell) : shown[cell.dataset.kind](value);
  }
}

function showTrain(root, r, f, currency, words) {
  cells(root, r, kinds(f, currency, 365), () => "–");
  const overall = verdict(r);
  const set = (key, value, text) => {
    const el = root.querySelector(`[data-result="${key}"]`);
    el.dataset.value = value;
    el.textContent = text;
  };
  set("verdict", overall, words[`home.verdict.${overall}`]);
  set("compute_verdict", r.compute_verdict, words[`verdict.${r.compute_verdict}`]);
  set("memory_verdict", r.memory_verdict, words[`verdict.${r.memory_verdict}`]);
}

/** The label of a memory part as the command line words it. */
function partLabel(part, r, mode, f, words) {
  if (part === "weights" && mode === "run") {
    return words["local.part.weights_bits"].replace("{bits}", f.num(r.settings.bits_per_weight, 4));
  }
  if (part === "weights" && r.settings.method === "qlora") return words["local.part.weights_nf4"];
  return words[`local.part.${part}`];
}

/** A fine-tune or run answer: verdict, the changes that make it fit, the stacked bar of one
 *  card, the parts, the inverse answers, speeds or the run's time and cost, notes. `params`: the
 *  question's link parameters, which each change's link alters. */
function showPlan(root, r, mode, f, data, words, params) {
  const max = data.local.max_cards;
  const beyond = words["calc.cards_beyond"].replace("{n}", f.integer(max));
  fixes(root, r, f, data, words, params);
  const shown = kinds(f, data.scenario.currency, data.scenario.year_days);
  cells(root, r, shown, (cell) => (cell.dataset.kind === "cards" ? beyond : "–"));
  if (mode === "run") {
    const best = root.querySelector('[data-result="best_quant"]');
    best.dataset.value = r.best_quant ?? "";
    best.textContent = r.best_quant ? local(data.local.weight_formats[r.best_quant].name) : "–";
  } else {
    const run = root.querySelector(".calc-run");
    run.hidden = r.time_s === null;
    root.querySelector(".calc-run-missing").hidden = r.time_s !== null;
    if (r.time_s !== null) {
      const caption = run.querySelector("caption");
      caption.textContent = fill(caption.dataset.caption, { tokens: f.count(r.tokens) });
      run.querySelector(".calc-run-flops").textContent = words[`local.run_flops.${r.settings.method}`];
    }
  }
  const labels = {};
  for (const row of root.querySelectorAll("tr[data-part]")) {
    const part = row.dataset.part;
    labels[part] = partLabel(part, r, mode, f, words);
    row.querySelector("[data-label]").textContent = capitalized(labels[part]);
    row.hidden = !(part in r.memory) && !r.unknown.includes(part);
  }
  for (const cell of root.querySelectorAll("td[data-range]")) range(cell, words);
  const batched = root.querySelector("tr[data-batched]");
  if (batched) batched.hidden = r.settings.batch <= 1;

  const fits = root.querySelector('[data-result="fits"]');
  fits.dataset.value = String(r.fits);
  fits.textContent = fill(words[r.fits ? "local.fits" : "local.does_not_fit"], {
    per_gpu: f.bytes(r.per_gpu.value),
    memory: f.bytes(r.gpu_memory_bytes),
  });
  const more = [];
  if (!r.fits) {
    more.push(r.cards_needed
      ? words["local.cards_needed"].replace("{n}", f.integer(r.cards_needed))
      : words["local.cards_beyond"].replace("{n}", f.integer(max)));
  }
  if (!r.complete) more.push(words["local.lower_bound"]);
  root.querySelector(".calc-cards").textContent = more.join(" ");
  bar(root, r, labels, f, words);

  const notes = r.unknown.map((part) => words["local.unknown_part"].replace("{part}", labels[part]));
  for (const w of r.warnings) {
    notes.push(words[`local.warning.${w}`].replace("{context}", f.integer(r.settings.model_context || 0)));
  }
  root.querySelector(".calc-notes").replaceChildren(
    ...notes.map((text) => Object.assign(document.createElement("li"), { textContent: text })),
  );
}

/** The link parameters that the command-line options of a fix set (a flag alone: "on"). */
function fixParams(params, fix) {
  const out = new URLSearchParams(params);
  const o = fix.options;
  for (let i = 0; i < o.length; i++) {
    const flag = !o[i + 1] || o[i + 1].startsWith("--");
    out.set(o[i].slice(2), flag ? "on" : o[++i]);
  }
  if (fix.gpu) out.set("gpu", fix.gpu);
  return out;
}

/** What a fix changes, in the command line's words (local_answer._fixes). */
function fixWhat(fix, f, data, words) {
  const value = fix.options.at(-1) ?? "";
  const loc = data.local;
  const values = {
    kv_cache: () => ({ kv: local(loc.kv_formats[value].name) }),
    quant: () => ({ quant: local(loc.weight_formats[value].name) }),
    quant_context: () => ({ quant: local(loc.weight_formats[fix.options[1]].name), n: f.integer(Number(value)) }),
    method: () => ({ method: words[`local.method.${value}`] }),
    gpu: () => ({ gpu: local(data.gpus[fix.gpu].name) }),
  }[fix.change];
  const filled = values ? values() : /^\d+$/.test(value) ? { n: f.integer(Number(value)) } : {};
  return fill(words[`local.fix.${fix.change}`], filled);
}

/** The ranked changes that make the plan fit: each a link to the calculator with it, the memory
 *  per card then, and the options that make the command line give the same answer. */
function fixes(root, r, f, data, words, params) {
  const box = root.querySelector(".calc-fixes");
  box.hidden = !r.fixes.length;
  const [before, middle, after] = words["local.fix_line"].split(/\{what\}|\{per_gpu\}/);
  const items = r.fixes.map((fix, i) => {
    const li = document.createElement("li");
    li.dataset.change = fix.change;
    const a = Object.assign(document.createElement("a"), { href: `?${fixParams(params, fix)}` });
    a.textContent = fixWhat(fix, f, data, words);
    const bytes = Object.assign(document.createElement("span"), { textContent: f.bytes(fix.per_gpu_bytes) });
    Object.assign(bytes.dataset, { result: `fixes.${i}.per_gpu_bytes`, kind: "bytes", value: String(fix.per_gpu_bytes) });
    li.append(before, a, middle, bytes, after);
    const cli = fix.options.join(" ") || `GPU ${fix.gpu}`; // added to the command: the same answer
    li.append(" ", Object.assign(document.createElement("code"), { textContent: cli }));
    return li;
  });
  box.querySelector('[data-result="fixes"]').replaceChildren(...items);
}

/** "value (range low – high)", or "value (or only low)" / "value (or up to high)" when the value
 *  is one of the ends once rounded; the ends only where they differ (i18n.L10n.span). */
function range(cell, words) {
  const [value, low, high] = [...cell.querySelectorAll("[data-result]")];
  const ends = cell.querySelector(".calc-range");
  const key =
    value.textContent === low.textContent
      ? "range.or_up_to"
      : value.textContent === high.textContent
        ? "range.or_down_to"
        : "range.between";
  const [before, after] = words[key].split("{value}");
  const nodes = [];
  for (const piece of after.split(/(\{low\}|\{high\})/)) {
    if (piece === "{low}") nodes.push(low);
    else if (piece === "{high}") nodes.push(high);
    else if (piece) nodes.push(piece);
  }
  for (const end of [low, high]) {
    end.hidden = !nodes.includes(end); // kept in the cell: the next answer fills it again
    if (end.hidden) nodes.push(end);
  }
  ends.replaceChildren(...nodes);
  ends.hidden = low.textContent === high.textContent || value.dataset.value === "";
  cell.replaceChildren(...(before ? [before] : []), value, ends);
}

/** One card's memory as a stacked bar (the parts, each 1/n of its total) against the card's
 *  memory, marked by a line; its text alternative names every part. */
function bar(root, r, labels, f, words) {
  const el = root.querySelector(".calc-bar");
  const cap = r.gpu_memory_bytes;
  const scale = Math.max(r.per_gpu.value, cap);
  const parts = Object.entries(r.memory).map(([part, s]) => [part, s.value / r.gpus]);
  el.querySelector(".calc-bar__parts").replaceChildren(
    ...parts.map(([part, bytes]) => {
      const seg = document.createElement("span");
      seg.dataset.part = part;
      seg.style.width = `${(100 * bytes) / scale}%`;
      return seg;
    }),
  );
  el.querySelector(".calc-bar__limit").style.left = `${(100 * cap) / scale}%`;
  el.setAttribute("aria-label", fill(words["calc.bar_label"], {
    total: f.bytes(r.per_gpu.value),
    memory: f.bytes(cap),
    parts: parts.map(([part, bytes]) => fill(words["calc.bar_part"], { part: labels[part], bytes: f.bytes(bytes) })).join(", "),
  }));
}

/** The overall answer from the compute and memory verdicts (generator/results.py overall). */
function verdict(r) {
  if (r.compute_verdict === "unknown") return "unknown";
  const far = [["compute", r.compute_verdict], ["memory", r.memory_verdict]].filter(([, v]) => v === "far");
  if (far.length === 2) return "far_both";
  if (far.length) return `far_${far[0][0]}`;
  return r.compute_verdict === "enough" && r.memory_verdict === "enough" ? "enough" : "reach";
}

function link(s, suffix) {
  const li = document.createElement("li");
  const a = document.createElement("a");
  a.href = s.url;
  a.textContent = s.title;
  li.append(a, suffix);
  return li;
}

/** The catalog entries' sources, then those of the formats and figures the answer used. */
function sources(data, q, used) {
  const items = [];
  for (const entry of [lookup(data.gpus, q.gpu), lookup(data.models, q.model)]) {
    for (const s of entry ? entry.sources : []) items.push(link(s, ` (${local(entry.name)})`));
  }
  for (const s of used) items.push(link(s, ""));
  document.querySelector('[data-result="sources"]').replaceChildren(...items);
}
