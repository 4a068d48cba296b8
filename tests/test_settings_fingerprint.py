"""The fingerprint of a source's extraction settings is stored with its records: the same
settings must give the same text from one release to the next, or an upgrade would parse
every source again and re-baseline it silently, swallowing any change seen that day."""

from __future__ import annotations

from helpers.config import QUICK, monitor_config, source_table
from monitor import sources
from monitor.config import load_config


def test_the_fingerprint_of_unchanged_settings_stays_what_earlier_releases_stored(tmp_path):
    config = load_config(monitor_config(
        tmp_path,
        source_table("chart", "html", url="http://127.0.0.1:9/html/0", items="table.chart tbody tr", key="td.state",
                     fields={"signature": "td:nth-of-type(2)", "ratification": "td:nth-of-type(3)",
                             "entry_into_force": "td:nth-of-type(4)"}),
        source_table("news", "feed", url="http://127.0.0.1:9/feed.xml", keywords=["ratif", "denounc"]),
        defaults=QUICK))
    chart, news = (sources.create(source) for source in config.sources)
    # the values stored by the releases before this one, for exactly these settings
    assert chart.extraction_settings() == "13cc53fe1ed2fcce"
    assert chart.extraction_settings() == "13cc53fe1ed2fcce"  # and the same again
    assert news.extraction_settings() == "1c0b79fa825042ac"
