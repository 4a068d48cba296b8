"""The `unoda` kind: the UNODA treaties database (disarmament treaties), as a package.

reference: the GraphQL query, action types, known treaties and options; parse: an answer's
actions as party records; source: the Source (event rules, status table and catalogue are the
shared party tables of `sources.parties`)."""

from __future__ import annotations

from monitor.sources.unoda.parse import Action, build_records, parse_actions
from monitor.sources.unoda.reference import ACTIONS, DEFAULT_TREATIES, DEFAULT_URL, QUERY, TREATIES, treaties_option
from monitor.sources.unoda.source import UnodaSource, designation

__all__ = ["ACTIONS", "Action", "DEFAULT_TREATIES", "DEFAULT_URL", "QUERY", "TREATIES", "UnodaSource",
           "build_records", "designation", "parse_actions", "treaties_option"]
