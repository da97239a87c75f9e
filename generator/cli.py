"""The ``gpu-year`` command line: thin commands over the library."""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import click

from generator import answer, logs, paths, site, workdir
from generator.data import (
    LANGS,
    MIN_FRACTION,
    PRECISIONS,
    YEARS_RANGE,
    Catalog,
    DataError,
    UnknownEntry,
    json_schemas,
    load_catalog,
)
from generator.i18n import L10n
from generator.results import compare as compare_pair
from generator.results import training_compute

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
    if value is not None and math.isnan(value):
        raise click.BadParameter("expected a number, got nan")
    return value


def load(data_dir: Path) -> Catalog:
    """Load the catalog or exit with every problem listed."""
    try:
        return load_catalog(data_dir)
    except DataError as e:
        raise click.ClickException(str(e)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gpu-year")
def cli():
    """How far is one GPU-year from training model X? Sourced numbers, in English and German."""


@cli.command()
@click.argument("gpu")
@click.argument("model")
@click.option(
    "--utilization",
    type=click.FloatRange(MIN_FRACTION, 1),
    callback=_finite,
    help=f"Duty cycle at peak, in [{MIN_FRACTION:g}, 1]. Default: the scenario's (0.9).",
)
@click.option(
    "--precision",
    type=click.Choice(PRECISIONS),
    help="Peak to count at. Default: the scenario's (fp32).",
)
@click.option(
    "--years",
    type=click.FloatRange(*YEARS_RANGE),
    callback=_finite,
    help=f"How long the GPU runs, in years ({YEARS_RANGE[0]:g} to {YEARS_RANGE[1]:g}). "
    "Default: the scenario's (1).",
)
@click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object, raw SI numbers.")
@data_option
def compare(gpu, model, utilization, precision, years, lang, as_json, data_dir):
    """Can GPU, running for a year, train MODEL? Both take an id or a name.

    \b
    Example:
        gpu-year compare rtx-4070-ti gpt-3.5 --lang de
        gpu-year compare "RTX 4090" llama-2-7b --precision bf16 --json
    """
    catalog = load(data_dir)
    try:
        result = compare_pair(
            catalog, gpu, model, utilization=utilization, precision=precision, years=years
        )
    except UnknownEntry as e:
        raise click.BadParameter(str(e)) from None
    except KeyError as e:
        raise click.BadParameter(e.args[0], param_hint="'--precision'") from None
    except ArithmeticError as e:  # the options are bounded; this is a last line of defence
        raise click.ClickException(
            f"cannot compare {gpu} with {model} at these settings ({type(e).__name__}: {e}); "
            "try values closer to the scenario's"
        ) from None
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(answer.render(result, catalog, lang))


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
    click.echo(
        f"OK: {len(c.gpus)} GPUs, {len(c.models)} models and the scenario in {data_dir}; "
        f"every figure sourced ({n_sources} distinct sources)."
    )


@cli.command(name="list")
@click.argument("what", type=click.Choice(["gpus", "models"]))
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
@click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True)
@data_option
def list_(what, as_json, lang, data_dir):
    """List the GPUs or models of the catalog.

    \b
    Example:
        gpu-year list gpus
    """
    catalog = load(data_dir)
    f = L10n(lang)
    if what == "gpus":
        rows = [
            {
                "id": g.id,
                "name": g.name,
                "memory_gib": g.memory_gib,
                **{p: g.peak(p) for p in PRECISIONS},
            }
            for g in catalog.gpus.values()
        ]
        text = [
            f"{r['id']:<18} {r['name']:<40} {f.num(r['memory_gib']):>6} GiB  "
            + "  ".join(f"{p} {f.num(r[p]) if r[p] else '–':>7}" for p in PRECISIONS)
            for r in rows
        ]
    else:
        rows = []
        for m in catalog.models.values():
            c = training_compute(m)
            rows.append(
                {
                    "id": m.id,
                    "name": m.name,
                    "parameters": m.parameters,
                    "active_parameters": m.active_parameters,
                    "training_tokens": m.training_tokens,
                    "training_flops": c.flops if c else None,
                    "training_flops_method": c.method if c else "unknown",
                }
            )
        text = [
            f"{r['id']:<16} {r['name']:<28} {f.count(r['parameters']):>16}  "
            f"{f.flops(r['training_flops']) if r['training_flops'] else '–':>22}  "
            f"{f.text('method.' + r['training_flops_method'])}"
            for r in rows
        ]
    click.echo(json.dumps(rows, indent=2, ensure_ascii=False) if as_json else "\n".join(text))


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
    """Write the JSON Schema of the data files (editors use it to check YAML)."""
    stale = []
    for name, text in json_schemas().items():
        target = out / name
        if check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            out.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            click.echo(f"wrote {target}")
    if stale:
        raise click.ClickException(
            f"out of date in {out}: {', '.join(stale)}; run `gpu-year schema` and commit the result"
        )
