"""legal-monitor: watch legal portals and treaty depositaries, alert on treaty actions."""

from monitor.errors import ConfigError, FetchError, MonitorError, SourceError, StateError, StructureChanged, TooLarge

__version__ = "0.1.0"

from monitor.config import Config, SourceConfig, load_config  # noqa: E402
from monitor.events import Event, Treaty  # noqa: E402
from monitor.net import Fetcher  # noqa: E402
from monitor.pipeline import CheckReport, check_all, check_source  # noqa: E402
from monitor.records import Record  # noqa: E402
from monitor.sources import SOURCE_KINDS, Part, Source  # noqa: E402
from monitor.store import State, open_state  # noqa: E402

__all__ = [
    "CheckReport", "Config", "ConfigError", "Event", "FetchError", "Fetcher", "MonitorError", "Part",
    "Record", "SOURCE_KINDS", "Source", "SourceConfig", "SourceError", "State", "StateError",
    "StructureChanged", "TooLarge", "Treaty", "check_all", "check_source", "load_config", "open_state",
]
