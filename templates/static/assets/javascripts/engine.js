// The comparison engine of gpu-year in the browser: a port of generator/results.py `compare`
// (and the formulas of generator/calc.py it uses), reading calculator.json. The Python engine
// writes test vectors; the browser tests replay them here and fail on any relative difference
// above 1e-9, so the calculator, the pages and the CLI cannot disagree.

const PRECISIONS = ["fp32", "tf32", "fp16", "bf16", "fp8"];
const TRAINING_PRECISIONS = ["bf16", "fp16", "fp32"]; // ties go to the earlier one
const GIB = 2 ** 30;
const DAY = 86400;

/** The fastest of BF16, FP16 and FP32 peaks (results.training_precision). */
export function trainingPrecision(peaks) {
  const have = TRAINING_PRECISIONS.filter((p) => peaks[p]);
  if (!have.length) return PRECISIONS.find((p) => peaks[p]);
  return have.reduce((best, p) => (peaks[p] > peaks[best] ? p : best));
}

/** The realistic rate's precision (results.realistic_precision): FP8 when asked for and the card
 *  has FP8 units, else the training precision. */
export function realisticPrecision(peaks, asked) {
  return asked === "fp8" && peaks.fp8 ? "fp8" : trainingPrecision(peaks);
}

/** Low and high MFU of a run of `parameters` (results.mfu_band): the band published runs of that
 *  size reach, none above the best run's; the scenario's range where no prior was fitted. */
export function mfuBand(s, parameters) {
  const p = s.mfu_prior;
  if (!p) return [s.mfu_low, s.mfu_high];
  const v = Math.exp(p.intercept + p.slope * Math.log10(parameters / 1e9));
  return [Math.min(v * p.low, p.top), Math.min(v * p.high, p.top)];
}

/** Whole cards that deliver `need` at `perCard` each (results.cards: 12 significant digits). */
export function cards(need, perCard) {
  return Math.max(1, Math.ceil(Number((need / perCard).toPrecision(12))));
}

function verdict(need, one, reach) {
  if (need <= one) return "enough";
  return need <= reach * one ? "reach" : "far";
}

function memoryVerdict(minGpus, gpus, reach) {
  if (minGpus <= gpus) return "enough";
  return minGpus <= reach ? "reach" : "far";
}

/** A custom GPU: one dense peak and its memory (generator/custom.py custom_gpu). */
export function customGpu({ tflops, precision, memory_gib, power_w = null }) {
  return {
    id: "custom",
    memory_gib,
    board_power_w: power_w,
    peaks: { [precision]: tflops },
    cloud_usd_per_hour: null,
  };
}

/** A custom model: parameters and tokens (6·N·D) or FLOPs (generator/custom.py custom_model). */
export function customModel(scenario, { params, active_params = null, tokens = null, flops = null }) {
  const n = active_params || params;
  const compute =
    flops != null
      ? { flops, low: flops, high: flops, method: "estimated", by: "given on the command line" }
      : { flops: 6 * n * tokens, low: 6 * n * tokens, high: 6 * n * tokens, method: "6ND", by: "6·N·D" };
  return {
    id: "custom",
    parameters: params,
    active_parameters: active_params,
    compute,
    memory: {
      state: params * scenario.bytes_per_param,
      state_lean: scenario.lean_bytes_per_param === null ? null : params * scenario.lean_bytes_per_param,
      activations: null,
      inference_fp16: params * scenario.fp16_bytes,
      kv_cache: null,
    },
  };
}

/** The entry with id `id` of a catalog table (calculator.json's gpus or models), or undefined:
 *  ids come from links, so never one of a plain object's inherited keys (`__proto__`). */
export function lookup(table, id) {
  return Object.hasOwn(table, id) ? table[id] : undefined;
}

/** The GPU and model of a question: catalog ids, or "custom" with their figures. */
export function entries(data, q) {
  const gpu =
    q.gpu === "custom" ? customGpu(q.custom_gpu) : { id: q.gpu, ...lookup(data.gpus, q.gpu) };
  const model =
    q.model === "custom"
      ? customModel(data.scenario, q.custom_model)
      : { id: q.model, ...lookup(data.models, q.model) };
  if (!gpu.peaks) throw new Error(`unknown GPU ${q.gpu}`);
  if (!model.memory) throw new Error(`unknown model ${q.model}`);
  return { gpu, model };
}

/** Everything `gpu-year compare --json` prints, for a question `q` (unset settings: the
 *  scenario's). Keys and values equal the Python engine's. */
export function compare(data, q) {
  const s = data.scenario;
  const { gpu, model } = entries(data, q);
  const pick = (k, d) => (q[k] === undefined || q[k] === null ? d : q[k]);
  const duty = pick("utilization", s.utilization);
  const precision = pick("precision", s.precision);
  const years = pick("years", s.years);
  const n = pick("gpus", 1);
  const mfu = pick("mfu", s.mfu);
  const priceKwh = pick("price_kwh", s.price_kwh);
  if (!(duty > 0 && duty <= 1)) throw new Error(`utilization must be in (0, 1], got ${duty}`);
  if (!gpu.peaks[precision]) throw new Error(`no ${precision} peak`);

  const duration = years * s.year_days * DAY;
  const year = 1 * s.year_days * DAY;
  const peak = gpu.peaks[precision] * 1e12;
  const budget = n * (peak * duty * duration);
  const perYear = peak * duty * year;
  const c = model.compute;
  const realP = realisticPrecision(gpu.peaks, precision);
  const band = mfuBand(s, model.active_parameters || model.parameters);
  const share = mfu * duty;
  const peakTrain = gpu.peaks[realP] * 1e12;
  const sustained = peakTrain * share;
  const mem = model.memory;
  const training = mem.state + (mem.activations || 0);
  const gpuBytes = gpu.memory_gib * GIB;
  const realYears = c ? c.flops / (sustained * year) : null;
  const rate = pick("cloud_rate", gpu.cloud_usd_per_hour);
  let busy = null, runKwh = null;
  if (realYears !== null) {
    busy = realYears * s.year_days * 24 * duty;
    runKwh = gpu.board_power_w ? (gpu.board_power_w * (busy * 3600) * 1) / 3.6e6 : null;
  }
  const kwh = gpu.board_power_w ? n * ((gpu.board_power_w * duration * duty) / 3.6e6) : null;
  const minGpus = cards(training, gpuBytes);
  const orNull = (v) => (c ? v() : null);
  return {
    gpu: gpu.id,
    model: model.id,
    precision,
    utilization: duty,
    years,
    gpus: n,
    duration_s: duration,
    peak_flops: peak,
    budget_flops: budget,
    training_flops: orNull(() => c.flops),
    training_flops_low: orNull(() => c.low),
    training_flops_high: orNull(() => c.high),
    training_flops_method: c ? c.method : "unknown",
    training_flops_by: c ? c.by : "",
    ratio: orNull(() => budget / c.flops),
    ratio_low: orNull(() => budget / c.high),
    ratio_high: orNull(() => budget / c.low),
    shortfall: orNull(() => c.flops / budget),
    gpu_years_needed: orNull(() => c.flops / perYear),
    gpu_years_needed_low: orNull(() => c.low / perYear),
    gpu_years_needed_high: orNull(() => c.high / perYear),
    years_with_gpus: orNull(() => c.flops / perYear / n),
    realistic_precision: realP,
    realistic_mfu: mfu,
    realistic_mfu_low: band[0],
    realistic_mfu_high: band[1],
    realistic_share: share,
    realistic_gpu_years_needed: realYears,
    realistic_gpu_years_needed_low: orNull(() => c.low / (sustained * year)),
    realistic_gpu_years_needed_high: orNull(() => c.high / (sustained * year)),
    realistic_years_with_gpus: orNull(() => realYears / n),
    realistic_years_by_mfu: orNull(() => ({
      low: c.flops / (peakTrain * (band[0] * duty) * year),
      high: c.flops / (peakTrain * (band[1] * duty) * year),
    })),
    gpus_needed: orNull(() =>
      Object.fromEntries(
        s.target_days.map((d) => [
          String(d),
          Math.max(1, Math.ceil(c.flops / (sustained * d * DAY))),
        ]),
      ),
    ),
    compute_verdict: c ? verdict(c.flops, budget, s.reach) : "unknown",
    cards_for_compute: orNull(() => cards(c.flops, budget / n)),
    training_memory_bytes: training,
    training_memory_low_bytes: mem.state_lean === null ? null : mem.state_lean + (mem.activations || 0),
    training_state_bytes: mem.state,
    activation_bytes: mem.activations,
    training_memory_per_gpu_bytes: training / n,
    inference_memory_bytes: mem.inference_fp16 + (mem.kv_cache || 0),
    kv_cache_bytes: mem.kv_cache,
    gpu_memory_bytes: gpuBytes,
    min_gpus_for_memory: minGpus,
    memory_verdict: memoryVerdict(minGpus, n, s.reach),
    fits_training: training / n <= gpuBytes,
    fits_inference: mem.inference_fp16 + (mem.kv_cache || 0) <= n * gpuBytes,
    energy_kwh: kwh,
    electricity_cost: kwh ? kwh * priceKwh : null,
    electricity_price_kwh: priceKwh,
    electricity_currency: s.currency,
    run_gpu_hours: busy,
    run_energy_kwh: runKwh,
    run_electricity_cost: runKwh !== null ? runKwh * priceKwh : null,
    cloud_rate_usd: rate,
    cloud_cost_usd: busy !== null && rate ? busy * rate : null,
  };
}

// ---------------------------------------------------------------- fine-tuning and running
// Ports of generator/local.py `finetune` and `infer` with the CLI's `cards_needed`: the answers
// equal `gpu-year finetune --json` and `gpu-year infer --json`. calculator.json holds every term
// that depends only on the model, a format or the GPU; what is left here is the arithmetic of
// one question, in local.py's order of operations.

const FINETUNE_DEFAULTS = {
  method: "qlora", rank: 16, targets: "all", seq: 2048, batch: 1, gpus: 1, optimizer: "adam",
  sharding: "sharded", checkpointing: true,
};
const RUN_DEFAULTS = { quant: "q4_k_m", context: null, batch: 1, kv_cache: "fp16", gpus: 1 };
const GB = 1e9;
const TERA = 1e12;

const span = (x) => ({ value: x, low: x, high: x });
const times = (s, k) => ({ value: s.value * k, low: s.low * k, high: s.high * k });

/** The speed model of local.infer on one GPU's coefficients (calculator.py speed_coefficients):
 *  tokens/s of decoding (per sequence and for the batch) and of prefill, each {value, low, high}.
 *  `read`: active weight bytes a step reads {value, low, high}; `kvSeq`: KV-cache bytes of one
 *  sequence; `active`: parameters that work per token. */
export function runSpeed(c, read, kvSeq, active, batch) {
  const f = c.flops_per_s;
  const step = (bytes) =>
    1 /
    Math.max(
      (bytes + batch * kvSeq) / c.read_bytes_per_s + c.token_cost_s,
      f ? (2 * active * batch) / f : 0,
    );
  const [lo, hi] = c.decode_ratio;
  const decode = { value: step(read.value), low: step(read.high) * lo, high: step(read.low) * hi };
  const speed = { decode, decode_total: times(decode, batch) };
  if (f) {
    const pre = f / (2 * active);
    speed.prefill = { value: pre, low: pre * c.prefill_ratio[0], high: pre * c.prefill_ratio[1] };
  }
  return speed;
}

/** speed_coefficients of a GPU of one's own (a discrete card): `bandwidth_gbs` GB/s and
 *  `tflops` 16-bit TFLOPS at the discrete class's terms (calculator.json local.custom_speed). */
export function customSpeed(k, bandwidth_gbs, tflops) {
  const bandwidth = (bandwidth_gbs || 1) * GB; // custom.py: 1 GB/s stands in when not given
  const peak = tflops * TERA;
  return {
    ...k,
    read_bytes_per_s: bandwidth * k.read_bytes_per_s,
    flops_per_s: peak ? peak * k.flops_per_s : null,
  };
}

/** Each source once, in order of first mention (local.py _sources). */
function uniqueSources(...lists) {
  const seen = new Map();
  for (const s of lists.flat()) if (!seen.has(s.url)) seen.set(s.url, s);
  return [...seen.values()];
}

/** The GPU of a fine-tune or run question: catalog id, or "custom" with its figures (its peak
 *  counts at `precision`, as the CLI reads --tflops). */
function localGpu(data, q, precision) {
  if (q.gpu === "custom") {
    const c = q.custom_gpu;
    const speed = customSpeed(data.local.custom_speed, c.bandwidth_gbs, c.tflops);
    const gpu = customGpu({ tflops: c.tflops, precision, memory_gib: c.memory_gib, power_w: c.power_w ?? null });
    return { ...gpu, speed };
  }
  return catalogGpu(data, q.gpu);
}

function catalogGpu(data, id) {
  const gpu = lookup(data.gpus, id);
  if (!gpu) throw new Error(`unknown GPU ${id}`);
  return { id, ...gpu };
}

function localModel(data, q) {
  const model = lookup(data.models, q.model);
  if (!model) throw new Error(`unknown model ${q.model}`);
  return { id: q.model, ...model };
}

/** The question's settings: the CLI's defaults where `q` leaves one unset. */
function settingsOf(defaults, q) {
  const o = { ...defaults };
  for (const k of Object.keys(o)) if (q[k] !== undefined && q[k] !== null) o[k] = q[k];
  return o;
}

/** Sum the parts (all cards together; null: unknown) into a plan as local.py _plan does. */
function plan(gpu, model, n, memory, settings, sources, extra) {
  const unknown = Object.keys(memory).filter((k) => memory[k] === null);
  const known = Object.fromEntries(Object.entries(memory).filter(([, v]) => v !== null));
  const total = { value: 0, low: 0, high: 0 };
  for (const s of Object.values(known)) {
    total.value += s.value;
    total.low += s.low;
    total.high += s.high;
  }
  const perGpu = { value: total.value / n, low: total.low / n, high: total.high / n };
  const cap = gpu.memory_gib * GIB;
  const speed = extra.speed || {};
  const out = {
    gpu: gpu.id,
    model: model.id,
    gpus: n,
    gpu_memory_bytes: cap,
    memory: known,
    total,
    per_gpu: perGpu,
    fits: perGpu.value <= cap,
    complete: !unknown.length,
    unknown,
    settings,
    speed,
    warnings: extra.warnings,
    sources,
    memory_bytes: total.value,
    memory_bytes_low: total.low,
    memory_bytes_high: total.high,
    per_gpu_bytes: perGpu.value,
  };
  for (const [k, s] of Object.entries(speed)) {
    out[`${k}_tokens_per_s`] = s.value;
    out[`${k}_tokens_per_s_low`] = s.low;
    out[`${k}_tokens_per_s_high`] = s.high;
  }
  return out;
}

/** Fewest cards (1 … limit) on which `fits(n)`; null beyond (local.py cards_needed). */
export function cardsNeeded(fits, limit) {
  let lo = 1;
  if (fits(lo)) return 1;
  let hi = 2;
  while (hi <= limit && !fits(hi)) [lo, hi] = [hi, hi * 2];
  if (hi > limit) {
    if (!fits(limit)) return null;
    hi = limit;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The plan of settings `o` on the question's GPU; `changes` as fits.py's builders take them
 *  (`gpu`: another catalog card's id). */
function builder(data, gpu, o, planFor) {
  return (changes = {}) => {
    const { gpu: other, ...rest } = changes;
    return planFor(other ? catalogGpu(data, other) : gpu, { ...o, ...rest });
  };
}

/** The fine-tuning plan of settings `o` (every one given) for `model` on `o.gpus` × `gpu`. */
function finetunePlan(data, gpu, model, o) {
  const loc = data.local;
  const ft = loc.finetune;
  const s = model.shape;
  const p = model.parameters;
  const gpus = o.gpus;
  const copies = o.sharding === "sharded" ? 1 : gpus;
  let adapter = null;
  const mem = {};
  if (o.method === "full") {
    const opt = o.optimizer === "adam" ? ft.adam_bytes : ft.adam_8bit_bytes;
    mem.weights = span(p * ft.weight_bytes * copies);
    mem.gradients = span(p * ft.gradient_bytes * copies);
    mem.optimizer = span(p * opt * copies);
  } else {
    const bits = o.method === "lora" ? 8 * ft.weight_bytes : ft.nf4_bits;
    mem.weights = span(((p * bits) / 8) * copies);
    if (s.lora_per_layer_rank) {
      adapter = s.layers * o.rank * s.lora_per_layer_rank[o.targets];
      mem.adapters = span(adapter * ft.adapter_bytes * copies);
    } else mem.adapters = null;
  }
  if (s.layers && s.d_model) {
    const sbh = o.seq * o.batch * s.d_model;
    const kept = o.checkpointing ? s.layers * 2 * sbh + 34 * sbh : s.layers * 34 * sbh;
    const acts = kept + (s.vocab ? ft.logits_bytes * o.seq * o.batch * s.vocab : 0);
    mem.activations = span(acts * gpus);
  } else mem.activations = null;
  mem.overhead = times(loc.overhead, gpus);
  const warnings = [];
  if (s.context && o.seq > s.context) warnings.push("seq_beyond_context");
  if (!model.open_weights) warnings.push("closed_weights");
  const settings = {
    method: o.method, rank: o.rank, seq: o.seq, batch: o.batch, optimizer: o.optimizer,
    sharding: o.sharding, checkpointing: o.checkpointing, targets: o.targets,
    adapter_parameters: adapter, model_context: s.context,
  };
  const sources = uniqueSources(ft.sources, loc.overhead_sources);
  return plan(gpu, model, gpus, mem, settings, sources, { warnings });
}

/** Everything `gpu-year finetune --json` prints, for a question `q` (unset: the CLI defaults). */
export function finetune(data, q) {
  const o = settingsOf(FINETUNE_DEFAULTS, q);
  const gpu = localGpu(data, q, "bf16");
  const model = localModel(data, q);
  const build = builder(data, gpu, o, (g, oo) => finetunePlan(data, g, model, oo));
  const p = build();
  const longest = maxLength(build, p, "activations", "seq");
  const kind = o.method === "full" && o.optimizer === "adam8bit" ? "full8" : o.method;
  const cards = o.sharding === "sharded" ? o.gpus : 1;
  const room = gpu.memory_gib * GIB - data.local.overhead_bytes;
  return {
    ...p,
    cards_needed: cardsOf(data, build, p),
    max_rank: "adapters" in p.memory ? largestInt((r) => build({ rank: r }).fits, 1, MAX_RANK) : null,
    max_seq: longest,
    largest_model_parameters: (cards * Math.max(0, room)) / data.local.largest_bytes_per_param[kind],
    ...tuneRun(data, gpu, model, p, q),
    fixes: finetuneFixes(data, build, p, q.gpu === "custom", longest),
  };
}

/** Key/value cache bytes of `batch` sequences of `context` tokens (calc.py kv_cache_bytes). */
function kvCacheBytes(s, context, batch, bytesPerValue) {
  const local = s.window ? (s.local_layers == null ? s.layers : s.local_layers) : 0;
  const tokens = (s.layers - local) * context + local * Math.min(context, s.window || context);
  return tokens * s.kv_values * batch * bytesPerValue;
}

/** The plan of running `model` at settings `o` (every one given) on `o.gpus` × `gpu`. */
function inferPlan(data, gpu, model, o) {
  const loc = data.local;
  const fmt = lookup(loc.weight_formats, o.quant);
  const kvf = lookup(loc.kv_formats, o.kv_cache);
  if (!fmt) throw new Error(`unknown weight format ${o.quant}`);
  if (!kvf) throw new Error(`unknown KV-cache format ${o.kv_cache}`);
  const s = model.shape;
  const context = o.context || s.context || 4096;
  const b = (model.bits_per_weight || {})[o.quant] || fmt.bits_per_weight; // a tensor mix: the model's
  const bytes = (n) => ({ value: (n * b.value) / 8, low: (n * b.low) / 8, high: (n * b.high) / 8 });
  const kvTotal =
    s.layers && s.kv_values ? kvCacheBytes(s, context, o.batch, kvf.bits_per_value / 8) : null;
  const active = model.active_parameters || model.parameters;
  const speed = runSpeed(gpu.speed, bytes(active), (kvTotal || 0) / o.batch, active, o.batch);
  const warnings = [];
  if (s.context && context > s.context) warnings.push("context_beyond_model");
  if (!model.open_weights) warnings.push("closed_weights");
  const settings = {
    quant: o.quant, context, batch: o.batch, kv_cache: o.kv_cache, bits_per_weight: b.value,
    device_class: gpu.device_class || "discrete", model_context: s.context, window: s.window, local_layers: s.local_layers, split: "layers",
  };
  const sources = uniqueSources(fmt.sources, kvf.sources, loc.overhead_sources, loc.measurement_sources);
  const mem = {
    weights: bytes(model.parameters),
    kv_cache: kvTotal !== null ? span(kvTotal) : null,
    overhead: times(loc.overhead, o.gpus),
  };
  return plan(gpu, model, o.gpus, mem, settings, sources, { speed, warnings });
}

/** Everything `gpu-year infer --json` prints, for a question `q` (unset: the CLI defaults). */
export function infer(data, q) {
  const o = settingsOf(RUN_DEFAULTS, q);
  const gpu = localGpu(data, q, "fp16");
  const model = localModel(data, q);
  const build = builder(data, gpu, o, (g, oo) => inferPlan(data, g, model, oo));
  const p = build();
  const longest = maxLength(build, p, "kv_cache", "context");
  const formats = Object.entries(data.local.weight_formats).sort(
    ([, a], [, b]) => b.bits_per_weight.value - a.bits_per_weight.value,
  );
  return {
    ...p,
    cards_needed: cardsOf(data, build, p),
    max_context_tokens: longest,
    best_quant: formats.find(([id]) => build({ quant: id }).fits)?.[0] ?? null,
    fixes: inferFixes(data, build, p, q.gpu === "custom", longest),
  };
}

function cardsOf(data, build, p) {
  return p.fits ? p.gpus : cardsNeeded((k) => build({ gpus: k }).fits, data.local.max_cards);
}

// ---------------------------------------------------------------- what fits (fits.py)

const MAX_CONTEXT = 10000000; // the CLI's bound on --context and --seq
const MAX_RANK = 4096; // the CLI's bound on --rank
const SHORT_CONTEXT = 4096; // a format with a shorter longest context is no answer to "run it"

/** The largest n in [lo, hi] with `fits(n)` (fits holds up to some n); null when lo does not. */
export function largestInt(fits, lo, hi) {
  if (!fits(lo)) return null;
  if (fits(hi)) return hi;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The longest `name` (context or seq) that fits, at most the model's context (fits.py
 *  max_context / max_seq); null when the `part` that grows with it is unknown. */
function maxLength(build, p, part, name) {
  if (!(part in p.memory)) return null;
  const cap = p.settings.model_context || MAX_CONTEXT;
  return largestInt((n) => build({ [name]: n }).fits, 1, cap);
}

/** The first candidate [change, options, changes] whose plan fits, as a fix. */
function first(build, candidates) {
  for (const [change, options, changes] of candidates) {
    const p = build(changes);
    if (p.fits) {
      const fix = { change, options, per_gpu_bytes: p.per_gpu.value };
      if (changes.gpu) fix.gpu = changes.gpu;
      return { ...fix, fits: true };
    }
  }
  return null;
}

function shorter(name, option, asked, longest) {
  return longest === null || longest >= asked ? [] : [[name, [option, String(longest)], { [name]: longest }]];
}

function smallerBatch(build, asked) {
  const n = asked > 1 ? largestInt((b) => build({ batch: b }).fits, 1, asked - 1) : null;
  return n === null ? [] : [["batch", ["--batch", String(n)], { batch: n }]];
}

/** More cards of the kind, then the smallest catalog card with more memory (fits.py _hardware). */
function hardware(data, build, p, custom) {
  const fixes = [];
  const n = cardsNeeded((k) => build({ gpus: k }).fits, data.local.max_cards);
  if (n && n > p.gpus) fixes.push({ change: "gpus", options: ["--gpus", String(n)], per_gpu_bytes: build({ gpus: n }).per_gpu.value, fits: true });
  if (!custom) {
    const cap = p.gpu_memory_bytes / GIB;
    const bigger = Object.entries(data.gpus)
      .filter(([, g]) => g.memory_gib > cap)
      .sort(([, a], [, b]) => a.memory_gib - b.memory_gib);
    const card = first(build, bigger.map(([id]) => ["gpu", [], { gpu: id }]));
    if (card) fixes.push(card);
  }
  return fixes;
}

const below = (table, key, than) =>
  Object.entries(table)
    .filter(([, f]) => key(f) < than)
    .sort(([, a], [, b]) => key(b) - key(a))
    .map(([id]) => id);

/** Changes that make a run fit, least change first (fits.py infer_fixes). */
function inferFixes(data, build, p, custom, longest) {
  if (p.fits) return [];
  const s = p.settings;
  const loc = data.local;
  const kvBits = (f) => f.bits_per_value;
  const wBits = (f) => f.bits_per_weight.value;
  const kv = below(loc.kv_formats, kvBits, kvBits(loc.kv_formats[s.kv_cache]));
  const quants = below(loc.weight_formats, wBits, wBits(loc.weight_formats[s.quant]));
  const steps = [
    smallerBatch(build, s.batch),
    kv.map((id) => ["kv_cache", ["--kv-cache", id], { kv_cache: id }]),
    quants.map((id) => ["quant", ["--quant", id], { quant: id }]),
    shorter("context", "--context", s.context, longest),
  ];
  const fixes = steps.map((step) => first(build, step)).filter(Boolean);
  if (!fixes.some((f) => f.change === "quant" || f.change === "context") && "kv_cache" in p.memory) {
    const want = Math.min(s.context, SHORT_CONTEXT);
    for (const id of quants) {
      const n = largestInt((c) => build({ quant: id, context: c }).fits, 1, s.context);
      if (n !== null && n >= want) {
        const per = build({ quant: id, context: n }).per_gpu.value;
        fixes.push({ change: "quant_context", options: ["--quant", id, "--context", String(n)], per_gpu_bytes: per, fits: true });
        break;
      }
    }
  }
  return [...fixes, ...hardware(data, build, p, custom)];
}

/** Changes that make fine-tuning fit, least change first (fits.py finetune_fixes). */
function finetuneFixes(data, build, p, custom, longest) {
  if (p.fits) return [];
  const s = p.settings;
  const steps = [smallerBatch(build, s.batch)];
  if (!s.checkpointing) steps.push([["checkpointing", ["--checkpointing"], { checkpointing: true }]]);
  if (s.sharding === "replicated" && p.gpus > 1) steps.push([["sharding", ["--sharding", "sharded"], { sharding: "sharded" }]]);
  if (s.method === "full" && s.optimizer === "adam") steps.push([["optimizer", ["--optimizer", "adam8bit"], { optimizer: "adam8bit" }]]);
  const lighter = { full: ["lora", "qlora"], lora: ["qlora"], qlora: [] }[s.method];
  for (const m of lighter) steps.push([["method", ["--method", m], { method: m }]]);
  steps.push(shorter("seq", "--seq", s.seq, longest));
  const fixes = steps.map((step) => first(build, step)).filter(Boolean);
  return [...fixes, ...hardware(data, build, p, custom)];
}

// ---------------------------------------------------------------- fine-tuning time (tuning.py)

const TUNE_FIELDS = [
  "tokens", "finetune_flops", "training_precision", "realistic_share", "time_s", "gpu_hours",
  "energy_kwh", "electricity_cost", "electricity_price_kwh", "electricity_currency",
  "cloud_rate_usd", "cloud_cost_usd",
];
const DEQUANT_FLOP = 1; // per weight and pass: scale the NF4 code by its block's constant

/** Model FLOPs of fine-tuning over `tokens` (tuning.py finetune_flops). */
function finetuneFlops(method, parameters, active, adapters, tokens, tokensPerStep, passes) {
  if (method === "full") return 6 * active * tokens;
  let flops = 4 * active * tokens + 6 * adapters * tokens;
  if (method === "qlora") flops += (DEQUANT_FLOP * parameters * passes * tokens) / tokensPerStep;
  return flops;
}

/** Time, energy and cost of fine-tuning over `q.tokens` tokens (tuning.py tune_run); every
 *  field null without tokens. */
function tuneRun(data, gpu, model, p, q) {
  if (!q.tokens) return Object.fromEntries(TUNE_FIELDS.map((k) => [k, null]));
  const sc = data.scenario;
  const s = p.settings;
  const duty = q.utilization ?? sc.utilization;
  const mfu = q.mfu ?? sc.mfu;
  const priceKwh = q.price_kwh ?? sc.price_kwh;
  const flops = finetuneFlops(
    s.method, model.parameters, model.active_parameters || model.parameters,
    s.adapter_parameters || 0, q.tokens, s.seq * s.batch, s.checkpointing ? 3 : 2,
  );
  const precision = trainingPrecision(gpu.peaks);
  const peak = gpu.peaks[precision] * TERA;
  const year = 1 * sc.year_days * DAY;
  const cardSeconds = (m) => flops / (peak * (m * duty));
  const [slow, fast] = [Math.min(mfu, sc.mfu_low), Math.max(mfu, sc.mfu_high)];
  const n = p.gpus;
  const rate = q.cloud_rate ?? gpu.cloud_usd_per_hour;
  const busy = (cardSeconds(mfu) / year) * sc.year_days * 24 * duty;
  const kwh = gpu.board_power_w ? (gpu.board_power_w * (busy * 3600) * 1) / 3.6e6 : null;
  return {
    tokens: q.tokens,
    finetune_flops: flops,
    training_precision: precision,
    realistic_share: mfu * duty,
    time_s: { value: cardSeconds(mfu) / n, low: cardSeconds(fast) / n, high: cardSeconds(slow) / n },
    gpu_hours: busy || 0,
    energy_kwh: kwh,
    electricity_cost: kwh !== null ? kwh * priceKwh : null,
    electricity_price_kwh: priceKwh,
    electricity_currency: sc.currency,
    cloud_rate_usd: rate,
    cloud_cost_usd: rate ? busy * rate : null,
  };
}

/** The answer to a question of any mode: train (`compare`), finetune or run. */
export function answer(data, q) {
  if (q.mode === "finetune") return finetune(data, q);
  if (q.mode === "run") return infer(data, q);
  return compare(data, q);
}
