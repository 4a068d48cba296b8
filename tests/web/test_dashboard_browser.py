"""The dashboard in a real browser: Playwright driving the system Chromium, no JavaScript needed."""

from __future__ import annotations

import os

import pytest

from helpers.browser import browser_or_skip
from helpers.dashboard import serve_dashboard
from helpers.paths import ROOT

SCREENSHOT = ROOT / "docs" / "dashboard.png"


def test_choosing_denunciation_in_the_form_shows_the_one_denunciation(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e .[test])")
    with serve_dashboard(tmp_path, un=False, hostile=False) as base:
        with sync_api.sync_playwright() as playwright:
            browser = browser_or_skip(playwright)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
                page.goto(base + "/")
                assert page.locator("table.events tbody tr").count() == 3  # denunciation, ratification, signature
                page.get_by_label("Event type").select_option("denunciation")
                page.get_by_role("button", name="Show events").click()
                page.wait_for_url("**/events?type=denunciation*")
                rows = page.locator("table.events tbody tr")
                assert rows.count() == 1
                cells = rows.first.locator("td")
                assert cells.nth(1).inner_text().strip() == "Denunciation"
                assert cells.nth(2).inner_text().strip() == "Russian Federation"
                assert "Prevention of Torture" in cells.nth(3).inner_text()
                assert cells.nth(4).inner_text().strip() == "22 Oct 2025"
                assert page.get_by_label("Event type").input_value() == "denunciation"
                assert page.get_by_role("link", name="Atom feed").get_attribute("href") == \
                    "/events.atom?type=denunciation"
                shot = tmp_path / "dashboard.png"
                page.screenshot(path=str(shot), full_page=True)
                assert shot.stat().st_size > 10_000
                if os.environ.get("UPDATE_SCREENSHOT"):
                    page.goto(base + "/")
                    page.screenshot(path=str(SCREENSHOT), full_page=True)
            finally:
                browser.close()


PICTURE_PAGES = {"treaty": "/treaties/un/XXVII-7-d", "state": "/subjects/Russian%20Federation", "home": "/"}
TREATY_SCREENSHOT = ROOT / "docs" / "treaty-page.png"


def test_the_pictures_load_under_the_pages_policy_at_phone_and_desktop_widths(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e .[test])")
    with serve_dashboard(tmp_path, hostile=False) as base:
        with sync_api.sync_playwright() as playwright:
            browser = browser_or_skip(playwright)
            try:
                for width in (375, 1280):
                    page = browser.new_page(viewport={"width": width, "height": 900})
                    refused: list[str] = []
                    page.on("console", lambda message, refused=refused: refused.append(message.text)
                            if "Content Security Policy" in message.text else None)
                    for name, address in PICTURE_PAGES.items():
                        page.goto(base + address)
                        page.wait_for_load_state("load")
                        images = page.locator("figure.picture img")
                        for index in range(images.count()):  # each picture arrived and was decoded
                            loaded = images.nth(index).evaluate("img => img.complete && img.naturalWidth")
                            assert loaded > 0, (name, images.nth(index).get_attribute("src"))
                            box = images.nth(index).bounding_box()
                            assert box and box["width"] <= width, (name, width, box)
                        if name == "state":
                            frame = page.locator("figure.picture object")
                            svg = frame.evaluate("o => o.contentDocument && o.contentDocument.querySelectorAll('a').length")
                            assert svg == 1, refused  # the denunciation's mark, a link to its event
                        shot = tmp_path / f"{name}-{width}.png"
                        page.screenshot(path=str(shot), full_page=True)
                        assert shot.stat().st_size > 10_000
                        if os.environ.get("UPDATE_SCREENSHOT") and name == "treaty" and width == 1280:
                            page.screenshot(path=str(TREATY_SCREENSHOT), full_page=False)
                    assert refused == []
                    page.close()
            finally:
                browser.close()
