"""The HTML report in a real browser: headless Chromium with the network disabled.

Checks that the page raises no console error, makes no request other than for itself, and that
every figure decodes (``naturalWidth > 0``); a screenshot is saved under ``test-artifacts/``.
Uses Playwright for Python driving Debian's Chromium (``/usr/bin/chromium``); nothing is
downloaded at test time. Skipped, with the reason, only on a machine where no Chromium is
installed; CI installs it first (``.ci/run``) and sets ``CI``, where a missing browser fails.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from qonys.report import render

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_html_report_in_headless_chromium(report, tmp_path, lang):
    browser_path = chromium_path()
    if browser_path is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have Chromium (.ci/run installs Debian's chromium package)")
        pytest.skip("no Chromium browser installed (apt-get install chromium); CI always has one")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test dependency")

    page_path = render(report, tmp_path / f"report.{lang}.html", lang=lang)
    url = page_path.resolve().as_uri()
    requests: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=browser_path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--no-proxy-server",
                "--host-resolver-rules=MAP * ~NOTFOUND",
            ],
        )
        try:
            context = browser.new_context(offline=True, viewport={"width": 1100, "height": 900})

            def block_network(route):
                target = route.request.url
                if target.startswith(("file:", "data:")):
                    route.continue_()
                else:
                    route.abort()

            context.route("**/*", block_network)
            page = context.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
            page.goto(url, wait_until="load")
            images = page.eval_on_selector_all(
                "img", "els => els.map(e => [e.complete, e.naturalWidth, e.naturalHeight])"
            )
            title = page.title()
            tables = page.eval_on_selector_all("table.apa", "els => els.length")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"report.{lang}.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []
    external = [u for u in requests if not u.startswith(("file:", "data:")) and u != url]
    assert external == []
    assert len(images) == len(report.figures()) == 3
    assert all(done and w > 0 and h > 0 for done, w, h in images)
    assert tables == len(report.tables()) + 1
    assert title
    assert (ARTIFACTS / f"report.{lang}.png").stat().st_size > 10_000
