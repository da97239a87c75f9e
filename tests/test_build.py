"""Regenerating: reproducible, incremental and parallel builds, and builds that fail safely."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from generator import charts, generate, paths, site
from generator.cli import cli
from generator.data import load_catalog
from generator.results import compute_all
from tests.conftest import BASE_PATH, SITE_URL, build_site, tree, write_mini_data


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    """A built mini site with its own cache, shared by the tests that only read it."""
    tmp = tmp_path_factory.mktemp("mini")
    data = write_mini_data(tmp / "data")
    first = build_site(tmp, data, cache_dir=tmp / "cache")
    return tmp, data, first


def test_mkdocs_build_gives_the_same_site_as_gpu_year_build(built, tmp_path):
    """Plain `mkdocs build` (the plugin runs inside it) equals `gpu-year build`, byte for byte."""
    out = tmp_path / "mkdocs-site"
    env = {**os.environ, "GPU_YEAR_SITE_URL": built.site_url, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(out)],
        cwd=paths.ROOT,
        env=env,
        check=True,
    )
    a, b = tree(built.out), tree(out)
    assert sorted(a) == sorted(b)
    assert [k for k in a if a[k] != b[k]] == []


def test_noop_rebuild_renders_nothing(mini):
    tmp, data, first = mini
    assert first.stats.charts_rendered > 0
    again = build_site(tmp, data, cache_dir=tmp / "cache")
    assert again.stats.charts_rendered == 0
    assert again.stats.pages_rendered == 0
    assert again.stats.rendered == []


def test_one_gpu_edit_rerenders_only_what_depends_on_it(mini, tmp_path):
    tmp, _, _first = mini

    def faster_4090(gpus, models, scenario):
        # BF16 is derived: 128 SMs × 512 FLOP per clock × 3,051.7578125 MHz = 200.0 TFLOPS
        rtx = next(g for g in gpus["gpus"] if g["id"] == "rtx-4090")
        rtx["derivation"]["boost_clock_mhz"] = 3051.7578125

    data = write_mini_data(tmp_path / "data", faster_4090)
    out = build_site(tmp_path, data, cache_dir=tmp / "cache")
    charts_done = {n.rsplit(".", 2)[0] for n in out.stats.rendered if n.endswith(".svg")}
    known = ("gpt-3", "gpt-3.5", "llama-2-70b")  # mistral-7b has no compute, so no chart
    years = {"gpus/rtx-4090", *(f"models/{m}" for m in known)}  # one drawing for every width
    both = {"heatmap", "timeline"}  # drawn twice: for wide screens and for phones (img/phone/...)
    assert charts_done == {f"img/{c}" for c in years | both} | {f"img/phone/{c}" for c in both}
    pages_done = {n.rsplit(".", 2)[0] for n in out.stats.rendered if n.endswith(".md")}
    assert "gpus/rtx-4090" in pages_done
    assert "gpus/rtx-4070-ti" not in pages_done
    assert "method" not in pages_done
    assert out.stats.charts_reused > 0


def test_corrupt_cache_entry_is_detected_and_rebuilt(tmp_path):
    data = write_mini_data(tmp_path / "data")
    cache = tmp_path / "cache"
    first = build_site(tmp_path / "a", data, cache_dir=cache)
    entries = sorted(p for p in cache.rglob("*") if p.is_file())
    victim = entries[len(entries) // 2]
    victim.write_bytes(victim.read_bytes()[:100])  # truncated, as after a crash
    second = build_site(tmp_path / "b", data, cache_dir=cache)
    assert len(second.stats.rendered) == 1
    assert tree(first.out) == tree(second.out)


def test_parallel_rendering_gives_the_same_bytes_as_serial():
    catalog = load_catalog(paths.DATA)
    specs = charts.build_charts(catalog, compute_all(catalog))[:5]
    jobs = [(s.kind, s.payload, lang, s.path) for s in specs for lang in ("en", "de")]
    assert generate._render_charts(jobs, 2, None) == generate._render_charts(jobs, 1, None)


def test_no_cache_renders_everything(tmp_path):
    data = write_mini_data(tmp_path / "data")
    out = build_site(tmp_path, data, cache_dir=tmp_path / "cache", use_cache=False)
    assert out.stats.charts_reused == 0
    assert out.stats.pages_reused == 0


# ---------------------------------------------------------------- failing safely


def test_bad_data_after_a_good_build_leaves_the_site_untouched(mini, runner, tmp_path):
    _tmp, _data, first = mini
    before = tree(first.out)
    bad = write_mini_data(tmp_path / "bad")
    (bad / "gpus.yaml").write_text("gpus:\n  - id: x\n   name: [\n", encoding="utf-8")
    result = runner.invoke(
        cli, ["build", "--data", str(bad), "--out", str(first.out)], catch_exceptions=False
    )
    assert result.exit_code == 1
    assert "gpus.yaml" in result.output
    assert "YAML syntax error" in result.output
    assert tree(first.out) == before


def test_template_error_leaves_the_site_untouched(mini, tmp_path):
    tmp, data, first = mini
    before = tree(first.out)
    templates = tmp_path / "templates"
    subprocess.run(["cp", "-r", str(paths.TEMPLATES), str(templates)], check=True)
    (templates / "prose" / "de" / "matrix" / "intro.md.j2").write_text(
        "{{ undefined_thing.boom }}\n", encoding="utf-8"
    )
    with pytest.raises(site.BuildError, match=r"matrix\.md \(de\).*undefined_thing"):
        build_site(tmp_path, data, out=first.out, templates=templates, cache_dir=tmp / "cache")
    assert tree(first.out) == before
    assert not [p for p in first.out.parent.iterdir() if p.name.startswith(".site.tmp")]


def test_interrupted_build_leaves_the_site_untouched(mini, tmp_path, monkeypatch):
    tmp, data, first = mini
    before = tree(first.out)

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("generator.plugin.generate", interrupt)
    with pytest.raises(KeyboardInterrupt):
        build_site(tmp_path, data, out=first.out, cache_dir=tmp / "cache")
    assert tree(first.out) == before
    assert not [p for p in first.out.parent.iterdir() if p.name.startswith(".site.tmp")]


def test_second_build_at_once_is_refused(tmp_path):
    out = tmp_path / "site"
    with site.output_lock(out), pytest.raises(site.BuildError, match="another build"):
        site.build(out, site_url=SITE_URL)


def test_paths_from_data_cannot_leave_the_output(tmp_path):
    for bad in ("../escape.md", "/etc/passwd", "gpus/../../x.md", ""):
        with pytest.raises(site.BuildError, match="refusing"):
            generate.safe_join(tmp_path, bad)


def test_hostile_names_are_escaped_everywhere(tmp_path):
    hostile = '<script>alert("x")</script> | *bold* _u_ [link](http://evil) `code` second line'

    def poison(gpus, models, scenario):
        next(g for g in gpus["gpus"] if g["id"] == "rtx-4090")["name"] = hostile
        next(m for m in models["models"] if m["id"] == "llama-2-70b")["organization"] = hostile

    data = write_mini_data(tmp_path / "data", poison)
    out = build_site(tmp_path, data, cache_dir=tmp_path / "cache")
    assert out.warnings == []
    for page in (
        "gpus/index.html",
        "gpus/rtx-4090/index.html",
        "de/models/index.html",
        "instead/index.html",
        "models/gpt-3/index.html",
    ):
        html = (out.out / page).read_text(encoding="utf-8")
        assert "<script>alert" not in html, page
        assert "&lt;script&gt;alert" in html, page
        assert 'href="http://evil"' not in html, page
    index = (out.out / "gpus" / "index.html").read_text(encoding="utf-8")
    # one header per maker-and-segment table and one row per GPU: "|" split nothing
    assert index.count("<tr>") == index.count("<table") + 5
    svg = (out.out / "img" / "gpus" / "rtx-4090.svg").read_text(encoding="utf-8")
    assert "&lt;script&gt;" in svg
    assert "<script>" not in svg


def test_a_failing_chart_is_a_build_error_naming_it(monkeypatch):
    def broken(*args):
        raise ValueError("no data")

    monkeypatch.setattr(charts, "render", broken)
    with pytest.raises(
        site.BuildError, match=r"chart img/x \(de, years\) failed: ValueError: no data"
    ):
        generate._render_charts([("years", {}, "de", "img/x")], 1, None)


def alternates(out):
    """Every page's hreflang links: {page: [(lang, href)]}."""
    found = {}
    for page in out.rglob("index.html"):
        html = page.read_text(encoding="utf-8")
        links = re.findall(r'<link rel="alternate" href="([^"]*)" hreflang="([^"]*)"', html)
        found[page] = [(lang, href) for href, lang in links]
    return found


def test_published_build_writes_absolute_language_alternates(mini):
    _, _, first = mini
    for page, links in alternates(first.out).items():
        assert [lang for lang, _ in links] == ["en", "x-default", "de"], page
        assert all(href.startswith(SITE_URL) for _, href in links), (page, links)


def test_local_build_asks_nothing_of_the_default_address(tmp_path, monkeypatch):
    """Without --site-url or GPU_YEAR_SITE_URL the site is for looking at here. Material fetches
    sitemap.xml next to each hreflang alternate: each must be a page of this site, with its map."""
    monkeypatch.delenv("GPU_YEAR_SITE_URL", raising=False)
    local = build_site(tmp_path, write_mini_data(tmp_path / "data"), site_url=None)
    pages = alternates(local.out)
    assert len(pages) > 20
    for page, links in pages.items():
        assert [lang for lang, _ in links] == ["en", "x-default", "de"], page
        for _, href in links:
            assert "://" not in href, (page, href)
            folder = (
                local.out / href.removeprefix(BASE_PATH) if href[0] == "/" else page.parent / href
            )
            assert (folder / "sitemap.xml").is_file(), (page, href)
