"""Markdown pages: what pages exist, the data each one shows, and rendering with Jinja2.

Each page is one template (``templates/pages/<name>.md.j2``) holding its structure: short words
come from the gettext catalogs (``_()``, ``t()``), long prose from ``templates/prose/<lang>/``.
Its context is plain JSON data shared by all languages, so a page's cache key is exactly its
data, its language and the template files it uses.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import posixpath
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from jinja2 import meta
from latex2mathml.converter import convert as latex_to_mathml
from markupsafe import Markup

from generator import calc, views
from generator.data import Catalog
from generator.i18n import LANGS, L10n, md_escape, round_sig
from generator.messages import CATALOGS, strings
from generator.results import PairResult, Results
from generator.schema import Gpu, GpuArchitecture, Model, Source, localize


@dataclass(frozen=True)
class PageSpec:
    """One page of the site: docs-relative path (without language suffix) and its view."""

    path: str
    view: views.PageView = field(hash=False)

    @property
    def template(self) -> str:
        return self.view.template

    @property
    def context(self) -> dict[str, Any]:
        return self.view.context()


# ---------------------------------------------------------------- data for templates

SEGMENTS = ("consumer", "workstation", "datacenter")


def gpu_groups(catalog: Catalog) -> list[dict[str, Any]]:
    """The GPU index's sections: makers (most entries first), each split by segment, newest
    card first: ``[{"vendor": "NVIDIA", "segments": [{"class": "consumer", "ids": […]}]}]``."""
    by_vendor: dict[str, list[Gpu]] = {}
    for g in catalog.gpus.values():
        by_vendor.setdefault(g.vendor, []).append(g)
    return [
        {
            "vendor": vendor,
            "segments": [
                {
                    "class": seg,
                    "ids": [
                        g.id
                        for g in sorted(members, key=lambda g: (g.release_date, g.id), reverse=True)
                        if g.class_ == seg
                    ],
                }
                for seg in SEGMENTS
                if any(g.class_ == seg for g in members)
            ],
        }
        for vendor, members in sorted(by_vendor.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]


def source_id(url: str) -> str:
    """Stable anchor of a source in the bibliography."""
    return "s-" + hashlib.sha256(url.encode()).hexdigest()[:8]


def _prefixed(sources: list[Source], prefix: str) -> list[Source]:
    """Sources whose fields are cited as ``<prefix>.<field>`` on a page merging several lists."""
    return [
        Source.model_construct(
            url=s.url, title=s.title, lang=s.lang, fields=[f"{prefix}.{f}" for f in s.fields]
        )
        for s in sources
    ]


def _sources(entry_sources: list[Source]) -> list[dict[str, Any]]:
    return [
        {
            "url": str(s.url),
            "title": s.title,
            "lang": s.lang,
            "fields": list(s.fields),
            "anchor": source_id(str(s.url)),
        }
        for s in entry_sources
    ]


def _citations(sources: list[dict[str, Any]]) -> dict[str, list[int]]:
    """Field path -> numbers (1-based) of the page's sources that support it, for every path."""
    out: dict[str, list[int]] = {}
    for n, s in enumerate(sources, start=1):
        for f in s["fields"]:
            out.setdefault(f, []).append(n)
    return out


def gpu_data(g: Gpu, arch: GpuArchitecture | None = None) -> dict[str, Any]:
    """A GPU for the templates; a derived GPU's peaks cite its architecture's sources (the
    per-unit rates) and the sources of its unit count and clock."""
    d = g.model_dump(mode="json", by_alias=True, exclude={"sources", "inference_tflops"})
    d["name"] = g.labels  # the display name; render_page picks the page's language
    cited = [(s, s.fields) for s in g.sources]
    cited += [(s, ["derivation"]) for s in (arch.sources if arch else [])]
    sources: dict[str, Source] = {}  # one number per document, with every field it backs
    for src, fields in cited:
        known = sources.get(str(src.url))
        sources[str(src.url)] = Source.model_construct(
            url=src.url,
            title=(known or src).title,
            lang=src.lang,
            fields=list(dict.fromkeys([*(known.fields if known else []), *fields])),
        )
    if arch is not None:
        d["arch"] = {
            "name": arch.name,
            "unit": arch.unit,
            "rates": arch.flop_per_clock.model_dump(exclude_none=True),
        }
    d["sources"] = _sources(list(sources.values()))
    d["cites"] = _citations(d["sources"])
    if arch is not None:  # the peaks are the derivation's result
        d["cites"]["peak_tflops"] = sorted(
            {n for f, ns in d["cites"].items() if f.startswith("derivation") for n in ns}
        )
    return d


def model_data(m: Model) -> dict[str, Any]:
    d = m.model_dump(mode="json", exclude={"sources"})
    d["name"] = m.labels
    d["sources"] = _sources(m.sources)
    d["cites"] = _citations(d["sources"])
    d["is_moe"] = m.is_moe
    return d


def build_pages(
    catalog: Catalog, results: Results, chart_sizes: dict[str, tuple[int, int]]
) -> list[PageSpec]:
    """Every page of the site with its data; ``chart_sizes`` maps chart paths to pixels."""
    s = catalog.scenario
    q = s.question
    scenario = s.model_dump(mode="json", exclude={"sources", "recipes"})
    scenario["recipes"] = [r.model_dump(mode="json", exclude={"sources"}) for r in s.recipes]
    # One numbered list for the scenario and its recipes; recipe fields cite as recipes.<id>.<field>
    merged = list(s.sources)
    for r in s.recipes:
        merged += _prefixed(r.sources, f"recipes.{r.id}")
    scenario["sources"] = _sources(merged)
    scenario["cites"] = _citations(scenario["sources"])
    gpus = {
        gid: gpu_data(g, g.derivation and catalog.architectures[g.derivation.architecture])
        for gid, g in catalog.gpus.items()
    }
    models = {mid: model_data(m) for mid, m in catalog.models.items()}
    names = {
        "gpus": {gid: g.labels for gid, g in catalog.gpus.items()},
        "models": {mid: m.labels for mid, m in catalog.models.items()},
    }
    gpu_results = {gid: asdict(r) for gid, r in results.gpus.items()}
    model_results = {mid: _model_result(r) for mid, r in results.models.items()}
    headline = results.headline.to_json()
    common = {
        "scenario": scenario,
        "headline": headline,
        "verdict": results.headline.verdict,
        "names": names,
        "chart_sizes": chart_sizes,
    }

    hub = results.local.hub
    pages = [
        PageSpec(
            "index.md",
            views.IndexView(
                **common,
                hub=hub,
                gpu=gpus[q.gpu],
                model=models[q.model],
                model_result=model_results[q.model],
            ),
        ),
        PageSpec(
            "method.md",
            views.MethodView(
                **common,
                run=results.local.method,
                mfu_prior=_mfu_prior(results),
                year_seconds=calc.seconds(1, s.year_days),
            ),
        ),
        PageSpec(
            "question.md",
            views.QuestionView(**common, **_question(catalog, results), model=models[q.model]),
        ),
        PageSpec(
            "gpus/index.md",
            views.GpusView(
                **common,
                gpus=gpus,
                groups=gpu_groups(catalog),
                years=sorted({g.release_date.year for g in catalog.gpus.values()}),
                results=gpu_results,
                headline_pairs={gid: row[q.model].to_json() for gid, row in results.pairs.items()},
            ),
        ),
        PageSpec(
            "models/index.md",
            views.ModelsView(
                **common,
                models=models,
                results=model_results,
                headline_pairs={mid: p.to_json() for mid, p in results.pairs[q.gpu].items()},
            ),
        ),
        PageSpec(
            "matrix.md",
            views.MatrixView(
                **common,
                # The table itself is matrix.json, filled in by matrix.js: the page's HTML
                # does not grow with GPUs × models.
                known_models=[mid for mid, r in results.models.items() if r.compute],
                heatmap=dict(zip(("gpus", "models"), results.heatmap, strict=True)),
                realistic_factor=1 / s.reference_mfu.value,
            ),
        ),
        PageSpec("instead.md", views.InsteadView(**common, **_instead(catalog, results))),
        PageSpec("run.md", views.RunView(**common, hub=hub)),
        PageSpec("sources.md", views.SourcesView(**common, bibliography=bibliography(catalog))),
        PageSpec(
            "calculator.md",
            views.CalculatorView(
                **common,
                calc_rows=_calc_rows(headline, s.target_days),
                formats=_calc_formats(catalog),
            ),
        ),
        PageSpec(
            "data.md", views.DataView(**common, counts={"gpus": len(gpus), "models": len(models)})
        ),
    ]
    # Bounded pages (issue 14): each GPU page shows a selection of models and each model page a
    # selection of GPUs, chosen once by results.page_selection; the matrix shows every pair.
    chosen = results.selection
    fastest = max(results.gpus, key=lambda gid: results.gpus[gid].best_year_flops)
    for gid, g in gpus.items():
        mids = chosen.models_for_gpu[gid]
        pages.append(
            PageSpec(
                f"gpus/{gid}.md",
                views.GpuView(
                    **common,
                    gpu=g,
                    result=gpu_results[gid],
                    pairs={m: results.pairs[gid][m].to_json() for m in mids},
                    summary=_years_summary(
                        {m: _best(results.pairs[gid][m]) for m in mids}, names["models"]
                    ),
                    models={mid: _model_brief(models[mid], model_results[mid]) for mid in mids},
                    shown={"n": len(mids), "of": len(models)},
                    run=results.local.gpus[gid],
                    # the page opens with the headline model on this card (it is in `pairs`)
                    answer={
                        "model": q.model,
                        "verdict": results.pairs[gid][q.model].verdict,
                    },
                ),
            )
        )
    for mid, m in models.items():
        gids = chosen.gpus_for_model[mid]
        pages.append(
            PageSpec(
                f"models/{mid}.md",
                views.ModelView(
                    **common,
                    model=m,
                    result=model_results[mid],
                    pairs={g: results.pairs[g][mid].to_json() for g in gids},
                    summary=_years_summary(
                        {g: _best(results.pairs[g][mid]) for g in gids}, names["gpus"]
                    ),
                    gpus={gid: _gpu_brief(gpus[gid], gpu_results[gid]) for gid in gids},
                    shown={"n": len(gids), "of": len(gpus)},
                    hardware_gpu=_hardware_gpu(catalog.models[mid], gpus),
                    run=results.local.models[mid],
                    # the page opens with this model on the headline card (it is in `pairs`),
                    # and on the catalog's fastest card
                    answer={
                        "gpu": q.gpu,
                        "verdict": results.pairs[q.gpu][mid].verdict,
                        "fastest": {
                            "id": fastest,
                            "name": names["gpus"][fastest],
                            **results.pairs[fastest][mid].to_json(),
                        },
                    },
                ),
            )
        )
    return pages


# The calculator's answer rows: a field of `compare --json` (``gpus_needed.30`` for a target
# duration) and how its value is shown; calculator.js formats them the same way.
CALC_ROWS = [
    ("budget_flops", "flops"),
    ("training_flops", "flops"),
    ("ratio", "pct"),
    ("gpu_years_needed", "years"),
    ("years_with_gpus", "years"),
    ("realistic_gpu_years_needed", "years"),
    ("realistic_years_with_gpus", "years"),
    ("gpus_needed", "integer"),
    ("training_memory_bytes", "bytes"),
    ("training_memory_low_bytes", "bytes"),
    ("training_memory_per_gpu_bytes", "bytes"),
    ("min_gpus_for_memory", "integer"),
    ("inference_memory_bytes", "bytes"),
    ("energy_kwh", "kwh"),
    ("run_gpu_hours", "count"),
    ("run_energy_kwh", "kwh"),
    ("run_electricity_cost", "money"),
    ("cloud_cost_usd", "usd"),
]


def _mfu_prior(results: Results) -> dict[str, Any] | None:
    """Method page: the MFU prior's fit and every published run with the band at its size."""
    prior = results.mfu_prior
    if prior is None:
        return None
    rows = []
    for p in sorted(prior.points, key=lambda p: p.parameters):
        value, low, high = prior.at(p.parameters)
        rows.append({**asdict(p), "prior": value, "prior_low": low, "prior_high": high})
    return {
        "intercept": prior.intercept,
        "slope": prior.slope,
        "low": prior.low,
        "high": prior.high,
        "top": prior.top,
        "at_1b": prior.at(1e9)[0],
        "rows": rows,
    }


def _calc_rows(headline: dict[str, Any], target_days: list[float]) -> list[dict[str, Any]]:
    rows = []
    for key, kind in CALC_ROWS:
        if key == "gpus_needed":
            for d in target_days:
                day = f"{d:g}"
                value = (headline[key] or {}).get(day)
                rows.append({"key": f"{key}.{day}", "label": key, "days": day, "kind": kind,
                             "value": value})  # fmt: skip
        else:
            rows.append(
                {"key": key, "label": key, "days": "", "kind": kind, "value": headline[key]}
            )
    return rows


def _calc_formats(catalog: Catalog) -> dict[str, dict[str, Any]] | None:
    """The calculator's weight and KV-cache formats (id -> name); None without formats.yaml."""
    if catalog.local is None:
        return None
    return {
        "weight": {k: f.name for k, f in catalog.local.weight_formats.items()},
        "kv": {k: f.name for k, f in catalog.local.kv_formats.items()},
    }


def _best(pair: PairResult) -> float | None:
    """Best-case years of a pair (None: the model's compute is unknown)."""
    return pair.years_best and pair.years_best.value


def _years_summary(rows: dict[str, float | None], names: dict[str, str]) -> dict[str, Any]:
    """What a years chart shows, for its alt text: count, fastest, slowest, how many in a year."""
    known = sorted((y, k) for k, y in rows.items() if y is not None)
    if not known:
        return {
            "n": 0,
            "under_one_year": 0,
            "fastest": "",
            "fastest_years": 0,
            "slowest": "",
            "slowest_years": 0,
        }
    return {
        "n": len(known),
        "under_one_year": sum(1 for y, _ in known if y <= 1),
        "fastest": names[known[0][1]],
        "fastest_years": known[0][0],
        "slowest": names[known[-1][1]],
        "slowest_years": known[-1][0],
    }


def _model_result(r) -> dict[str, Any]:
    d = asdict(r)
    d["memory"]["training"] = r.memory.training
    d["memory"]["inference"] = {p: r.memory.inference(p) for p in r.memory.inference_weights}
    return d


def _model_brief(m: dict[str, Any], r: dict[str, Any]) -> dict[str, Any]:
    return {"name": m["name"], "compute": r["compute"], "memory": r["memory"]}


def _gpu_brief(g: dict[str, Any], r: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": g["name"],
        "class": g["class"],
        "memory_gib": g["memory_gib"],
        "training_precision": r["training_precision"],
        "cloud_price": g["cloud_price"],
    }


def _hardware_gpu(m: Model, gpus: dict[str, Any]) -> dict[str, Any] | None:
    hw = m.training_hardware
    return _gpu_brief(gpus[hw.gpu], {"training_precision": ""}) if hw and hw.gpu else None


def _question(catalog: Catalog, results: Results) -> dict[str, Any]:
    """The comparisons the in-depth page discusses, each recomputed from the data."""
    s = catalog.scenario
    q = s.question
    gpu = catalog.gpus[q.gpu]
    merged = _prefixed(gpu.sources, "gpu")
    claims = []
    for claim, r in zip(s.claims, results.question.claims, strict=True):
        merged += _prefixed(claim.sources, f"claims.{claim.id}")
        claims.append({**claim.model_dump(mode="json", exclude={"sources"}), **asdict(r)})
    sources = _sources(merged)
    h = results.headline
    t = h.training_flops
    return {
        "per_precision": {p: c.to_json() for p, c in results.question.per_precision.items()},
        "claims": claims,
        "training_precision": results.gpus[q.gpu].training_precision,
        "sources": sources,
        "cites": _citations(sources),
        # The worked example's figures: the peak in units of 10¹² FLOP/s, and how many times
        # the central estimate the high one is
        "peak_tera": h.peak_flops / calc.TERA,
        "high_factor": t.high / t.value if t else None,
        # GPU-years from the budget rounded to three digits, as popular write-ups compute them
        "rounded_years": t.value / float(round_sig(h.budget_flops, 3)) if t else None,
    }


def _instead(catalog: Catalog, results: Results) -> dict[str, Any]:
    """What each GPU's year buys instead, and the seed answer's suggestions checked."""
    s = catalog.scenario
    full = s.recipe(s.training_recipe)
    checks = [
        {"gpu": gid, "rows": [asdict(r) for r in runs]} for gid, runs in results.small_runs.items()
    ]
    return {
        "gpu_results": {gid: asdict(r) for gid, r in results.gpus.items()},
        "recipes": [r.model_dump(mode="json", exclude={"sources", "notes"}) for r in s.recipes],
        "full_recipe": full.id,
        "checks": checks,
    }


def bibliography(catalog: Catalog) -> list[dict[str, Any]]:
    """Every source once (by URL), with the entries and fields it supports, sorted by title."""
    by_url: dict[str, dict[str, Any]] = {}

    def add(src: Source, kind: str, eid: str, name: str) -> None:
        url = str(src.url)
        entry = by_url.setdefault(
            url,
            {
                "url": url,
                "title": src.title,
                "lang": src.lang,
                "anchor": source_id(url),
                "secondary": bool(getattr(src, "secondary", False)),
                "uses": [],
            },
        )
        entry["uses"].append({"kind": kind, "id": eid, "name": name, "fields": list(src.fields)})

    for g in catalog.gpus.values():
        for src in g.sources:
            add(src, "gpu", g.id, g.labels)
    for m in catalog.models.values():
        for src in m.sources:
            add(src, "model", m.id, m.labels)
    for a in catalog.architectures.values():
        for src in a.sources:
            add(src, "architecture", a.id, a.name)
    for src in catalog.scenario.sources:
        add(src, "scenario", "", "")
    for r in catalog.scenario.recipes:
        for src in r.sources:
            add(src, "recipe", r.id, {"en": r.name_en, "de": r.name_de})
    for c in catalog.scenario.claims:
        for src in c.sources:
            add(src, "claim", c.id, c.id)
    return sorted(by_url.values(), key=lambda e: (e["title"].lower(), e["url"]))


# ---------------------------------------------------------------- rendering


def _finalize(value: Any) -> Any:
    """Escape every ``{{ value }}`` from data for Markdown and HTML unless it is Markup already."""
    if isinstance(value, Markup):
        return value
    if type(value) is str:
        return _escape_text(value)
    return Markup(md_escape(value))


@functools.lru_cache(maxsize=1 << 16)
def _escape_text(text: str) -> Markup:
    """``md_escape`` once per distinct text: pages repeat the same names thousands of times."""
    return Markup(md_escape(text))


def href(url: str) -> Markup:
    """A URL for a Markdown link: parentheses and spaces would end the link early."""
    return Markup(quote(str(url), safe=":/?#[]@!$&'*+,;=%~"))


def make_env(templates: Path) -> jinja2.Environment:
    """The Jinja environment for Markdown pages: strict undefined, escaping by default."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=True,  # macros return Markup, so their output is not escaped twice
    )
    env.globals["math"] = lambda tex, block=False: Markup(
        latex_to_mathml(tex, display="block" if block else "inline")
    )
    env.filters["raw"] = lambda v: Markup(repr(v) if isinstance(v, float) else str(v))
    env.filters["href"] = href
    # Material writes page.meta title and description into HTML unescaped: escape them here.
    env.filters["meta"] = lambda text: Markup(
        json.dumps(html.escape(str(text), quote=True), ensure_ascii=False)
    )
    return env


def template_name(env: jinja2.Environment, spec: PageSpec, lang: str) -> str:
    """The page's one template (``pages/<name>.md.j2``, its prose from ``prose/<lang>/``) or,
    for a page not yet converted, its template for this language."""
    one = f"pages/{spec.template}.md.j2"
    return one if one in _templates(env) else f"pages/{spec.template}.{lang}.md.j2"


@functools.lru_cache(maxsize=4)
def _templates(env: jinja2.Environment) -> frozenset[str]:
    """The templates ``env`` finds (listed once per environment: a build makes a new one)."""
    return frozenset(env.list_templates())


# A page's prose is included per language: {% include 'prose/' ~ lang ~ '/gpu/answer.md.j2' %}
_PROSE = re.compile(r"'prose/' ~ lang ~ '([^']+)'")


def template_files(env: jinja2.Environment, name: str) -> list[str]:
    """A template and every template it imports or includes, recursively (for cache keys and
    for the check of what templates read), the prose it includes in every language.

    ``jinja2.meta`` finds the references; a name computed otherwise than the prose's cannot be
    known, so the page then depends on every template (a safe, coarser cache key).
    """
    seen: list[str] = []
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.append(current)
        source = env.loader.get_source(env, current)[0]  # type: ignore[union-attr]
        refs = list(meta.find_referenced_templates(env.parse(source)))
        prose = _PROSE.findall(source)
        if refs.count(None) > len(prose):
            return sorted(env.list_templates(filter_func=lambda t: t.endswith(".j2")))
        todo += [r for r in refs if r] + [f"prose/{lang}{rest}" for rest in prose for lang in LANGS]
    return sorted(seen)


def _escaped(value: Any) -> Markup:
    return value if isinstance(value, Markup) else Markup(md_escape(value))


def sortable(raw: Any, shown: Any) -> Markup:
    """A value as shown, with its raw value for sorting tables (``data-v``)."""
    key = "" if raw is None else repr(raw) if isinstance(raw, float) else html.escape(str(raw))
    return Markup(f'<span data-v="{key}">{_escaped(shown)}</span>')


def cite(cites: dict[str, list[int]], path: str) -> Markup:
    """Citation marks for a field path and the fields containing it: links to the sources."""
    parts = path.split(".")
    numbers = sorted(
        {n for i in range(1, len(parts) + 1) for n in cites.get(".".join(parts[:i]), [])}
    )
    if not numbers:
        return Markup("")
    return Markup("<sup>" + ",".join(f"[{n}](#ref-{n})" for n in numbers) + "</sup>")


class PageHelpers:
    """What a template may call besides its context: links, localized words and numbers, table
    cells. One per page and language; ``render_page`` hands the templates its methods by name."""

    def __init__(self, spec: PageSpec, lang: str, catalogs: Path = CATALOGS):
        self.spec, self.lang, self.catalogs = spec, lang, catalogs
        self.f = L10n(lang, catalogs)
        self._here = posixpath.dirname(spec.path)

    def url(self, target: str, anchor: str = "") -> Markup:
        """Link from this page to a docs-relative target (``gpus/rtx-4090.md``)."""
        rel = posixpath.relpath(target, self._here or ".")
        return Markup(rel + (f"#{anchor}" if anchor else ""))

    def field(self, path: str) -> Markup:
        """Localized name of a data field (merged lists cite ``gpu.…``, ``recipes.<id>.…``)."""
        parts = path.split(".")
        skip = {"recipes": 2, "claims": 2, "gpu": 1}.get(parts[0], 0)
        return self.f.t("field." + ".".join(parts[skip:]))

    def years_cell(self, years: float | None) -> Markup:
        return Markup("–") if years is None else sortable(years, self.f.value(years))

    def run_cell(self, p: dict[str, Any]) -> Markup:
        """A whole run's energy and cloud cost, sortable by energy."""
        if p["run_energy_kwh"] is None:
            return Markup("–")
        shown = f"{self.f.num(p['run_energy_kwh'])}\u00a0kWh"
        if p["run_cloud_cost_usd"] is not None:
            shown += f" · {self.f.money(p['run_cloud_cost_usd'], 'USD')}"
        return sortable(p["run_energy_kwh"], shown)

    def fmt(self, kind: str, value: Any) -> str:
        """A calculator value as calculator.js shows it (same kinds, same formatter)."""
        if value is None:
            return "–"
        f = self.f
        currency = self.spec.context["scenario"]["electricity"]["currency"]
        return {
            "flops": f.flops,
            "pct": f.pct,
            "years": f.years,
            "integer": f.integer,
            "bytes": f.bytes,
            "count": f.count,
            "kwh": lambda v: f"{f.num(v)}\u00a0kWh",
            "money": lambda v: f.money(v, currency),
            "usd": lambda v: f.money(v, "USD"),
        }[kind](value)

    def calc_href(self, **question: Any) -> Markup:
        """A link into the calculator that carries the assumptions the page's figures use: the
        question (``gpu``, ``model``, ``precision``; None left out), the scenario's duty cycle
        and MFU, so the calculator opens with the page's numbers."""
        s = self.spec.context["scenario"]
        query = {k: v for k, v in question.items() if v is not None}
        query |= {"utilization": s["question"]["utilization"], "mfu": s["reference_mfu"]["value"]}
        return Markup(f"{self.url('calculator.md')}?{urlencode(query)}")

    def asset(self, path: str) -> Markup:
        """A site file linked from raw HTML: relative to the page's directory URL."""
        p = self.spec.path
        depth = p.count("/") + (0 if p.endswith("index.md") else 1)
        return Markup("../" * (depth + (self.lang != LANGS[0])) + path)

    def words(self, *prefixes: str) -> Markup:
        """The language's strings under ``prefixes`` as JSON for a page script."""
        chosen = {
            k: v for k, v in strings(self.lang, self.catalogs).items() if k.startswith(prefixes)
        }
        return Markup(json.dumps(chosen, ensure_ascii=False).replace("</", "<\\/"))

    def text(self, value: Any) -> Any:
        """Free text from data in this language: ``{en: …, de: …}`` or a language-neutral string.

        The context is already in this language (see ``localize``): this passes strings through
        and picks the language of a mapping built in the template.
        """
        return localize(value, self.lang)

    def name(self, entry: Any) -> Any:
        """The display name of a GPU or model in this language: its label with the localized
        qualifier ("Google Cloud TPU v4 (pro Chip)"); takes a data dict or a name itself."""
        return self.text(entry["name"] if isinstance(entry, dict) and "name" in entry else entry)

    def yesno(self, flag: bool) -> Markup:
        return self.f.t("common.yes" if flag else "common.no")

    def gettext(self, text: str, **kwargs: Any) -> Markup:
        """``_('One year at {pct}', pct=…)``: the language's words, ``{placeholders}`` filled
        in and escaped for Markdown like ``t()`` (pybabel extracts the literal)."""
        words = self.f.gettext(text)
        if not kwargs:
            return Markup(words)
        return Markup(words.format(**{k: _escaped(v) for k, v in kwargs.items()}))

    def ngettext(self, singular: str, plural: str, n: int, /, **kwargs: Any) -> Markup:
        """``ngettext('{n} card', '{n} cards', n, n=…)``: ``gettext`` in the form for ``n``."""
        words = self.f.ngettext(singular, plural, n)
        return Markup(words.format(**{k: _escaped(v) for k, v in kwargs.items()}))

    def names(self) -> dict[str, Any]:
        """The template API: every name a template may use besides its context."""
        return {
            "_": self.gettext,
            "ngettext": self.ngettext,
            "f": self.f,
            "t": self.f.t,
            "tn": self.f.tp,
            "field": self.field,
            "lang": self.lang,
            "url": self.url,
            "page": self.spec.path,
            "v": sortable,
            "cite": cite,
            "years_cell": self.years_cell,
            "run_cell": self.run_cell,
            "fmt": self.fmt,
            "calc_href": self.calc_href,
            "asset": self.asset,
            "words": self.words,
            "text": self.text,
            "name": self.name,
            "yesno": self.yesno,
        }


def render_page(
    env: jinja2.Environment, spec: PageSpec, lang: str, catalogs: Path = CATALOGS
) -> str:
    """Render one page in one language (``catalogs``: where the languages' .po files are)."""
    helpers = PageHelpers(spec, lang, catalogs)
    template = env.get_template(template_name(env, spec, lang))
    # The context is language-neutral; free text from the data ({en: …, de: …}) in this language
    return template.render(**localize(spec.context, lang), **helpers.names())
