"""handbill serve in a real browser: Debian's Chromium, headless, driven by Playwright.

The index, a bundle's pages, and edits followed in place: a title in meta.yaml and a
heading in a body each change the page images without a reload (a marker set on
`window` survives, the scroll position is kept), and a body that no longer builds shows
its error, located, above the last good pages. `make test` installs Chromium
(tools/system-deps.sh chromium).

With HANDBILL_SCREENSHOT=FILE (`make screenshot`), the bundle's page is saved there as
a PNG: the README's picture of the preview (docs/preview.png).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import SAMPLE, clinic_project
from served import DEADLINE, Served

playwright = pytest.importorskip("playwright.sync_api")
B = "stem-cells-t2dm"


@pytest.fixture(scope="module")
def browser():
    executable = shutil.which("chromium")
    assert executable, "Chromium is not installed: make test installs it (Debian's chromium)"
    with playwright.sync_playwright() as driver:
        # --no-sandbox: Chromium's sandbox refuses to run as root (CI runs as root).
        chromium = driver.chromium.launch(executable_path=executable, headless=True,
                                          args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture()
def served(tmp_path):
    project = clinic_project(tmp_path / "project")
    shutil.copytree(SAMPLE, project / "content" / B)
    server = Served(project)
    server.wait_line(r"documents? shown")
    yield server
    assert server.stop() == 0, "".join(server.lines)


def _loaded(page) -> None:
    """Wait until every page image has been fetched and drawn."""
    page.wait_for_function("() => document.images.length > 0 && [...document.images]"
                           ".every(i => i.complete && i.naturalWidth > 0)",
                           timeout=DEADLINE * 1000)


def _after_edit(page, served: Served, path: Path, old: str, new: str) -> float:
    """Edit PATH (OLD for NEW), wait for the server to rebuild and the open page to take
    it in; return the seconds from the server's report of the rebuild to the page's
    update (its body's data-version)."""
    version = page.evaluate("document.body.dataset.version")
    start = len(served.lines)
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")
    served.wait_line(r"documents? shown", start)
    rebuilt = time.monotonic()
    page.wait_for_function(f"() => document.body.dataset.version !== {version!r}",
                           timeout=DEADLINE * 1000)
    return time.monotonic() - rebuilt


def test_the_preview_follows_edits_in_the_browser(browser, served):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))

    page.goto(f"http://127.0.0.1:{served.port}/")
    link = page.locator(f'a[href="/b/{B}/handout/"]')
    assert page.get_by_text("Stem Cells for Type 2 Diabetes").first.is_visible()
    link.click()
    page.wait_for_url(f"**/b/{B}/handout/")
    _loaded(page)
    page.wait_for_function("() => document.getElementById('live').textContent === 'live'",
                           timeout=DEADLINE * 1000)
    images = page.locator("#pages img")
    count = images.count()
    assert count >= 2 and page.locator("#pages").get_attribute("data-pages") == str(count)
    if os.environ.get("HANDBILL_SCREENSHOT"):
        page.screenshot(path=os.environ["HANDBILL_SCREENSHOT"], full_page=False)

    first = images.first.get_attribute("src")
    drawn = images.first.screenshot()  # (scrolls it into view: before the scroll below)
    page.evaluate("window.handbillMarker = 'still the same page'")
    page.evaluate("window.scrollTo(0, 400)")
    page.wait_for_function("() => window.scrollY === 400")

    # A title in meta.yaml: printed on page 1.
    bundle = served.project / "content" / B
    waited = [_after_edit(page, served, bundle / "meta.yaml",
                          "en: Stem Cells for Type 2 Diabetes",
                          "en: Stem Cells for Type 2 Diabetes, Explained")]
    _loaded(page)
    assert page.evaluate("window.handbillMarker") == "still the same page"  # no reload
    assert page.evaluate("window.scrollY") == 400
    assert images.first.get_attribute("src") != first
    assert images.first.screenshot() != drawn  # page 1 as the browser shows it
    page.evaluate("window.scrollTo(0, 400)")
    page.wait_for_function("() => window.scrollY === 400")
    assert "Explained" in page.locator("#pages-panel h1").inner_text()

    # A heading in a body.
    sha = page.locator("#pages").get_attribute("data-sha")
    waited.append(_after_edit(page, served, bundle / "en.md", "## Introduction",
                              "## Introduction to the treatment"))
    _loaded(page)
    assert page.locator("#pages").get_attribute("data-sha") != sha
    assert page.evaluate("window.handbillMarker") == "still the same page"

    # A body that no longer builds: its error, located, over the last good pages.
    waited.append(_after_edit(page, served, bundle / "en.md", "## Introduction to the",
                              "As shown before [@nowhere2099].\n\n## Introduction to the"))
    alert = page.locator("#errors")
    assert alert.is_visible()
    assert f"content/{B}/en.md:" in alert.inner_text() and "nowhere2099" in alert.inner_text()
    assert page.locator("#pages.stale img").count() == count
    assert page.evaluate("window.handbillMarker") == "still the same page"
    assert page.evaluate("window.scrollY") == 400
    assert not errors, errors
    print(f"\npage updated {', '.join(f'{s:.2f}' for s in waited)} s after each rebuild")
    page.close()
