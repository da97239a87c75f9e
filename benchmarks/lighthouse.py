"""Lighthouse scores and page weight of the built site, in one run.

    make lighthouse            # or: .venv/bin/python benchmarks/lighthouse.py

Builds the site for a local address, serves it gzip-compressed (as GitHub Pages does) on
127.0.0.1 under its base path, and runs
Lighthouse 12.2.3 (pinned in benchmarks/package.json; Node 20; Debian's Chromium) with its default
mobile preset on one page of every kind, in both languages where the kind has prose (home, the
calculator). Prints the four category scores, the bytes transferred, the audits that cost points,
and the size of every chart against the 60 KB budget. Targets: performance ≥ 95, accessibility,
best practices and SEO 100, at most 250 KB transferred per page.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator import site

HERE = Path(__file__).resolve().parent
PAGES = [
    "",
    "de/",
    "method/",
    "question/",
    "gpus/",
    "gpus/rtx-4070-ti/",
    "models/",
    "models/gpt-3.5/",
    "matrix/",
    "instead/",
    "calculator/",
    "de/calculator/",
    "sources/",
    "data/",
]
WEIGHT_BUDGET_KB = 250
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
CHART_BUDGET = 60 * 1024
TEXT_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "image/svg+xml",
    "application/xml",
)


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Serves text compressed, as GitHub Pages does, so the weights match the published site."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        kind = self.guess_type(str(path))
        wants = "gzip" in self.headers.get("Accept-Encoding", "")
        if not wants or not path.is_file() or not kind.startswith(TEXT_TYPES):
            super().do_GET()
            return
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def chrome() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    sys.exit("no Chromium found: apt-get install chromium (or set CHROME_PATH)")


def main() -> None:
    lighthouse = HERE / "node_modules" / ".bin" / "lighthouse"
    if not lighthouse.exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True
        )
    work = Path(tempfile.mkdtemp(prefix="gpu-year-lighthouse-"))
    www = work / "www"
    www.mkdir()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(GzipHandler, directory=str(www))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/gpu-year/"
    try:
        os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
        site.build(work / "site", site_url=base)
        (www / "gpu-year").symlink_to(work / "site", target_is_directory=True)
        env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", chrome())}
        print(f"Lighthouse 12.2.3, mobile preset, site served at {base}\n")
        print(f"{'page':<22}{'perf':>6}{'a11y':>6}{'best':>6}{'seo':>6}{'KB sent':>10}")
        problems: dict[str, list[str]] = {}
        for page in PAGES:
            report = work / f"report-{page.replace('/', '_') or 'home'}.json"
            subprocess.run(
                [
                    str(lighthouse),
                    base + page,
                    "--quiet",
                    "--output=json",
                    f"--output-path={report}",
                    "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
                    f"--only-categories={','.join(CATEGORIES)}",
                ],
                env=env,
                check=True,
            )
            data = json.loads(report.read_text(encoding="utf-8"))
            scores = [round(data["categories"][c]["score"] * 100) for c in CATEGORIES]
            sent = data["audits"]["total-byte-weight"]["numericValue"] / 1024
            flag = "  <- over budget" if sent > WEIGHT_BUDGET_KB or scores[0] < 95 else ""
            print(
                f"{page or '(home)':<22}"
                + "".join(f"{s:>6}" for s in scores)
                + f"{sent:>10.0f}{flag}"
            )
            for cat in CATEGORIES:
                for ref in data["categories"][cat]["auditRefs"]:
                    audit = data["audits"][ref["id"]]
                    if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                        problems.setdefault(f"{page or '(home)'} {cat}", []).append(
                            f"{ref['id']} ({audit['score']:.2f})"
                        )
        if problems:
            print("\naudits that cost points:")
            for where, ids in problems.items():
                print(f"  {where}: {', '.join(ids)}")
        charts = sorted((work / "site").rglob("*.svg"), key=lambda p: p.stat().st_size)
        charts = [c for c in charts if "/img/" in c.as_posix()]
        over = [c for c in charts if c.stat().st_size > CHART_BUDGET]
        biggest = charts[-1]
        print(
            f"\ncharts: {len(charts)}, largest {biggest.stat().st_size / 1024:.1f} KB "
            f"({biggest.relative_to(work / 'site')}), over 60 KB: {len(over)}"
        )
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
