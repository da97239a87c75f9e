"""`gpu-year serve`: a live preview that picks up data edits and survives bad ones."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from generator import paths
from tests.conftest import SITE_URL, write_mini_data


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8")
    except OSError:
        return None


def wait_for(predicate, timeout: float = 90.0, step: float = 0.5):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


@pytest.fixture
def server(tmp_path):
    data = write_mini_data(tmp_path / "data")
    port = free_port()
    log = (tmp_path / "serve.log").open("w+")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "GPU_YEAR_SITE_URL": SITE_URL}
    command = [sys.executable, "-m", "generator", "serve", "--data", str(data)]
    proc = subprocess.Popen(
        [*command, "--dev-addr", f"127.0.0.1:{port}"],
        cwd=paths.ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield data, f"http://127.0.0.1:{port}/gpu-year/", log
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def test_serve_rebuilds_on_data_edits_and_keeps_the_last_good_site(server):
    data, base, log = server
    page = base + "gpus/rtx-4090/"
    first = wait_for(lambda: fetch(page))
    assert first is not None, "the preview never came up"
    assert "Renamed Card" not in first

    gpus = data / "gpus.yaml"
    text = gpus.read_text(encoding="utf-8")
    gpus.write_text(text.replace("name: NVIDIA GeForce RTX 4090", "name: Renamed Card", 1), "utf-8")
    assert wait_for(lambda: "Renamed Card" in (fetch(page) or "")), "the edit was not picked up"

    gpus.write_text("gpus:\n  - id: broken\n   name: [\n", encoding="utf-8")
    log.flush()
    message = wait_for(lambda: "YAML syntax error" in (log.seek(0) or log.read()))
    assert message, "the invalid edit was not reported"
    log.seek(0)
    text = log.read()
    assert "gpus.yaml" in text
    assert "Traceback" not in text
    assert "Renamed Card" in (fetch(page) or ""), "the last good site is no longer served"
