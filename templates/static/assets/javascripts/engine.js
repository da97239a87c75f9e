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
