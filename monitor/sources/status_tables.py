"""The source kinds that can show a treaty's status table, by `kind`."""

from __future__ import annotations

from monitor.sources import parties
from monitor.sources.coe import CoeSource
from monitor.sources.coe import status as coe_status
from monitor.sources.untc import UntcSource
from monitor.sources.untc import status as untc_status
from monitor.treaties import StatusTable

STATUS_TABLES: dict[str, StatusTable] = {
    CoeSource.kind: coe_status.status_table,
    UntcSource.kind: untc_status.status_table,
    "nl_treaties": parties.status_table,
    "unoda": parties.status_table,
    "hcch": parties.status_table,
    "ilo": parties.status_table,
}
"""Kinds whose records (and events) of a treaty are keyed "<treaty id>:…"."""
