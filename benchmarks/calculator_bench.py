"""How long the calculator takes to answer after an input, in Chromium, in one run.

    .venv/bin/python benchmarks/calculator_bench.py          # builds into a temporary folder

Builds the site, serves it on 127.0.0.1 under its base path, opens the calculator in both
languages and changes an input 200 times (GPU count, model, duty cycle, a custom GPU), timing from
the input event to the answer written into the page (engine, formatting, DOM updates; layout and
paint come after and are not counted). Prints the median and the 95th percentile against the goal
of 16 ms (one frame at 60 Hz).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import statistics
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator import site

GOAL_MS = 16
ROUNDS = 200

MEASURE = """async (rounds) => {
  const form = document.getElementById('calculator');
  const set = (name, value) => {
    const el = form.elements.namedItem(name);
    el.value = value;
    const t0 = performance.now();
    el.dispatchEvent(new Event('input', { bubbles: true }));
    return performance.now() - t0;
  };
  const models = [...form.elements.namedItem('model').options].map((o) => o.value)
    .filter((v) => v !== 'custom');
  const times = [];
  for (let i = 0; i < rounds; i++) {
    times.push(set('gpus', String(1 + (i % 64))));
    times.push(set('model', models[i % models.length]));
    times.push(set('utilization', String(0.5 + (i % 50) / 100)));
  }
  return times;
}"""


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    from playwright.sync_api import sync_playwright

    chrome = os.environ.get("CHROME_PATH") or shutil.which("chromium")
    if not chrome:
        sys.exit("no Chromium found: apt-get install chromium (or set CHROME_PATH)")
    work = Path(tempfile.mkdtemp(prefix="gpu-year-calc-bench-"))
    www = work / "www"
    www.mkdir()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(www))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/gpu-year/"
    try:
        os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
        site.build(work / "site", site_url=base)
        (www / "gpu-year").symlink_to(work / "site", target_is_directory=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chrome, args=["--no-sandbox", "--disable-gpu"]
            )
            print(f"calculator: {ROUNDS * 3} inputs per language, time to the written answer")
            for lang in ("", "de/"):
                page = browser.new_page()
                page.goto(base + lang + "calculator/")
                page.wait_for_function("window.gpuYearCalculator && window.gpuYearCalculator.ready")
                times = page.evaluate(MEASURE, ROUNDS)
                median = statistics.median(times)
                p95 = statistics.quantiles(times, n=20)[-1]
                verdict = "meets" if p95 <= GOAL_MS else "misses"
                print(
                    f"  {lang or 'en/':<4} median {median:6.2f} ms, 95th percentile {p95:6.2f} ms "
                    f"({verdict} the {GOAL_MS} ms goal)"
                )
                page.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
