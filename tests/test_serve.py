"""`gpu-year serve`: a live preview that picks up data edits and survives bad ones."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from click.testing import CliRunner

from generator import paths, preview
from generator.cli import cli
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


def test_serve_listens_on_127_0_0_1_unless_asked(monkeypatch):
    asked = []
    monkeypatch.setattr(preview, "serve", lambda _config, addr, **_: asked.append(addr))
    monkeypatch.delenv("GPU_YEAR_DATA", raising=False)  # serve sets it; undone after the test
    for extra in ([], ["--dev-addr", "0.0.0.0:8123"]):
        args = ["serve", "--data", str(paths.DATA), *extra]
        assert CliRunner().invoke(cli, args, catch_exceptions=False).exit_code == 0
    assert asked == ["127.0.0.1:8000", "0.0.0.0:8123"]


def outward_address() -> str | None:
    """This machine's address on its outward network interface (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: only picks the route
        except OSError:
            return None
        address = s.getsockname()[0]
    return None if address.startswith("127.") else address


def test_serve_on_127_0_0_1_is_not_reachable_from_the_network(server):
    _, base, _ = server
    assert wait_for(lambda: fetch(base)), "the preview never came up"
    address = outward_address()
    if address is None:
        pytest.skip("no network interface besides loopback")
    port = int(base.split(":")[2].split("/")[0])
    with socket.socket() as s:
        s.settimeout(5)
        with pytest.raises(ConnectionRefusedError):
            s.connect((address, port))


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


def test_serve_survives_every_class_of_bad_edit_and_recovers(server, tmp_path):
    """One bad edit per error class of issue 10: each is reported, the last good site stays
    up, and the next good edit is served again. A build meanwhile does not touch the preview."""
    data, base, log = server
    page = base + "gpus/rtx-4090/"
    assert wait_for(lambda: fetch(page)), "the preview never came up"
    gpus, models = data / "gpus.yaml", data / "models.yaml"
    good_gpus, good_models = gpus.read_text("utf-8"), models.read_text("utf-8")
    bomb = "\n".join(
        [f"a0: &a0 [{', '.join(['lol'] * 9)}]"]
        + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    )
    rtx4090 = "name: NVIDIA GeForce RTX 4090"

    def edit(old: str, new: str) -> str:
        return good_gpus.replace(old, new, 1)

    bad_edits = {
        "impossible date": (
            gpus,
            edit("release_date: ", "release_date: 2017-02-30 #"),
            "not a valid date",
        ),
        "a directory instead of the file": (models, None, "is a directory"),
        "integer beyond Python's limit": (
            gpus,
            edit("memory_gib: ", "memory_gib: " + "9" * 5000 + " #"),
            "5000 digits",
        ),
        "alias bomb": (
            gpus,
            good_gpus + bomb + "\n",
            "aliases",
        ),
        "two GPUs with one name": (
            gpus,
            edit(rtx4090, "name: NVIDIA GeForce RTX 4070 Ti"),
            "already the name",
        ),
    }
    for n, (case, (path, text, message)) in enumerate(bad_edits.items()):
        log.seek(0, 2)
        mark = log.tell()
        if text is None:
            path.unlink()
            path.mkdir()
        else:
            path.write_text(text, encoding="utf-8")

        def reported(mark=mark, message=message):
            log.flush()
            log.seek(mark)
            return message in log.read()

        assert wait_for(reported, timeout=60), f"{case}: not reported"
        assert fetch(page), f"{case}: the last good site is no longer served"
        if path.is_dir():
            path.rmdir()
            models.write_text(good_models, encoding="utf-8")
        name = f"Renamed Card {n}"
        gpus.write_text(
            good_gpus.replace("name: NVIDIA GeForce RTX 4090", f"name: {name}", 1), "utf-8"
        )
        assert wait_for(lambda name=name: name in (fetch(page) or ""), timeout=60), (
            f"{case}: no recovery"
        )
        time.sleep(1.5)  # let the watcher settle before the next edit

    # a build with other data at the same time publishes its own site and leaves the preview be
    other = write_mini_data(tmp_path / "other")
    other_gpus = other / "gpus.yaml"
    other_gpus.write_text(
        other_gpus.read_text("utf-8").replace(
            "name: NVIDIA GeForce RTX 4090", "name: Other Card", 1
        ),
        encoding="utf-8",
    )
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "GPU_YEAR_SITE_URL": SITE_URL}
    command = [sys.executable, "-m", "generator", "build", "--data", str(other), "-q"]
    subprocess.run([*command, "--out", str(tmp_path / "site")], env=env, check=True, timeout=300)
    assert "Other Card" in (tmp_path / "site/gpus/rtx-4090/index.html").read_text("utf-8")
    assert "Renamed Card" not in (tmp_path / "site/gpus/rtx-4090/index.html").read_text("utf-8")
    served = fetch(page) or ""
    assert "Renamed Card" in served
    assert "Other Card" not in served
    log.seek(0)
    assert "Traceback" not in log.read()
