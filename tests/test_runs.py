"""Runs that cannot be fooled: isolated working directories, clean errors on any disk trouble.

Each run (build, serve, plain mkdocs) works in a locked directory of its own under
``GPU_YEAR_RUNS``; only the finished site is moved to ``--out``. These tests point
``GPU_YEAR_RUNS`` at a folder of their own to see exactly what a run leaves behind.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import generate, paths, site, workdir
from generator.cli import cli
from tests.conftest import SITE_URL, tree, write_mini_data

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "GPU_YEAR_SITE_URL": SITE_URL}


@pytest.fixture
def runs(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "runs"
    monkeypatch.setenv(workdir.RUNS_ENV, str(root))
    return root


def renamed(name: str):
    def change(gpus, models, scenario):
        next(g for g in gpus["gpus"] if g["id"] == "rtx-4090")["name"] = name

    return change


def build(data: Path, out: Path, *extra: str):
    args = ["build", "--data", str(data), "--out", str(out), "--quiet", *extra]
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def checkout_files() -> dict[str, int]:
    """Every file of the checkout but the .git, .venv and content-addressed caches: mtimes."""
    skip = {".git", ".venv", ".cache", ".pytest_cache", ".ruff_cache", "__pycache__", "actual"}
    out = {}
    for dirpath, dirnames, filenames in os.walk(paths.ROOT):
        dirnames[:] = [d for d in dirnames if d not in skip and not d.endswith(".egg-info")]
        for f in filenames:
            p = Path(dirpath) / f
            out[str(p.relative_to(paths.ROOT))] = p.stat().st_mtime_ns
    return out


# ---------------------------------------------------------------- class 1: shared state


def test_two_builds_at_once_each_publish_only_their_own_data(tmp_path, runs):
    before = checkout_files()
    procs = {}
    for name in ("Alpha Card", "Beta Card"):
        key = name.split()[0].lower()
        data = write_mini_data(tmp_path / key / "data", renamed(name))
        out = tmp_path / key / "site"
        command = [sys.executable, "-m", "generator", "build", "--data", str(data)]
        procs[name] = (
            out,
            subprocess.Popen(
                [*command, "--out", str(out), "-q"],
                cwd=tmp_path,
                env={**ENV, workdir.RUNS_ENV: str(runs)},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            ),
        )
    for name, (out, proc) in procs.items():
        output = proc.communicate(timeout=300)[0].decode()
        assert proc.returncode == 0, output
        other = "Beta Card" if name == "Alpha Card" else "Alpha Card"
        assert name in (out / "gpus" / "rtx-4090" / "index.html").read_text(encoding="utf-8")
        files = tree(out)
        assert not [f for f, data in files.items() if other.encode() in data]
        assert any(name.encode() in data for f, data in files.items() if f.endswith(".svg"))
    assert checkout_files() == before, "a build with --data and --out must leave the checkout be"
    assert not list(runs.glob("run-*")), "each run removes its working directory"


def test_a_second_build_of_one_output_is_refused_at_once(tmp_path, runs):
    out = tmp_path / "site"
    with site.output_lock(out):
        started = time.monotonic()
        result = build(paths.DATA, out)
    assert time.monotonic() - started < 10
    assert result.exit_code == 1
    assert f"another build is writing {out} right now" in result.output


HOLD = """
import sys, time
from pathlib import Path
from generator import workdir
with workdir.output_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(120)
"""


def test_an_output_lock_holds_through_sweeps_and_dies_with_its_process(tmp_path, runs):
    out = tmp_path / "site"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(out)],
        cwd=paths.ROOT,
        env={**ENV, workdir.RUNS_ENV: str(runs)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "locked\n"
        workdir.RunDir().close()  # a run starting sweeps the runs folder: the lock stays
        with pytest.raises(workdir.WorkdirError, match="another build is writing"):
            workdir.output_lock(out).__enter__()
    finally:
        holder.kill()
        holder.communicate(timeout=30)
    with workdir.output_lock(out):  # SIGKILL: no clean-up ran, the lock is free all the same
        pass


# ---------------------------------------------------------------- class 2: disk trouble


OLD_SITE = {"index.html": b"the old site", workdir.MARKER: b"built"}


def no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/full/disk/file")


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("read-only output folder", ["cannot write /sys/", "choose a writable --out"]),
        ("a file where the output's folder should be", ["a file is in the way"]),
        ("temp folder not writable", ["cannot create /sys/", "set TMPDIR"]),
        ("disk full while generating", ["/full/disk/file", "No space left", "free some space"]),
    ],
)
def test_output_trouble_is_one_message(tmp_path, runs, monkeypatch, case, expected):
    data = write_mini_data(tmp_path / "data")
    out = tmp_path / "site"
    if case == "read-only output folder":
        out = Path("/sys/gpu-year-site")  # sysfs refuses new entries, even to root
    elif case == "a file where the output's folder should be":
        (tmp_path / "file").write_text("x")
        out = tmp_path / "file" / "site"
    elif case == "temp folder not writable":
        monkeypatch.setenv(workdir.RUNS_ENV, "/sys/gpu-year-runs")
    else:
        monkeypatch.setattr(generate, "sync_tree", no_space)
    result = build(data, out)
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Error: build failed, {out} is unchanged:")
    for piece in expected:
        assert piece in result.output
    assert not list(runs.glob("run-*"))


def test_disk_full_while_publishing_keeps_the_old_site(tmp_path, runs, monkeypatch):
    data = write_mini_data(tmp_path / "data")
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("the old site")
    (out / workdir.MARKER).write_text("built")
    monkeypatch.setattr(workdir, "publish", no_space)
    result = build(data, out)
    assert result.exit_code == 1
    assert "No space left on device; free some space" in result.output
    assert tree(out) == OLD_SITE
    assert not list(runs.glob("run-*"))


def test_cache_folder_that_is_a_file_is_one_message(tmp_path, runs):
    cache = tmp_path / "cache"
    cache.write_text("not a folder")
    with pytest.raises(site.BuildError, match=r"cannot write the cache entry .*--no-cache"):
        site.build(
            tmp_path / "site",
            data=write_mini_data(tmp_path / "data"),
            site_url=SITE_URL,
            cache_dir=cache,
        )
    assert not (tmp_path / "site").exists()


def test_a_cache_folder_that_cannot_be_written_says_so_and_no_cache_builds(tmp_path, runs):
    cache = Path("/sys/gpu-year-cache")  # sysfs refuses new entries, even to root
    data = write_mini_data(tmp_path / "data")
    out = tmp_path / "site"
    with pytest.raises(site.BuildError) as error:
        site.build(out, data=data, site_url=SITE_URL, cache_dir=cache)
    assert str(error.value).startswith(f"cannot write the cache entry {cache}")
    assert str(error.value).endswith("or build with --no-cache")
    assert not out.exists()
    site.build(out, data=data, site_url=SITE_URL, cache_dir=cache, use_cache=False)
    assert "NVIDIA GeForce RTX 4090" in (out / "gpus" / "rtx-4090" / "index.html").read_text()
    assert not cache.exists()


def test_two_builds_of_different_data_in_turn_each_publish_their_own(tmp_path, runs):
    """One cache for both: entries are named by their inputs, so the data never mix."""
    outs = {}
    for name in ("Alpha Card", "Beta Card"):
        key = name.split()[0].lower()
        data = write_mini_data(tmp_path / key / "data", renamed(name))
        outs[name] = tmp_path / key / "site"
        site.build(outs[name], data=data, site_url=SITE_URL, cache_dir=tmp_path / "cache")
    for name, out in outs.items():
        other = "Beta Card" if name == "Alpha Card" else "Alpha Card"
        assert name in (out / "gpus" / "rtx-4090" / "index.html").read_text(encoding="utf-8")
        assert not [f for f, data in tree(out).items() if other.encode() in data]


def test_a_broken_mkdocs_yml_is_a_build_error(tmp_path, runs):
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\nhooks: [no-such-hook.py]\n")
    with pytest.raises(site.BuildError, match="configuration error"):
        site.build(tmp_path / "site", config_file=config)
    assert not (tmp_path / "site").exists()


def test_damaged_cache_and_leftovers_of_killed_runs_are_cleaned_up(tmp_path, runs, monkeypatch):
    data = write_mini_data(tmp_path / "data")
    cache = tmp_path / "cache"
    first = tmp_path / "first"
    site.build(first, data=data, site_url=SITE_URL, cache_dir=cache)
    # damage: a folder in the place of an entry, a file in the place of a shard folder
    entries = sorted(p for p in cache.rglob("*") if p.is_file())
    entries[0].unlink()
    entries[0].mkdir()
    shard = entries[-1].parent
    shutil.rmtree(shard)
    shard.write_text("junk")
    # leftovers of a killed build: its run directory and a staging copy next to the output
    out = tmp_path / "site"
    out.mkdir()
    (tmp_path / ".site.tmp-run-killed").mkdir()
    (tmp_path / ".site.old-run-killed").mkdir()
    dead = runs / "run-killed"
    dead.mkdir(parents=True)
    (dead / ".lock").touch()
    (dead / "site").mkdir()
    monkeypatch.setattr(workdir, "STALE_AFTER", 0.0)
    site.build(out, data=data, site_url=SITE_URL, cache_dir=cache)
    assert tree(out) == tree(first)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site")) == []
    assert not list(runs.glob("run-*"))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_killed_build_leaves_nothing_a_later_run_keeps(tmp_path, runs, monkeypatch, sig):
    data = write_mini_data(tmp_path / "data")
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("the old site")
    (out / workdir.MARKER).write_text("built")
    command = [sys.executable, "-m", "generator", "build", "--data", str(data), "--out", str(out)]
    proc = subprocess.Popen(
        [*command, "--no-cache", "-q"],
        cwd=tmp_path,
        env={**ENV, workdir.RUNS_ENV: str(runs)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not list(runs.glob("run-*/docs/*.md")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert proc.poll() is None, "the build ended before it could be killed"
    proc.send_signal(sig)
    assert proc.wait(timeout=60) == (143 if sig == signal.SIGTERM else -signal.SIGKILL)
    assert tree(out) == OLD_SITE
    if sig == signal.SIGKILL:  # nothing can clean up; the next run does
        assert list(runs.glob("run-*"))
        monkeypatch.setattr(workdir, "STALE_AFTER", 0.0)
        workdir.RunDir().close()
    assert not list(runs.glob("run-*"))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []


# ---------------------------------------------------------------- class 3: an --out holding more


def files_below(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` but the runs' folder (locks), by full path to see moves."""
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p): p.read_bytes() for p in files if "runs" not in p.relative_to(root).parts}


def test_an_out_that_contains_the_data_is_refused_and_nothing_is_touched(tmp_path, runs):
    """The case of the report: `build --data proj/data --out proj` replaced proj/ by the site."""
    project = tmp_path / "proj"
    data = write_mini_data(project / "data")
    (project / "notes.txt").write_text("mine")
    before = files_below(tmp_path)
    result = build(data, project)
    assert result.exit_code == 1
    assert f"refusing --out {project}: it contains the data directory {data}" in result.output
    assert f"--out {project / 'site'}" in result.output  # the way out
    assert files_below(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proj", "runs"]


def fake_checkout(root: Path) -> Path:
    """A copy of the parts of the checkout that MkDocs reads, with a pyproject.toml."""
    root.mkdir(parents=True)
    shutil.copy(paths.MKDOCS_YML, root / "mkdocs.yml")
    shutil.copy(paths.ROOT / "pyproject.toml", root / "pyproject.toml")
    shutil.copytree(paths.TEMPLATES, root / "templates")
    shutil.copytree(paths.ROOT / "overrides", root / "overrides")
    shutil.copytree(paths.ROOT / "generator", root / "generator")  # the mkdocs.yml hook
    return root


@pytest.mark.parametrize(
    ("case", "why", "fix"),
    [
        ("data", "is the data directory", "{work}/site"),
        ("in data", "is inside the data directory {data}", "{work}/site"),
        ("templates", "is the templates", "{theme}/site"),
        ("holds templates", "contains the templates {templates}", "{theme}/site"),
        ("checkout", "is the gpu-year checkout", "{checkout}/site"),
        ("holds checkout", "contains the gpu-year checkout {checkout}", "{work}/site"),
        ("home", "is your home directory", "{home}/site"),
        ("holds home", "contains your home directory {home}", "{users}/site"),
        ("root", "is the root directory", "/site"),
        ("other files", "is not empty and holds no site built by gpu-year", "{work}/photos/site"),
        ("project marked as a site", "holds a project (.git)", "{work}/other/site"),
        ("file", "is a file", "{work}/file/site"),
    ],
)
def test_an_out_holding_more_than_a_site_is_refused(tmp_path, runs, monkeypatch, case, why, fix):
    work = tmp_path / "work"
    checkout = fake_checkout(work / "checkout")
    data = write_mini_data(work / "data")
    templates = shutil.copytree(paths.TEMPLATES, work / "theme" / "templates")
    home = tmp_path / "users" / "me"
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    (work / "photos").mkdir()
    (work / "photos" / "cat.jpg").write_bytes(b"meow")
    (work / "other" / ".git").mkdir(parents=True)
    (work / "other" / workdir.MARKER).write_text("built")
    (work / "file").write_text("a file")
    out = {
        "data": data,
        "in data": data / "site",
        "templates": templates,
        "holds templates": templates.parent,
        "checkout": checkout,
        "holds checkout": work,
        "home": home,
        "holds home": home.parent,
        "root": Path("/"),
        "other files": work / "photos",
        "project marked as a site": work / "other",
        "file": work / "file",
    }[case]
    before = files_below(tmp_path)
    with pytest.raises(site.BuildError) as error:
        site.build(
            out,
            config_file=checkout / "mkdocs.yml",
            data=data,
            templates=templates,
            site_url=SITE_URL,
        )
    names = {
        "work": work, "data": data, "theme": work / "theme", "templates": templates,
        "checkout": checkout, "home": home, "users": home.parent,
    }  # fmt: skip
    message = str(error.value)
    assert message.startswith(f"refusing --out {out}: it {why.format(**names)}")
    assert "a build replaces --out as a whole; choose" in message
    suggested = message.split("e.g. --out ")[1].split(",", maxsplit=1)[0]
    assert suggested == fix.format(**names).replace("//", "/")
    assert files_below(tmp_path) == before
    assert not list(runs.glob("run-*"))


def test_an_empty_folder_a_site_and_a_site_from_before_the_marker_are_replaced(tmp_path, runs):
    data = write_mini_data(tmp_path / "data")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert build(data, empty).exit_code == 0
    assert (empty / workdir.MARKER).read_text() == workdir.MARKER_TEXT
    (empty / "stale.html").write_text("from an older build")
    assert build(data, empty).exit_code == 0  # a previous site: replaced as a whole
    assert not (empty / "stale.html").exists()
    # the site/ of a checkout built before the marker: index.html, sitemap.xml, results.json
    old = tmp_path / "old"
    old.mkdir()
    for name in ("index.html", "sitemap.xml", "results.json", "stale.html"):
        (old / name).write_text("old")
    assert build(data, old).exit_code == 0
    assert tree(old) == tree(empty)
