"""The storage floor: the SQLite state (sources, documents, records, events, checks), its schema,
the delivery outbox, held events, the daemon's lock, and the read-only queries of the pages."""

from monitor.registry import lazy_names
from monitor.store.database import atomic
from monitor.store.event_rows import row_to_event
from monitor.store.held import drop, held_events, release
from monitor.store.lock import DaemonLock, lock_holder
from monitor.store.outbox import Delivery, Outbox
from monitor.store.prior import Prior
from monitor.store.quiet import QuietWrites, is_quiet
from monitor.store.state import State, open_state, state_for
from monitor.store.story_reads import story_events, with_related
from monitor.store.writes import SuccessfulCheck

_QUERIES = ["Filters", "actions_by_month", "event_by_id", "events_version", "find_events", "generic_treaty",
            "moment_ranks", "months_back", "parse_filters", "parse_since", "source_records", "source_rows",
            "subject_actions", "subject_name", "treaty_records"]
# The pages' queries load when a listing or page first asks for one (a check never does).
__getattr__ = lazy_names(__name__, {name: f".queries:{name}" for name in _QUERIES})

__all__ = ["DaemonLock", "Delivery", "Outbox", "Prior", "QuietWrites", "State", "SuccessfulCheck", "atomic",
           "drop", "held_events", "is_quiet", "lock_holder", "open_state", "release", "row_to_event",
           "state_for", "story_events", "with_related", *_QUERIES]
