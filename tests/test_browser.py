"""The built site in a real browser: Debian's Chromium driven by Playwright, served on 127.0.0.1.

Needs Chromium (`make test` installs Debian's package where it can) and, for the accessibility
checks, the pinned axe-core from tests/browser/. Where either is missing the tests skip and say why.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from generator import paths
from generator.schema import LANGS

pytestmark = pytest.mark.browser

AXE = paths.ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NB = "\u00a0"


def chromium_path() -> str | None:
    candidates = [
        os.environ.get("CHROME_PATH"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        shutil.which("google-chrome"),
    ]
    return next((c for c in candidates if c and Path(c).exists()), None)


@pytest.fixture(scope="module")
def base_url(built):
    """The site's own URL: the session's server on 127.0.0.1 serves it under that base path."""
    return built.site_url


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    if executable is None:
        pytest.skip(
            "browser tests SKIPPED: no Chromium (install Debian's chromium or set CHROME_PATH)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test dependency group brings it
        pytest.skip("browser tests SKIPPED: playwright is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


class Watched:
    """A page that records console errors and failed requests."""

    def __init__(self, browser, **context):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, **context)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on(
            "console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}")
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))
        self.page.on(
            "response", lambda r: r.status >= 400 and self.problems.append(f"{r.status}: {r.url}")
        )

    def goto(self, url: str):
        self.page.goto(url, wait_until="networkidle")
        return self.page

    def close(self):
        self.context.close()


@pytest.fixture
def watched(browser):
    w = Watched(browser)
    yield w
    w.close()


def switch_language(page, lang: str) -> None:
    page.locator(".md-header__option .md-select").first.hover()
    page.locator(f"a.md-select__link[hreflang='{lang}']").first.click()
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize(
    ("start", "lang", "target"),
    [
        ("gpus/rtx-4090/", "de", "de/gpus/rtx-4090/"),
        ("de/models/gpt-3.5/", "en", "models/gpt-3.5/"),
    ],
)
def test_language_switcher_keeps_the_page(watched, base_url, start, lang, target):
    page = watched.goto(base_url + start)
    switch_language(page, lang)
    assert page.url == base_url + target
    assert page.locator("html").get_attribute("lang") == lang
    assert watched.problems == []


@pytest.mark.parametrize(
    ("lang", "pieces"),
    [
        ("en", [f"1.14{NB}×{NB}10²¹", f"3.14{NB}×{NB}10²³", "0.36%", "No, not by a long way"]),
        (
            "de",
            [f"1,14{NB}×{NB}10²¹", f"3,14{NB}×{NB}10²³", f"0,36{NB}%", "Nein, bei Weitem nicht"],
        ),
    ],
)
def test_home_page_reads_as_the_language_requires(watched, base_url, lang, pieces):
    page = watched.goto(base_url + ("de/" if lang == "de" else ""))
    text = page.locator("article").inner_text()
    for piece in pieces:
        assert piece in text
    assert watched.problems == []


def search(page, query: str) -> list[str]:
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(query, delay=30)  # Material searches on key events
    page.wait_for_selector(".md-search-result__item", timeout=15_000)
    return page.locator(".md-search-result__item a").evaluate_all("els => els.map(e => e.href)")


def test_search_finds_a_model_by_name(watched, base_url):
    page = watched.goto(base_url)
    hits = search(page, "Chinchilla")
    assert any("/models/chinchilla/" in h for h in hits)
    assert watched.problems == []


def test_search_finds_a_card_by_its_number(watched, base_url):
    hits = [urlsplit(h).path for h in search(watched.goto(base_url + "gpus/"), "4070")]
    assert urlsplit(base_url).path + "gpus/rtx-4070/" in hits, hits
    assert watched.problems == []


def test_search_finds_a_german_word_on_a_german_page(watched, base_url):
    page = watched.goto(base_url + "de/")
    hits = search(page, "Rechenaufwand")
    assert any("/de/" in h for h in hits)
    assert watched.problems == []


@pytest.mark.parametrize("lang", ["en", "de"])
def test_search_offers_only_pages_in_the_readers_language(watched, base_url, lang):
    page = watched.goto(base_url + ("de/" if lang == "de" else "") + "matrix/")
    hits = search(page, "4070 Ti")
    assert any("/gpus/rtx-4070-ti/" in h for h in hits), hits
    assert all(h.startswith(base_url + "de/") == (lang == "de") for h in hits), hits
    page.goto(hits[0])
    assert page.locator("html").get_attribute("lang") == lang
    assert watched.problems == []


@pytest.mark.parametrize(
    ("lang", "none"), [("en", "No card matches."), ("de", "Keine Karte passt.")]
)
def test_gpu_index_filter_keeps_only_matching_cards(watched, base_url, lang, none):
    page = watched.goto(base_url + ("de/" if lang == "de" else "") + "gpus/")
    box = page.locator("#gpu-filter")
    box.fill("4090")
    names = page.locator("[data-filtered] tbody tr:not([hidden]) td:first-child").all_inner_texts()
    assert names
    assert all("4090" in n for n in names), names
    # sections without a match disappear with their headings; the makers' order stays
    assert page.locator("h2:not([hidden])").all_inner_texts()[0].startswith("NVIDIA")
    assert not page.locator("h2#amd:not([hidden])").count()
    box.fill("no such card")
    assert page.locator("#gpu-filter-status").inner_text() == none
    box.fill("")
    rows = page.locator("[data-filtered] tbody tr:not([hidden])").count()
    assert rows == page.locator("[data-filtered] tbody tr").count()
    assert watched.problems == []


PAGES = [
    "",
    "method/",
    "question/",
    "gpus/rtx-4070-ti/",
    "models/gpt-3.5/",
    "models/",
    "matrix/",
    "data/",
]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_charts_load_with_alt_text_and_no_request_fails(watched, base_url, lang):
    prefix = "de/" if lang == "de" else ""
    seen = 0
    for path in PAGES:
        page = watched.goto(base_url + prefix + path)
        page.evaluate(
            "() => document.querySelectorAll('img').forEach(i => { i.loading = 'eager'; })"
        )
        page.wait_for_function("() => [...document.images].every(i => i.complete)")
        images = page.evaluate(
            "() => [...document.querySelectorAll('article img')]"
            ".map(i => ({src: i.currentSrc, width: i.naturalWidth, alt: i.alt}))"
        )
        for img in images:
            assert img["width"] > 0, img["src"]
            assert len(img["alt"]) > 40, img["src"]
            assert ("/de/img/" in img["src"]) == (lang == "de"), img["src"]
        seen += len(images)
    assert seen >= 7  # home, question, GPU, model, models index (2), matrix
    assert watched.problems == []


def test_dark_mode_shows_charts_on_a_light_card(watched, base_url, tmp_path):
    page = watched.goto(base_url + "models/gpt-3/")
    page.locator("label.md-header__button[for='__palette_1']").first.click()
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    colors = page.evaluate(
        "() => { const img = document.querySelector('figure.chart img');"
        " img.scrollIntoView();"
        " return [getComputedStyle(document.body).backgroundColor,"
        " getComputedStyle(img).backgroundColor]; }"
    )
    body, card = colors
    assert card == "rgb(255, 255, 255)"
    assert sum(int(c) for c in body[body.index("(") + 1 : -1].split(",")[:3]) < 200  # dark page
    page.screenshot(path=str(tmp_path / "dark.png"))
    assert watched.problems == []


# ---------------------------------------------------------------- every page, both widths

VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 800)}
MIN_CHART_PX = {"phone": 10, "desktop": 12}  # smallest chart text a reader can read at that width
MAX_DEPTH = 40

# One call per page: load every image (lazy ones too), then measure sideways overflow, the deepest
# element nesting and, per chart, the image actually shown (currentSrc: <picture> picks one per
# width) with its rendered width.
MEASURE = """async () => {
  const imgs = [...document.querySelectorAll('article img')];
  imgs.forEach(i => { i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.complete ? null : new Promise(r => {
    i.addEventListener('load', r, {once: true}); i.addEventListener('error', r, {once: true}); })));
  let depth = 0;
  const walk = (n, k) => { if (k > depth) depth = k; for (const c of n.children) walk(c, k + 1); };
  walk(document.body, 0);
  const de = document.documentElement;
  return {
    overflow: Math.max(0, de.scrollWidth - de.clientWidth),
    depth,
    charts: imgs.filter(i => i.clientWidth && /\\.svg$/.test(new URL(i.currentSrc).pathname))
      .map(i => ({src: new URL(i.currentSrc).pathname, width: i.clientWidth})),
  };
}"""


def svg_text(path: Path) -> tuple[float, float]:
    """The width of an SVG's drawing (its viewBox) and its smallest font size, both in its units."""
    if not path.is_file():  # a broken link: the console check names it
        return 0.0, 0.0
    text = path.read_text(encoding="utf-8")
    box = re.search(r'viewBox="[\d.\s-]*?([\d.]+)\s+[\d.]+"', text)
    sizes = [float(x) for x in re.findall(r"font-size[:=]\s*\"?([\d.]+)", text)]
    return float(box.group(1)) if box else 0.0, min(sizes, default=0.0)


@dataclass
class Survey:
    pages: list[str]
    found: dict[str, list[str]] = field(default_factory=dict)  # check -> problems
    seconds: float = 0.0
    smallest: dict[str, float] = field(default_factory=dict)  # view -> smallest chart text px
    timing: dict[str, float] = field(default_factory=dict)

    def add(self, check: str, problem: str) -> None:
        self.found.setdefault(check, []).append(problem)

    def report(self, check: str) -> str:
        problems = self.found.get(check, [])
        return f"{len(problems)} problems:\n  " + "\n  ".join(problems[:40])


WORKERS = 3  # pages loading at once: Chromium renders each in its own process (2 cores here)
AXE_VIEW = "phone"  # axe runs once per page, at the width where wide tables and formulas scroll


async def _visit_all(executable: str, base_url: str, root: Path, result: Survey) -> None:
    from playwright.async_api import async_playwright

    base_path = urlsplit(base_url).path
    axe = AXE.read_text(encoding="utf-8") if AXE.is_file() else None
    fonts: dict[str, tuple[float, float]] = {}
    todo: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for view in VIEWPORTS:
        for path in result.pages:
            todo.put_nowait((view, path))

    async def worker(browser) -> None:
        pages = {}
        for view, (width, height) in VIEWPORTS.items():
            context = await browser.new_context(viewport={"width": width, "height": height})
            pages[view] = await context.new_page()
        where = [""]

        def console(m):
            if m.type == "error":
                result.add("console", f"{where[0]}: {m.text}")

        def response(r):
            if r.status >= 400:
                result.add("console", f"{where[0]}: {r.status} {r.url}")

        def failed(r):
            if "ERR_ABORTED" not in (r.failure or ""):  # cancelled by going to the next page
                result.add("console", f"{where[0]}: {r.failure} {r.url}")

        for page in pages.values():
            page.on("console", console)
            page.on("pageerror", lambda e: result.add("console", f"{where[0]}: {e}"))
            page.on("requestfailed", failed)
            page.on("response", response)
        while not todo.empty():
            view, path = todo.get_nowait()
            where[0] = f"/{path} ({view})"
            page = pages[view]
            t0 = time.monotonic()
            await page.goto(base_url + path, wait_until="load")
            t1 = time.monotonic()
            m = await page.evaluate(MEASURE)
            t2 = time.monotonic()
            result.timing["load"] = result.timing.get("load", 0) + t1 - t0
            result.timing["measure"] = result.timing.get("measure", 0) + t2 - t1
            check(result, where[0], view, m, root, base_path, fonts)
            if axe and view == AXE_VIEW:
                await page.add_script_tag(content=axe)
                found = await page.evaluate(AXE_RUN, WCAG)
                result.timing["axe"] = result.timing.get("axe", 0) + time.monotonic() - t2
                for rule, count, targets in found:
                    result.add("axe", f"{where[0]} {rule} ({count} nodes, e.g. {targets})")
        for page in pages.values():
            await page.context.close()

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        await asyncio.gather(*(worker(browser) for _ in range(WORKERS)))
        await browser.close()


AXE_RUN = (
    "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},"
    " resultTypes: ['violations']})).violations"
    ".map(v => [v.id, v.nodes.length, v.nodes.slice(0, 2).map(n => n.target)])"
)


def check(result: Survey, where: str, view: str, m: dict, root: Path, base_path: str, fonts):
    if m["overflow"]:
        result.add("overflow", f"{where} scrolls sideways by {m['overflow']} px")
    if m["depth"] > MAX_DEPTH:
        result.add("depth", f"{where} nests elements {m['depth']} deep")
    for chart in m["charts"]:
        rel = unquote(chart["src"]).removeprefix(base_path)
        if rel not in fonts:
            fonts[rel] = svg_text(root / rel)
        box, size = fonts[rel]
        px = size * chart["width"] / box if box else 0
        result.smallest[view] = min(result.smallest.get(view, px), px)
        if px < MIN_CHART_PX[view]:
            result.add("chart text", f"{where} {rel}: {px:.1f} px")


def surveyed(catalog, pages: list[str]) -> list[str]:
    """The pages the survey visits: every page that is not one catalog entry's, and of the GPU and
    model pages (one template each, 129 + 69 of them) those whose data strains the layout — the
    headline pair, the chart GPUs, the newest card of each maker and segment, the longest names —
    and every eighth, so that its time does not grow with the catalog."""
    q = catalog.scenario.question
    groups: dict[tuple[str, str], str] = {}
    for g in sorted(catalog.gpus.values(), key=lambda g: g.release_date, reverse=True):
        groups.setdefault((g.vendor, g.class_), g.id)
    keep = {f"gpus/{gid}/" for gid in (q.gpu, *catalog.scenario.chart_gpus, *groups.values())}
    keep.add(f"models/{q.model}/")
    for kind, entries in (("gpus", catalog.gpus), ("models", catalog.models)):
        longest = max(entries.values(), key=lambda e: max(len(e.label(lang)) for lang in LANGS))
        keep.add(f"{kind}/{longest.id}/")
        keep.update(f"{kind}/{eid}/" for eid in sorted(entries)[::8])

    def entry(page: str) -> str | None:
        parts = page.removeprefix("de/").split("/")
        return page.removeprefix("de/") if parts[0] in ("gpus", "models") and parts[1] else None

    return [p for p in pages if entry(p) is None or entry(p) in keep]


@pytest.fixture(scope="module")
def survey(built, base_url, catalog) -> Survey:
    """The site's pages (``surveyed``) in both languages, at a phone's and a desktop's width."""
    executable = chromium_path()
    if executable is None:
        pytest.skip(
            "browser tests SKIPPED: no Chromium (install Debian's chromium or set CHROME_PATH)"
        )
    started = time.monotonic()
    pages = sorted(
        p.relative_to(built.out).parent.as_posix() for p in built.out.rglob("index.html")
    )
    result = Survey(surveyed(catalog, [("" if p == "." else p + "/") for p in pages]))
    # In a thread of its own: the module's other tests hold Playwright's synchronous API.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _visit_all(executable, base_url, built.out, result)).result()
    result.seconds = time.monotonic() - started
    print(
        f"\nbrowser survey: {len(result.pages)} pages × {len(VIEWPORTS)} widths in "
        f"{result.seconds:.1f} s; smallest chart text "
        f"{ {k: round(v, 1) for k, v in result.smallest.items()} } px; time spent in pages "
        f"{ {k: round(v) for k, v in result.timing.items()} } s"
    )
    return result


def test_survey_visits_every_kind_of_page_in_both_languages(survey):
    assert len(survey.pages) >= 100
    assert {"gpus/", "models/", "matrix/", "calculator/", "method/"} <= set(survey.pages)
    assert {"", "de/", "sources/", "de/sources/"} <= set(survey.pages)
    english = {p for p in survey.pages if not p.startswith("de/")}
    assert {"de/" + p for p in english} == set(survey.pages) - english


def test_no_page_scrolls_sideways(survey):
    assert "overflow" not in survey.found, survey.report("overflow")


def test_no_page_nests_elements_too_deep(survey):
    assert "depth" not in survey.found, survey.report("depth")


def test_chart_text_is_readable_on_phones_and_desktops(survey):
    assert "chart text" not in survey.found, survey.report("chart text")


def test_no_console_errors_or_failed_requests(survey):
    assert "console" not in survey.found, survey.report("console")


def test_no_accessibility_violations(survey):
    if not AXE.is_file():
        pytest.skip(
            "accessibility checks SKIPPED: axe-core missing (npm ci --prefix tests/browser)"
        )
    assert "axe" not in survey.found, survey.report("axe")
