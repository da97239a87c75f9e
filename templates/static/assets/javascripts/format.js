// Numbers for the page's language, equal to generator/i18n.py's L10n (a browser test compares
// them on hundreds of values). Rounding works on the shortest decimal form of a number, as
// Python's Decimal(repr(x)) does, so 2.675 rounds to 2.68 in both.

const NBSP = "\u00a0";
const SCIENTIFIC_FROM = 1e15; // i18n.py: no words beyond trillion, and integer digits turn to noise
const SUPERSCRIPT = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
const UNITS = {
  en: { years: "years", year: "year", days: "days", day: "day", hours: "hours", one_year: "one year",
        parameters: "parameters", tokens: "tokens" },
  de: { years: "Jahre", year: "Jahr", days: "Tage", day: "Tag", hours: "Stunden", one_year: "ein Jahr",
        parameters: "Parameter", tokens: "Tokens" },
};

/** [digits, exponent] of |x| rounded half away from zero to `sig` significant digits:
 *  the value is digits × 10^(exponent − sig + 1). */
function roundSig(x, sig) {
  const [mantissa, exp] = Math.abs(x).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  let e = Number(exp);
  let kept = digits.slice(0, sig).padEnd(sig, "0");
  if (digits.length > sig && digits[sig] >= "5") {
    kept = String(BigInt(kept) + 1n);
    if (kept.length > sig) { kept = kept.slice(0, sig); e += 1; }
  }
  return [kept, e];
}

/** x rounded to `sig` significant digits, as a Number. */
export function round(x, sig) {
  if (x === 0) return 0;
  const [kept, e] = roundSig(x, sig);
  return Math.sign(x) * Number(`${kept[0]}.${kept.slice(1)}e${e}`);
}

export class Format {
  constructor(lang) {
    this.lang = lang;
    this.locale = lang === "de" ? "de-DE" : "en-US";
    this.cache = new Map();
  }

  nf(options) {
    const key = JSON.stringify(options);
    if (!this.cache.has(key)) this.cache.set(key, new Intl.NumberFormat(this.locale, options));
    return this.cache.get(key);
  }

  /** 1.14 × 10²¹ */
  sci(x, sig = 3) {
    if (x === 0) return "0";
    const [kept, e] = roundSig(x, sig);
    const mantissa = Math.sign(x) * Number(`${kept[0]}.${kept.slice(1)}`);
    const m = this.nf({ minimumFractionDigits: sig - 1, maximumFractionDigits: sig - 1, useGrouping: false })
      .format(mantissa);
    const sup = String(e).split("").map((c) => SUPERSCRIPT[c]).join("");
    return `${m}${NBSP}×${NBSP}10${sup}`;
  }

  /** A number to `sig` significant digits with grouping (trailing zeros dropped). */
  num(x, sig = 3) {
    if (x === 0) return "0";
    if (Math.abs(x) >= SCIENTIFIC_FROM) return this.sci(x, sig);
    const r = round(x, sig);
    const [, e] = roundSig(x, sig);
    const decimals = Math.max(0, sig - 1 - e);
    return this.nf({ maximumFractionDigits: decimals, minimumFractionDigits: 0 }).format(r);
  }

  value(x, sig = 3) {
    return x === 0 || (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6) ? this.num(x, sig) : this.sci(x, sig);
  }

  /** Exact and grouped; scientific from 10¹⁵. */
  integer(n) {
    if (Math.abs(n) >= SCIENTIFIC_FROM) return this.sci(n);
    return this.nf({ maximumFractionDigits: 0 }).format(n + 0); // + 0: −0 is 0
  }

  /** Whole from 100 %, one decimal from 1 %, two significant digits below. */
  pct(x) {
    const v = x * 100;
    let decimals;
    if (v >= 100 || v === 0) decimals = 0;
    else if (v >= 1) decimals = 1;
    else decimals = Math.min(6, 1 - Math.floor(Math.log10(v)));
    const r = roundDecimals(v, decimals);
    const fixed = r % 1 !== 0 ? decimals : 0; // Python keeps the decimals unless the value is whole
    const shown = this.nf({ maximumFractionDigits: fixed, minimumFractionDigits: fixed, useGrouping: false })
      .format(r);
    return this.lang === "de" ? `${shown}${NBSP}%` : `${shown}%`;
  }

  bytes(x) {
    for (const [unit, size] of [["PiB", 2 ** 50], ["TiB", 2 ** 40], ["GiB", 2 ** 30], ["MiB", 2 ** 20]]) {
      if (Math.abs(x) >= size || unit === "MiB") return `${this.num(x / size)}${NBSP}${unit}`;
    }
    return "";
  }

  flops(x) {
    return `${this.sci(x)}${NBSP}FLOP`;
  }

  tflops(x) {
    return `${this.num(x / 1e12)}${NBSP}TFLOPS`;
  }

  years(x) {
    const u = UNITS[this.lang];
    if (x >= 1 || x === 0) return `${this.value(x)}${NBSP}${x !== 1 ? u.years : u.year}`;
    const days = x * 365;
    if (days >= 1) return `${this.num(days)}${NBSP}${days !== 1 ? u.days : u.day}`;
    return `${this.num(days * 24)}${NBSP}${u.hours}`;
  }

  duration(years) {
    return years === 1 ? UNITS[this.lang].one_year : this.years(years);
  }

  /** Large counts in words: 175 billion / 175 Mrd. */
  count(x, noun = null) {
    let s;
    if (Math.abs(x) >= SCIENTIFIC_FROM) s = this.sci(x);
    else if (Math.abs(x) < 1e6) s = this.num(x);
    else {
      const r = round(x, 3);
      const [, e] = roundSig(x, 3);
      const display = this.lang === "en" || Math.abs(x) >= 1e12 ? "long" : "short";
      s = this.nf({ notation: "compact", compactDisplay: display, maximumFractionDigits: 3 - ((e % 3) + 1) })
        .format(r);
    }
    return noun ? `${s} ${UNITS[this.lang][noun]}` : s;
  }

  /** Money: cents below 100, three significant digits above, words from a million, scientific
   *  where the words end. */
  money(x, currency) {
    if (Math.abs(x) >= SCIENTIFIC_FROM) {
      const symbol = this.nf({ style: "currency", currency }).formatToParts(1).find((p) => p.type === "currency").value;
      return this.lang === "en" ? `${symbol}${this.sci(x)}` : `${this.sci(x)}${NBSP}${symbol}`;
    }
    if (Math.abs(x) >= 1e6) {
      const r = round(x, 3);
      const [, e] = roundSig(x, 3);
      return this.nf({ style: "currency", currency, notation: "compact", maximumFractionDigits: Math.max(0, 2 - (e % 3)) })
        .format(r);
    }
    const v = Math.abs(x) >= 1000 ? round(x, 3) : x + 0; // + 0: −0 is 0
    const decimals = Math.abs(v) < 100 ? 2 : 0;
    return this.nf({ style: "currency", currency, minimumFractionDigits: decimals, maximumFractionDigits: decimals })
      .format(v);
  }
}

/** x rounded half away from zero to `decimals` decimals, on its shortest decimal form. */
function roundDecimals(x, decimals) {
  if (x === 0) return 0;
  const [, e] = Math.abs(x).toExponential().split("e").map(Number);
  const sig = Math.max(1, e + 1 + decimals);
  return e + 1 + decimals <= 0 ? 0 : round(x, sig);
}
