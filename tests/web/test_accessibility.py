"""Every dashboard page checked by axe-core in Debian's Chromium, at a phone's width and a desktop's."""

from __future__ import annotations

import json

import pytest

from helpers.browser import browser_or_skip
from helpers.paths import ROOT

AXE = ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["/", "/events?type=denunciation", "/events?type=record_added", "/events?since=1d&source=feedsrc",
         "/sources", "/subjects/Russian%20Federation", "/treaties/coe/126", "/treaties/un/XXVII-7-d",
         "/no/such/page", "/events?type=bogus"]
WIDTHS = (375, 1280)
"""A phone's width and a desktop's, in CSS pixels."""


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e .[test])")
    if not AXE.exists():
        pytest.skip(f"no {AXE.relative_to(ROOT)}: `make test` installs axe-core with npm")
    with sync_api.sync_playwright() as playwright:
        chromium = browser_or_skip(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


def axe(browser, url: str, width: int) -> dict:
    """axe-core's results for the page (WCAG 2.1 A and AA rules and best practices). The page's
    Content-Security-Policy forbids injected scripts; only this test's browser context ignores it."""
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    try:
        page = context.new_page()
        response = page.goto(url)
        assert response is not None
        page.add_script_tag(path=str(AXE))
        return page.evaluate("""async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})""")
    finally:
        context.close()


def described(findings: list[dict]) -> str:
    return json.dumps([{"id": f["id"], "impact": f["impact"], "nodes": [n["target"] for n in f["nodes"]][:5]}
                       for f in findings], indent=1)


def contrast_targets(results: dict, group: str) -> list[tuple[str, ...]]:
    return [tuple(node["target"]) for finding in results[group] if finding["id"] == "color-contrast"
            for node in finding["nodes"]]


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_or_critical_violation_at_either_width_and_contrast_decided(site, browser, path):
    wide, narrow = (axe(browser, site + path, width) for width in WIDTHS[::-1])
    for width, results in ((WIDTHS[1], wide), (WIDTHS[0], narrow)):
        assert results["passes"], "axe-core checked nothing"
        serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], f"at {width} px: {described(serious)}"
    # At 1280 px nothing is scrolled out of view: axe-core decides the contrast of every text.
    assert contrast_targets(wide, "incomplete") == []
    assert contrast_targets(wide, "passes")
    # At 375 px it cannot see text scrolled out of a table's region; the same elements (the same
    # stylesheet colours) passed at 1280 px.
    undecided = set(contrast_targets(narrow, "incomplete"))
    assert undecided <= set(contrast_targets(wide, "passes")), undecided - set(contrast_targets(wide, "passes"))


def test_the_wide_tables_scroll_from_the_keyboard(site, browser):
    """On a phone the sources table scrolls sideways: its region takes the focus and has a name."""
    context = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        page.goto(site + "/sources")
        region = page.get_by_role("region", name="Each source's last check and what comes next")
        assert region.evaluate("node => node.scrollWidth > node.clientWidth"), "nothing to scroll at 375 px"
        for _ in range(40):
            page.keyboard.press("Tab")
            if region.evaluate("node => node === document.activeElement"):
                break
        else:
            raise AssertionError("Tab never reaches the scrolling table")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("node => node.scrollLeft > 0", arg=region.element_handle())
    finally:
        context.close()


def test_an_event_page_reached_from_a_states_timeline_has_no_serious_violation(site, browser):
    """The timeline's marks lead to event pages; those pages are held to the same rules."""
    import re
    import urllib.request

    with urllib.request.urlopen(site + "/subjects/Russian%20Federation", timeout=10) as response:
        body = response.read().decode()
    event = re.search(r'id="timeline-table".*?<a href="(/events/[^"]+)"', body, re.S).group(1)
    for width in WIDTHS:
        results = axe(browser, site + event, width)
        assert results["passes"], "axe-core checked nothing"
        serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], f"{event} at {width} px: {described(serious)}"
