"""The `nl_treaties` kind: the Netherlands treaty database (Verdragenbank), as a package.

reference: the SRU query, party-table names and options; parse: listing pages and item XML as
records; source: the Source (the event rules, status table and catalogue are the shared party
tables of `sources.parties`)."""

from __future__ import annotations

from monitor.sources.nl_treaties.parse import Listed, Listing, iso_date, parse_item, parse_listing
from monitor.sources.nl_treaties.reference import CONSENT, DEFAULT_BASE_URL, identifier, treaties_option
from monitor.sources.nl_treaties.source import NlTreatiesSource, designation

__all__ = ["CONSENT", "DEFAULT_BASE_URL", "Listed", "Listing", "NlTreatiesSource", "designation", "identifier",
           "iso_date", "parse_item", "parse_listing", "treaties_option"]
