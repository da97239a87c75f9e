"""The ``gpu-year`` command line: thin commands over the library."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit

import click

from generator import answer, hfconfig, logs, paths, results, site, workdir
from generator.custom import CUSTOM, CustomError, custom_gpu, custom_model
from generator.data import Catalog, json_schemas, load_catalog
from generator.downloads import csv_text
from generator.i18n import L10n
from generator.lookup import UnknownEntry
from generator.results import Setup
from generator.results import compare as compare_pair
from generator.schema import LANGS, MIN_FRACTION, PRECISIONS, YEARS_RANGE, Gpu, Model
from generator.yamlio import SHORT, DataError, strip_controls

CUSTOM_GPU = ("tflops", "memory", "bandwidth", "power")
CUSTOM_MODEL = ("params", "active_params", "tokens", "flops")

data_option = click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=paths.DATA,
    show_default="data/ of this checkout",
    help="Directory holding gpus.yaml, models.yaml and scenario.yaml.",
)


def _finite(ctx, param, value):
    # FloatRange lets "nan" through; a duty cycle or duration of NaN is never meant.
    if value is None:
        return value
    if math.isnan(value):
        raise click.BadParameter("expected a number, got nan")
    return value + 0.0  # -0.0 is 0 (`--price-kwh -0.0` must not print "-€0.00")


def load(data_dir: Path) -> Catalog:
    """Load the catalog or exit with every problem listed; once per command (its options'
    checks and the command itself share it)."""
    ctx = click.get_current_context(silent=True)
    cache = ctx.find_root().meta.setdefault("gpu_year.catalogs", {}) if ctx else {}
    if data_dir not in cache:
        try:
            cache[data_dir] = load_catalog(data_dir)
        except DataError as e:
            raise click.ClickException(str(e)) from None
    return cache[data_dir]


@contextmanager
def _safe_errors(argv: list[str]) -> Iterator[None]:
    """Error messages fit for a terminal: no control character (an escape sequence, a bidi
    override) is printed as it is, and a refused argument is echoed as at most 60 characters
    (click quotes it whole)."""
    try:
        yield
    except click.ClickException as e:
        if isinstance(e, click.UsageError):
            long = {
                a for arg in argv for a in (arg, arg.partition("=")[2]) if len(a) > SHORT.maxstring
            }
            for a in sorted(long, key=len, reverse=True):
                short = SHORT.repr(a)
                e.message = e.message.replace(repr(a), short).replace(a, short[1:-1])
        e.message = strip_controls(e.message)
        raise


class _Group(click.Group):
    """The command group; its errors go through ``_safe_errors``."""

    def make_context(self, info_name, args, parent=None, **extra):
        argv = list(args)
        with _safe_errors(argv):
            ctx = super().make_context(info_name, args, parent, **extra)
        ctx.meta["gpu_year.argv"] = argv
        return ctx

    def invoke(self, ctx):
        with _safe_errors(ctx.meta.get("gpu_year.argv", [])):
            return super().invoke(ctx)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gpu-year")
def cli():
    """How far is one GPU-year from training model X? Sourced numbers, in English and German."""


def _options(*decorators):
    """Apply several click decorators as one (shared option groups)."""

    def apply(f):
        for d in reversed(decorators):
            f = d(f)
        return f

    return apply


def _number(lo: float, hi: float, **kwargs):
    return click.FloatRange(lo, hi, **kwargs)


def _float_option(name: str, lo: float, hi: float, help: str):
    """A number option bounded to [lo, hi] that refuses nan."""
    return click.option(name, type=_number(lo, hi), callback=_finite, help=help)


setup_options = _options(
    _float_option(
        "--utilization",
        MIN_FRACTION,
        1,
        f"Duty cycle: share of the time the cards compute ({MIN_FRACTION:g}–1). Default: 0.9.",
    ),
    _float_option(
        "--mfu",
        MIN_FRACTION,
        1,
        f"Model FLOPs utilization of the realistic rate ({MIN_FRACTION:g}–1). Default: 0.4.",
    ),
    _float_option(
        "--price-kwh",
        0,
        100,
        "Electricity price per kWh (in the scenario's currency). Default: the scenario's.",
    ),
    click.option(
        "--cloud-rate",
        type=_number(0, 1000, min_open=True),
        callback=_finite,
        metavar="USD",
        help="Cloud price per GPU-hour in USD. Default: the catalog's price for the GPU.",
    ),
)
period_options = _options(
    _float_option(
        "--years",
        *YEARS_RANGE,
        f"How long the cards run, {YEARS_RANGE[0]:g} to {YEARS_RANGE[1]:g} years. Default: 1.",
    ),
    _float_option(
        "--days",
        YEARS_RANGE[0] * 365,
        YEARS_RANGE[1] * 365,
        "How long the cards run, in days (instead of --years).",
    ),
    click.option(
        "--gpus",
        type=click.IntRange(1, 1_000_000),
        default=1,
        show_default=True,
        help="Number of cards; the training state is sharded over them (ZeRO-3/FSDP).",
    ),
)


def custom_gpu_options(peak: str):
    """The options of GPU 'custom'; ``peak`` says which peak --tflops is (a command without
    --precision must not point to it)."""
    return _options(
        _float_option("--tflops", 0.01, 100_000, f"For GPU 'custom': {peak}."),
        _float_option("--memory", 0.25, 4096, "For GPU 'custom': memory in GiB."),
        _float_option("--bandwidth", 1, 100_000, "For GPU 'custom': memory bandwidth in GB/s."),
        _float_option("--power", 1, 5000, "For GPU 'custom': watts."),
    )


PEAK_AT_PRECISION = "dense peak in TFLOPS at --precision"
PEAK_16_BIT = "dense 16-bit (FP16/BF16) peak in TFLOPS"
custom_model_options = _options(
    _float_option("--params", 1e6, 1e15, "For MODEL 'custom': parameters (7e9 for 7 billion)."),
    _float_option(
        "--active-params",
        1e6,
        1e15,
        "For MODEL 'custom': parameters active per token (mixture of experts).",
    ),
    _float_option("--tokens", 1e6, 1e16, "For MODEL 'custom': training tokens (compute = 6·N·D)."),
    _float_option(
        "--flops", 1e15, 1e30, "For MODEL 'custom': training compute in FLOP (instead of --tokens)."
    ),
)
lang_option = click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True)
json_option = click.option("--json", "as_json", is_flag=True, help="JSON, raw SI numbers.")


def _years(catalog: Catalog, years: float | None, days: float | None) -> float | None:
    if years is not None and days is not None:
        raise click.UsageError("give --years or --days, not both")
    return days / catalog.scenario.year_days if days is not None else years


def _pick_gpu(catalog: Catalog, key: str, precision: str | None, custom: dict) -> Gpu:
    """A catalog GPU by id, name or fragment, or the ``custom`` one built from its options."""
    if key.lower() == CUSTOM:
        try:
            return custom_gpu(
                custom["tflops"],
                precision or catalog.scenario.question.precision,
                custom["memory"],
                custom["bandwidth"],
                custom["power"],
            )
        except CustomError as e:
            raise click.BadParameter(str(e), param_hint=f"'{e.option}'") from None
    given = [f"--{k}" for k, v in custom.items() if v is not None]
    if given:
        raise click.UsageError(f"{', '.join(given)}: only for GPU 'custom'")
    try:
        return catalog.gpu(key)
    except UnknownEntry as e:
        raise click.BadParameter(str(e), param_hint="'GPU'") from None


def _pick_model(catalog: Catalog, key: str, custom: dict) -> Model:
    """A catalog model by id, name or fragment, a config.json (path or ``hf:ORG/NAME``), or the
    ``custom`` one built from its options."""
    if key.lower() == CUSTOM:
        try:
            return custom_model(
                custom["params"], custom["active_params"], custom["tokens"], custom["flops"]
            )
        except CustomError as e:
            raise click.BadParameter(str(e), param_hint=f"'{e.option}'") from None
    if hfconfig.is_config(key):
        return _config_model(key, custom.get("tokens"), custom.get("flops"))
    given = [f"--{k.replace('_', '-')}" for k, v in custom.items() if v is not None]
    if given:
        raise click.UsageError(f"{', '.join(given)}: only for MODEL 'custom'")
    try:
        return catalog.model(key)
    except UnknownEntry as e:
        raise click.BadParameter(str(e), param_hint="'MODEL'") from None


def _config_model(key: str, tokens: float | None = None, flops: float | None = None) -> Model:
    try:
        return hfconfig.model(hfconfig.read(key), tokens, flops)
    except hfconfig.ConfigError as e:
        raise click.BadParameter(str(e), param_hint="'MODEL'") from None


def _with_model(catalog: Catalog, key: str) -> tuple[Catalog, str]:
    """The catalog and a model id in it: a config.json MODEL is added to a copy of the catalog."""
    if not hfconfig.is_config(key):
        return catalog, key
    m = _config_model(key)
    return dataclasses.replace(catalog, models={**catalog.models, m.id: m}), m.id


def _setup(catalog: Catalog, gpu: Gpu, **given) -> Setup:
    """The reader's setup; without --precision, ``default_precision`` (a TPU answers at BF16)."""
    if given.get("precision") is None:
        given["precision"] = results.default_precision(catalog, gpu)
    setup = Setup.from_scenario(catalog, **given)
    if not gpu.peak(setup.precision):
        have = ", ".join(p for p in PRECISIONS if gpu.peak(p))
        raise click.BadParameter(
            f"{gpu.label('en')} has no {setup.precision} peak; choose one it has: {have}",
            param_hint="'--precision'",
        )
    return setup


@cli.command()
@click.argument("gpu")
@click.argument("model")
@click.option(
    "--precision",
    type=click.Choice(PRECISIONS),
    help="Peak to count at. Default: the scenario's (fp32), or the card's fastest training "
    "precision where it has no fp32 peak (TPUs).",
)
@period_options
@setup_options
@custom_gpu_options(PEAK_AT_PRECISION)
@custom_model_options
@lang_option
@json_option
@data_option
def compare(gpu, model, precision, years, days, gpus, lang, as_json, data_dir, **options):
    """Can GPU (N of them), running for a year, train MODEL?

    GPU and MODEL take an id, a name or whole words of a name that fit one entry ("4090",
    "llama 2 7b"), or `custom` with --tflops/--memory (GPU) or --params and --tokens/--flops
    (MODEL).

    \b
    Examples:
        gpu-year compare rtx-4070-ti gpt-3.5 --lang de
        gpu-year compare 4090 gpt-3 --gpus 8 --days 90 --mfu 0.35
        gpu-year compare custom "llama 2 7b" --tflops 100 --precision bf16 --memory 32
    """
    catalog = load(data_dir)
    g = _pick_gpu(catalog, gpu, precision, {k: options.pop(k) for k in CUSTOM_GPU})
    m = _pick_model(catalog, model, {k: options.pop(k) for k in CUSTOM_MODEL})
    if hfconfig.is_config(model) and m.training_compute is None and m.training_tokens is None:
        raise click.UsageError(
            f"{model}: a config.json says nothing of training; give --tokens or --flops"
        )
    setup = _setup(
        catalog, g, precision=precision, years=_years(catalog, years, days), gpus=gpus, **options
    )
    try:
        result = compare_pair(catalog, g, m, setup)
    except ArithmeticError as e:  # the options are bounded; this is a last line of defence
        raise click.ClickException(
            f"cannot compare {g.label('en')} with {m.label('en')} at these settings "
            f"({type(e).__name__}: {e}); "
            "try values closer to the scenario's"
        ) from None
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(answer.render(result, g, m, catalog, lang))


@cli.command()
@click.argument("model")
@click.option(
    "--days",
    type=_number(YEARS_RANGE[0] * 365, YEARS_RANGE[1] * 365),
    callback=_finite,
    default=30,
    show_default=True,
    help="Deadline for the training run, in days.",
)
@click.option(
    "--gpu",
    "gpu_keys",
    multiple=True,
    help="Only these GPUs (repeat the option); default: every GPU of the catalog.",
)
@setup_options
@custom_model_options
@lang_option
@json_option
@click.option("--csv", "as_csv", is_flag=True, help="CSV, raw SI numbers.")
@data_option
def plan(model, days, gpu_keys, lang, as_json, as_csv, data_dir, **options):
    """How many cards of each GPU train MODEL within --days, and at what cost?

    Cards at the realistic rate (MFU × duty cycle) and for the memory, the run's GPU-hours,
    energy and cloud cost; sorted by cloud cost.

    \b
    Examples:
        gpu-year plan "llama 2 7b" --days 30 --gpu h100-sxm --utilization 1
        gpu-year plan custom --params 7e9 --tokens 2e12 --days 30 --csv
    """
    catalog = load(data_dir)
    m = _pick_model(catalog, model, {k: options.pop(k) for k in CUSTOM_MODEL})
    gpus = [_pick_gpu(catalog, k, None, {}) for k in gpu_keys] or None
    setup = Setup.from_scenario(catalog, **options)
    try:
        rows = results.plan(catalog, m, days, gpus, setup)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="'MODEL'") from None
    if as_json or as_csv:
        data = [asdict(r) for r in rows]
        text = json.dumps(data, indent=2, ensure_ascii=False) if as_json else csv_text(data)
        click.echo(text, nl=as_json)
    else:
        click.echo(answer.render_plan(rows, m, days, setup, catalog, lang))


@cli.command()
@click.argument("gpu")
@click.option(
    "--precision", type=click.Choice(PRECISIONS), help="For GPU 'custom': its peak's precision."
)
@period_options
@setup_options
@custom_gpu_options(PEAK_AT_PRECISION)
@lang_option
@json_option
@data_option
def instead(gpu, precision, years, days, gpus, lang, as_json, data_dir, **options):
    """What can GPU (N of them) train in a year instead?

    The compute-optimal (Chinchilla) model for the budget at the realistic rate, and the largest
    models whose training state, fine-tuning state or weights fit in the memory.

    \b
    Example:
        gpu-year instead 4090 --gpus 2 --days 90 --lang de
    """
    catalog = load(data_dir)
    g = _pick_gpu(catalog, gpu, precision, {k: options.pop(k) for k in CUSTOM_GPU})
    options.pop("cloud_rate"), options.pop("price_kwh")
    setup = Setup.from_scenario(catalog, years=_years(catalog, years, days), gpus=gpus, **options)
    result = results.instead(catalog, g, setup)
    if as_json:
        click.echo(json.dumps(asdict(result), indent=2, ensure_ascii=False))
    else:
        click.echo(answer.render_instead(result, g, catalog, lang))


@cli.command()
@data_option
def validate(data_dir):
    """Check the data; list every problem at once.

    \b
    Example:
        gpu-year validate --data my-catalog/
    """
    c = load(data_dir)
    n_sources = len({str(s.url) for e in (*c.gpus.values(), *c.models.values()) for s in e.sources})
    f = L10n("en")
    found = {"gpus": len(c.gpus), "models": len(c.models), "sources": n_sources}
    counts = {k: f.plural(f"count.{k}", n, n=f.integer(n)) for k, n in found.items()}
    click.echo(
        f"OK: {counts['gpus']}, {counts['models']} and the scenario in {data_dir}; "
        f"every figure sourced ({counts['sources']})."
    )


@cli.command(name="list")
@click.argument("what", type=click.Choice(["gpus", "models"]))
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV instead of a table.")
@lang_option
@data_option
def list_(what, as_json, as_csv, lang, data_dir):
    """List the GPUs or models of the catalog.

    \b
    Example:
        gpu-year list gpus
    """
    catalog = load(data_dir)
    rows = answer.list_rows(what, catalog, lang)
    if as_csv:
        click.echo(csv_text(rows), nl=False)
    elif as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        click.echo(answer.render_list(what, catalog, lang))


@cli.command()
@data_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=paths.ROOT / "site",
    show_default="site/",
    help="Output directory; replaced only when the build succeeds.",
)
@click.option(
    "--site-url", help="Public URL, e.g. https://USER.github.io/REPO/ (default: mkdocs.yml)."
)
@click.option(
    "--strict/--no-strict", default=True, show_default=True, help="Fail on any MkDocs warning."
)
@click.option("--no-cache", is_flag=True, help="Render every chart and page again.")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
def build(data_dir, out, site_url, strict, no_cache, quiet):
    """Build the bilingual site (English at /, German at /de/).

    \b
    Example:
        gpu-year build --site-url https://me.github.io/gpu-year/
    """
    load(data_dir)  # report data problems before MkDocs starts
    show_bar = not quiet and sys.stderr.isatty() and not os.environ.get("CI")
    bar = click.progressbar(length=0, label="charts", file=sys.stderr) if show_bar else None

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.length = total
            bar.update(done - bar.pos)

    logs.setup(quiet)
    try:
        with workdir.terminate_as_exit():  # SIGTERM cleans up like Ctrl-C
            stats = site.build(
                out,
                data=data_dir,
                site_url=site_url,
                strict=strict,
                use_cache=not no_cache,
                progress=progress,
            )
    except site.BuildError as e:
        raise click.ClickException(f"build failed, {out} is unchanged:\n{e}") from None
    finally:
        if bar is not None:
            bar.render_finish()
    if not quiet:
        base = urlsplit(stats.site_url).path or "/"
        click.echo(f"Built {out}: {stats.summary()}.")
        click.echo(
            f"English at {out}/index.html, German at {out}/de/. To look at it, run `make serve` "
            f"(http://127.0.0.1:8000{base}) or serve {out} under the path {base}."
        )


@cli.command()
@data_option
@click.option(
    "--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on."
)
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a browser.")
def serve(data_dir, dev_addr, open_browser):
    """Live preview that rebuilds when data/ or templates/ change.

    An invalid edit prints the same message as `gpu-year validate` and the last good site stays
    up until the data is fixed.

    \b
    Example:
        gpu-year serve --data my-catalog/
    """
    from generator import preview

    load(data_dir)
    os.environ["GPU_YEAR_DATA"] = str(data_dir.resolve())  # read by mkdocs.yml on every rebuild
    logs.setup(verbose=True, hide_build_errors=False)
    try:
        with workdir.terminate_as_exit():
            preview.serve(paths.MKDOCS_YML, dev_addr, open_in_browser=open_browser)
    except workdir.WorkdirError as e:
        raise click.ClickException(str(e)) from None
    except SystemExit as e:  # mkdocs' Abort: the first build failed; or SIGTERM
        if isinstance(e.code, int):
            raise
        raise click.ClickException(str(e)) from None


@cli.command()
@click.argument("old", required=False, type=click.Path(exists=True, path_type=Path))
@click.argument("new", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--against", "rev", metavar="REV", help="Compare with the data at a git revision.")
@click.option("--exit-code", is_flag=True, help="Exit with 1 when something changed.")
@data_option
def diff(old, new, rev, exit_code, data_dir):
    """What changed between OLD and NEW: results.json files or data directories.

    With --against REV, OLD is the data directory as committed at REV and NEW defaults to
    --data. The output is Markdown, ready for a pull request.

    \b
    Examples:
        gpu-year diff --against HEAD
        gpu-year diff old-site/results.json site/results.json
    """
    from generator import diff as diffing

    try:
        if rev:
            if new is not None:
                raise click.UsageError("with --against, give at most one directory (NEW)")
            with diffing.data_at_revision(rev, data_dir) as at_rev:
                before = diffing.load(at_rev)
            after = diffing.load(old or data_dir)
        elif old is None or new is None:
            raise click.UsageError("give OLD and NEW, or --against REV")
        else:
            before, after = diffing.load(old), diffing.load(new)
        result = diffing.compare(before, after)
    except (DataError, diffing.DiffError) as e:
        raise click.ClickException(str(e)) from None
    click.echo(diffing.markdown(result), nl=False)
    if exit_code and result:
        sys.exit(1)


@cli.command()
@click.option("--check", is_flag=True, help="Fail if the files in data/schema/ are out of date.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=paths.DATA / "schema",
    show_default="data/schema/",
)
def schema(check, out):
    """Write the JSON Schema of the data files (editors use it to check YAML) and of the JSON
    that compare, plan and instead print (output/)."""
    stale = []
    for name, text in {**json_schemas(), **results.output_schemas()}.items():
        target = out / name
        if check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            click.echo(f"wrote {target}")
    if stale:
        raise click.ClickException(
            f"out of date in {out}: {', '.join(stale)}; run `gpu-year schema` and commit the result"
        )


# ---------------------------------------------------------------- fine-tuning and running locally


def _local_plan(
    build, answers, render, catalog: Catalog, lang: str, as_json: bool, gpu: Gpu
) -> None:
    """Build the reader's plan (``build()``; unknown ids become BadParameter) and print it with
    its inverse answers (``answers(plan)``: a dict of JSON-ready values).

    When the plan does not fit, the fewest cards on which it would is added (``cards_needed``).
    """
    from generator.fits import plan_json
    from generator.local import cards_needed

    try:
        plan = build()
    except UnknownEntry as e:
        raise click.BadParameter(str(e)) from None
    cards = plan.gpus if plan.fits else cards_needed(lambda n: build(gpus=n))
    extra = answers(plan)
    if as_json:
        out = plan_json(plan, cards, extra)
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        click.echo(render(plan, catalog, lang, cards, gpu, extra))


def _need_local(catalog: Catalog) -> None:
    if catalog.local is None:
        raise click.ClickException("the data directory has no formats.yaml and measurements.yaml")


_gpus_option = click.option(
    "--gpus",
    type=click.IntRange(1, 1024),
    default=1,
    show_default=True,
    help="Number of cards (1-1024).",
)


@cli.command()
@click.argument("gpu")
@click.argument("model")
@click.option(
    "--method", type=click.Choice(["full", "lora", "qlora"]), default="qlora", show_default=True
)
@click.option(
    "--rank",
    type=click.IntRange(1, 4096),
    default=16,
    show_default=True,
    help="LoRA rank (1-4096).",
)
@click.option(
    "--targets",
    type=click.Choice(["all", "attention"]),
    default="all",
    show_default=True,
    help="Matrices with adapters: all linear layers or attention.",
)
@click.option(
    "--seq",
    type=click.IntRange(1, 10_000_000),
    default=2048,
    show_default=True,
    help="Tokens per sequence (1-10,000,000).",
)
@click.option(
    "--batch",
    type=click.IntRange(1, 65_536),
    default=1,
    show_default=True,
    help="Sequences per micro-batch and card (1-65,536).",
)
@_gpus_option
@click.option(
    "--sharding",
    type=click.Choice(["sharded", "replicated"]),
    default="sharded",
    show_default=True,
    help="With several cards: ZeRO-3/FSDP or a full copy per card.",
)
@click.option(
    "--optimizer",
    type=click.Choice(["adam", "adam8bit"]),
    default="adam",
    show_default=True,
    help="Optimizer of full fine-tuning.",
)
@click.option(
    "--checkpointing/--no-checkpointing",
    default=True,
    show_default=True,
    help="Gradient checkpointing (recompute activations in the backward pass).",
)
@click.option(
    "--tokens",
    type=_number(1, 1e16),
    callback=_finite,
    help="Tokens processed (examples × sequence × epochs): the run's time, energy and cost.",
)
@setup_options
@lang_option
@json_option
@custom_gpu_options(PEAK_16_BIT)
@data_option
def finetune(
    gpu,
    model,
    method,
    rank,
    targets,
    seq,
    batch,
    gpus,
    sharding,
    optimizer,
    checkpointing,
    tokens,
    utilization,
    mfu,
    price_kwh,
    cloud_rate,
    lang,
    as_json,
    data_dir,
    **custom,
):
    """Can GPU fine-tune MODEL? Memory by part, for full fine-tuning, LoRA or QLoRA; with
    --tokens also the time (at the realistic rate, MFU × duty cycle), energy and cloud cost.

    \b
    Example:
        gpu-year finetune rtx-4090 llama-3-8b --method lora
        gpu-year finetune rtx-3090 llama-3-70b --method qlora --gpus 2 --lang de
        gpu-year finetune 4090 "llama 3 8b" --method qlora --tokens 1e8
        gpu-year finetune custom llama-3-8b --tflops 120 --memory 32 --method lora
    """
    from generator import fits, local, local_answer

    catalog = load(data_dir)
    _need_local(catalog)
    g = _pick_gpu(catalog, gpu, "bf16", custom)  # a custom GPU's --tflops: its 16-bit peak
    catalog, model = _with_model(catalog, model)
    setup = Setup.from_scenario(
        catalog, utilization=utilization, mfu=mfu, price_kwh=price_kwh, cloud_rate=cloud_rate
    )
    ask = {
        "method": method,
        "rank": rank,
        "seq": seq,
        "batch": batch,
        "gpus": gpus,
        "optimizer": optimizer,
        "sharding": sharding,
        "checkpointing": checkpointing,
        "targets": targets,
    }

    def build(gpu=g, **changes):
        return local.finetune(catalog, gpu, model, **{**ask, **changes})

    def answers(plan):
        custom_card = gpu.lower() == CUSTOM
        m = catalog.model(model)
        return fits.finetune_answers(catalog, build, plan, g, custom_card, m, tokens, setup)

    _local_plan(build, answers, local_answer.render_finetune, catalog, lang, as_json, g)


_FORMATS = {"quant": ("--quant", "weight_formats"), "kv_cache": ("--kv-cache", "kv_formats")}


def _check_formats(catalog: Catalog, **given: str) -> None:
    """Format ids (``quant=``, ``kv_cache=``) must be formats of the loaded formats.yaml."""
    for key, value in given.items():
        option, kind = _FORMATS[key]
        known = list(getattr(catalog.local, kind))
        if value not in known:
            raise click.BadParameter(
                f"expected one of {', '.join(known)}, got {SHORT.repr(value)}",
                param_hint=f"'{option}'",
            )


@cli.command()
@click.argument("gpu")
@click.argument("model")
@custom_gpu_options(PEAK_16_BIT)
@data_option
@click.option(
    "--quant",
    default="q4_k_m",
    show_default=True,
    help="Weight format: fp16, fp8, int8, gptq-4bit, q8_0, q6_k, q5_k_m, q4_k_m, q4_0, "
    "q3_k_m, q2_k.",
)
@click.option(
    "--context",
    type=click.IntRange(1, 10_000_000),
    help="Tokens of context (1-10,000,000). Default: the model's.",
)
@click.option(
    "--batch",
    type=click.IntRange(1, 65_536),
    default=1,
    show_default=True,
    help="Sequences at once (1-65,536).",
)
@click.option(
    "--kv-cache",
    default="fp16",
    show_default=True,
    help="KV-cache precision: fp16, fp8, q8_0, q4_0.",
)
@_gpus_option
@lang_option
@json_option
def infer(gpu, model, data_dir, quant, context, batch, kv_cache, gpus, lang, as_json, **custom):
    """Can GPU run MODEL, and how fast? Memory by part and tokens/s ranges.

    \b
    Example:
        gpu-year infer rtx-3090 llama-3-70b --quant q4_k_m --context 8192 --gpus 2
        gpu-year infer apple-m2-ultra llama-2-7b --quant q4_0 --json
        gpu-year infer custom llama-3-8b --tflops 120 --memory 32 --bandwidth 1000
    """
    from generator import fits, local, local_answer

    catalog = load(data_dir)
    _need_local(catalog)
    _check_formats(catalog, quant=quant, kv_cache=kv_cache)
    if gpu.lower() == CUSTOM and custom["bandwidth"] is None:
        raise click.BadParameter(
            "a custom GPU needs --bandwidth (GB/s): decoding speed follows from it",
            param_hint="'--bandwidth'",
        )
    g = _pick_gpu(catalog, gpu, "fp16", custom)  # a custom GPU's --tflops: its 16-bit peak
    catalog, model = _with_model(catalog, model)
    ask = {"quant": quant, "context": context, "batch": batch, "kv_cache": kv_cache, "gpus": gpus}
    cal = local.calibration(catalog)

    def build(gpu=g, **changes):
        return local.infer(catalog, gpu, model, cal=cal, **{**ask, **changes})

    def answers(plan):
        return fits.infer_answers(catalog, build, plan, g, gpu.lower() == CUSTOM)

    _local_plan(build, answers, local_answer.render_infer, catalog, lang, as_json, g)


@cli.group()
def model():
    """Models outside the catalog."""


@model.command("from-config")
@click.argument("config")
@click.option("--tokens", type=_number(1e6, 1e16), callback=_finite, help="Training tokens.")
def from_config(config, tokens):
    """Print a models.yaml entry for a Hugging Face config.json (a path or hf:ORG/NAME).

    Parameters (exact, counted from the architecture) and the architecture come from the config;
    fill in the name, organization, release date, training data and their sources.

    \b
    Example:
        gpu-year model from-config hf:Qwen/Qwen2.5-7B >> data/models.yaml
    """
    import yaml

    try:
        raw = hfconfig.entry(hfconfig.read(config), tokens)
    except hfconfig.ConfigError as e:
        raise click.BadParameter(str(e), param_hint="'CONFIG'") from None
    text = yaml.safe_dump([raw], allow_unicode=True, sort_keys=False, width=100)
    click.echo(
        "  # From `gpu-year model from-config`: check name, organization and release_date; add\n"
        "  # training_tokens / training_compute with their sources, and the bilingual notes.\n"
        + "".join(f"  {line}\n" for line in text.splitlines()),
        nl=False,
    )
