"""The built site in a real browser: Debian's Chromium driven by Playwright, served on 127.0.0.1.

Needs Chromium (`make test` installs Debian's package where it can) and, for the accessibility
checks, the pinned axe-core from tests/browser/. Where either is missing the tests skip and say why.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator import paths

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


def test_search_finds_a_german_word_on_a_german_page(watched, base_url):
    page = watched.goto(base_url + "de/")
    hits = search(page, "Auslastungsgrad")
    assert any("/de/" in h for h in hits)
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


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize(
    "path", ["", "method/", "gpus/rtx-4070-ti/", "models/gpt-3.5/", "matrix/", "data/"]
)
def test_no_accessibility_violations(watched, base_url, lang, path):
    if not AXE.is_file():
        pytest.skip(
            "accessibility checks SKIPPED: axe-core missing (npm ci --prefix tests/browser)"
        )
    page = watched.goto(base_url + ("de/" if lang == "de" else "") + path)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
    )
    violations = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
    ]
    assert violations == []
