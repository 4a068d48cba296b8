"""What is known of the UNODA treaties database: its GraphQL query, action types and treaties."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

DEFAULT_URL = "https://gql-api-dataportal.unoda.org"
"""The GraphQL endpoint behind treaties.unoda.org (reported by a working client)."""
PAGE_URL = "https://treaties.unoda.org/t/{short_name}"
"""A treaty's public page on the database's site."""

QUERY = """query Treaty($input: TreatyRequestInput_) {
  treaty_(input: $input) {
    ... on ReadResponse {
      data {
        ... on Treaty_ {
          actions_ {
            date
            action_type_
            state { name }
            depositary { short_name }
          }
        }
      }
    }
  }
}"""
"""The query a working client sends, as it sends it (no field it did not ask for)."""


def variables(short_name: str) -> dict[str, Any]:
    return {"input": {"id": None, "short_name": short_name, "type": "GET_TREATY"}}


ACTIONS = {"Signatory": ("signature", None), "Ratification": ("consent", "ratification"),
           "Accession": ("consent", "accession"), "Succession": ("consent", "succession"),
           "Withdrawal": ("denunciation", None)}
"""`action_type_` -> (party field, kind of consent). `Withdrawal` is a denunciation."""


@dataclass(frozen=True)
class TreatyInfo:
    """A treaty the kind knows by short name: its title and how long a withdrawal takes to act."""

    title: str
    notice_months: int | None
    article: str | None


TREATIES = {
    "npt": TreatyInfo("Treaty on the Non-Proliferation of Nuclear Weapons", 3, "Article X"),
    "ctbt": TreatyInfo("Comprehensive Nuclear-Test-Ban Treaty", 6, "Article IX"),
    "test_ban": TreatyInfo("Treaty Banning Nuclear Weapon Tests in the Atmosphere, in Outer Space and "
                           "Under Water", 3, "Article IV"),
    "tpnw": TreatyInfo("Treaty on the Prohibition of Nuclear Weapons", 12, "Article 17"),
    "1925": TreatyInfo("Protocol for the Prohibition of the Use in War of Asphyxiating, Poisonous or Other "
                       "Gases, and of Bacteriological Methods of Warfare (Geneva Protocol)", None, None),
}
"""The short names seen in working clients, with each treaty's withdrawal clause (from the treaty
texts: a withdrawal takes effect that many months after its notice)."""

DEFAULT_TREATIES = list(TREATIES)

_SHORT_NAME = re.compile(r"^[a-z0-9_]{1,40}$")


def treaties_option(value: Any) -> list[str]:
    """Short names as the database spells them in its addresses (`npt`, `test_ban`, `1925`)."""
    if not isinstance(value, list) or not value:
        raise ValueError('must be a non-empty list of short names such as ["npt", "ctbt"]')
    names = [str(v).strip() for v in value]
    bad = [n for n in names if not _SHORT_NAME.match(n)]
    if bad:
        raise ValueError(f"{bad[0]!r} is not a short name (lower-case letters, digits, _: as in "
                         "treaties.unoda.org/t/npt)")
    return list(dict.fromkeys(names))
