"""Shared fixtures: the shipped catalog, writable copies of it, and a CLI runner."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from generator import paths, site
from generator.data import Catalog, load_catalog

SITE_URL = "https://example.github.io/gpu-year/"
BASE_PATH = "/gpu-year/"
CACHE = paths.ROOT / ".cache" / "gpu-year"  # content-addressed: safe to share with real builds


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(paths.DATA)


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


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build_site(tmp: Path, data: Path = paths.DATA, **kwargs: Any) -> Built:
    """Build the site from ``data`` into ``tmp/site``, collecting MkDocs' warnings."""
    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        stats = site.build(tmp / "site", data=data, site_url=SITE_URL, build_dir=tmp / "docs",
                           cache_dir=kwargs.pop("cache_dir", CACHE), **kwargs)  # fmt: skip
    finally:
        logger.removeHandler(handler)
    return Built(tmp / "site", tmp / "docs", stats, handler.messages)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Built:
    """The shipped data built once per test session."""
    return build_site(tmp_path_factory.mktemp("built"))
