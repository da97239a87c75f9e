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

/** The GPU of a fine-tune or run question: catalog id, or "custom" with its figures. */
function localGpu(data, q) {
  if (q.gpu === "custom") {
    const c = q.custom_gpu;
    const speed = customSpeed(data.local.custom_speed, c.bandwidth_gbs, c.tflops || 1);
    return { id: "custom", memory_gib: c.memory_gib, speed };
  }
  const gpu = lookup(data.gpus, q.gpu);
  if (!gpu) throw new Error(`unknown GPU ${q.gpu}`);
  return { id: q.gpu, ...gpu };
}

function localModel(data, q) {
  const model = lookup(data.models, q.model);
  if (!model) throw new Error(`unknown model ${q.model}`);
  return { id: q.model, ...model };
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

/** With the plan for the asked cards, the fewest that hold it (the CLI's --json). */
function withCards(build, n, limit) {
  const p = build(n);
  return { ...p, cards_needed: p.fits ? n : cardsNeeded((k) => build(k).fits, limit) };
}

/** Everything `gpu-year finetune --json` prints, for a question `q` (unset: the CLI defaults). */
export function finetune(data, q) {
  const o = { ...FINETUNE_DEFAULTS };
  for (const k of Object.keys(o)) if (q[k] !== undefined && q[k] !== null) o[k] = q[k];
  const loc = data.local;
  const ft = loc.finetune;
  const gpu = localGpu(data, q);
  const model = localModel(data, q);
  const s = model.shape;
  const p = model.parameters;
  const build = (gpus) => {
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
  };
  return withCards(build, o.gpus, loc.max_cards);
}

/** Key/value cache bytes of `batch` sequences of `context` tokens (calc.py kv_cache_bytes). */
function kvCacheBytes(s, context, batch, bytesPerValue) {
  const local = s.window ? (s.local_layers == null ? s.layers : s.local_layers) : 0;
  const tokens = (s.layers - local) * context + local * Math.min(context, s.window || context);
  return tokens * s.kv_values * batch * bytesPerValue;
}

/** Everything `gpu-year infer --json` prints, for a question `q` (unset: the CLI defaults). */
export function infer(data, q) {
  const o = { ...RUN_DEFAULTS };
  for (const k of Object.keys(o)) if (q[k] !== undefined && q[k] !== null) o[k] = q[k];
  const loc = data.local;
  const gpu = localGpu(data, q);
  const model = localModel(data, q);
  const fmt = lookup(loc.weight_formats, o.quant);
  const kvf = lookup(loc.kv_formats, o.kv_cache);
  if (!fmt) throw new Error(`unknown weight format ${o.quant}`);
  if (!kvf) throw new Error(`unknown KV-cache format ${o.kv_cache}`);
  const s = model.shape;
  const context = o.context || s.context || 4096;
  const b = (model.bits_per_weight || {})[o.quant] || fmt.bits_per_weight; // a tensor mix: the model's
  const bytes = (n) => ({ value: (n * b.value) / 8, low: (n * b.low) / 8, high: (n * b.high) / 8 });
  const weights = bytes(model.parameters);
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
  const build = (gpus) => {
    const mem = {
      weights,
      kv_cache: kvTotal !== null ? span(kvTotal) : null,
      overhead: times(loc.overhead, gpus),
    };
    return plan(gpu, model, gpus, mem, settings, sources, { speed, warnings });
  };
  return withCards(build, o.gpus, loc.max_cards);
}

/** The answer to a question of any mode: train (`compare`), finetune or run. */
export function answer(data, q) {
  if (q.mode === "finetune") return finetune(data, q);
  if (q.mode === "run") return infer(data, q);
  return compare(data, q);
}
