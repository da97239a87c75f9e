"""Shared fixtures: the shipped catalog, writable copies of it, and a CLI runner."""

from __future__ import annotations

import functools
import http.server
import logging
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from generator import logs, paths, site
from generator.data import Catalog, load_catalog

SITE_URL = "https://example.github.io/gpu-year/"
BASE_PATH = "/gpu-year/"
CACHE = paths.ROOT / ".cache" / "gpu-year"  # content-addressed: safe to share with real builds


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(paths.DATA)


@pytest.fixture(scope="session")
def vectors(catalog: Catalog) -> list[dict[str, Any]]:
    """The calculator's conformance vectors (some seconds to compute: once per session)."""
    from generator import calculator

    return calculator.vectors(catalog)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped data directory."""
    target = tmp_path / "data"
    shutil.copytree(paths.DATA, target)
    return target


Edit = Callable[[str, Callable[[Any], None]], None]


@pytest.fixture
def edit(data_copy: Path) -> Edit:
    """Change one data file of ``data_copy`` through a function on its parsed YAML."""

    def apply(name: str, change: Callable[[Any], None]) -> None:
        path = data_copy / name
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(doc)
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")

    return apply


@dataclass
class Built:
    out: Path
    docs: Path
    stats: site.Stats
    warnings: list[str]
    site_url: str


def build_site(
    tmp: Path, data: Path = paths.DATA, site_url: str = SITE_URL, **kwargs: Any
) -> Built:
    """Build the site from ``data`` into ``tmp/site`` (or ``out``), collecting MkDocs' warnings."""
    out = kwargs.pop("out", tmp / "site")
    with logs.collected("mkdocs", logging.WARNING) as warnings:
        stats = site.build(
            out,
            data=data,
            site_url=site_url,
            build_dir=tmp / "docs",
            cache_dir=kwargs.pop("cache_dir", CACHE),
            **kwargs,
        )
    return Built(out, tmp / "docs", stats, warnings, site_url)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def www(tmp_path_factory):
    """A web server on 127.0.0.1 for the built site, started first so the site knows its URL."""
    root = tmp_path_factory.mktemp("www")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}{BASE_PATH}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def built(tmp_path_factory, www) -> Built:
    """The shipped data built once per test session, served at its site_url."""
    root, url = www
    result = build_site(tmp_path_factory.mktemp("built"), site_url=url)
    (root / BASE_PATH.strip("/")).symlink_to(result.out, target_is_directory=True)
    return result


MINI_GPUS = ("rtx-4070-ti", "rtx-4090", "a100-80gb", "h100-sxm", "mi300x")
MINI_MODELS = ("gpt-3", "gpt-3.5", "llama-2-70b", "mistral-7b")


def write_mini_data(target: Path, change: Callable[[dict, dict, dict], None] | None = None) -> Path:
    """A small catalog cut from the shipped one (fast to build), optionally changed first."""
    load = lambda name: yaml.safe_load((paths.DATA / name).read_text(encoding="utf-8"))  # noqa: E731
    gpus, models, scenario = load("gpus.yaml"), load("models.yaml"), load("scenario.yaml")
    gpus["gpus"] = [g for g in gpus["gpus"] if g["id"] in MINI_GPUS]
    models["models"] = [m for m in models["models"] if m["id"] in MINI_MODELS]
    for m in models["models"]:
        hw = m.get("training_hardware") or {}
        if hw.get("gpu") not in (None, *MINI_GPUS):
            del hw["gpu"]
    scenario["chart_gpus"] = [g for g in scenario["chart_gpus"] if g in MINI_GPUS]
    if change:
        change(gpus, models, scenario)
    target.mkdir(parents=True, exist_ok=True)
    for name, doc in (("gpus.yaml", gpus), ("models.yaml", models), ("scenario.yaml", scenario)):
        text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
        (target / name).write_text(text, encoding="utf-8")
    shutil.copy(paths.DATA / "architectures.yaml", target)  # the derived peaks' rates
    return target


def tree(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` with its bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def pytest_addoption(parser):
    parser.addoption(
        "--update-gold", action="store_true", help="rewrite tests/gold/ from the current output"
    )
