"""Where each participant of a treaty stands, and how the number of parties moved over time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from monitor.treaties import StatusRow, TreatyStatus, state_id

STANDINGS = ("party", "signed", "left")
"""The standings a participant of the status table can have; "never" is every other state."""
STANDING_LABELS = {"party": "Party", "signed": "Signed only", "left": "Denounced or withdrawn",
                   "never": "Never joined"}


@dataclass(frozen=True)
class Standing:
    """One participant: its name, ISO 3166 alpha-2 code when it is a state, and its standing."""

    participant: str
    code: str | None
    standing: str
    since: str | None = None
    """The date of the consent (a party), the signature (signed only) or the denunciation."""
    effective: str | None = None
    """For a denunciation or withdrawal: when it takes (or took) effect."""

    @property
    def label(self) -> str:
        """The standing in words, with its dates: "Denounced or withdrawn (effective 2026-03-16)"."""
        text = STANDING_LABELS[self.standing]
        if self.standing == "left" and self.effective:
            return f"{text} (effective {self.effective})"
        return f"{text} ({self.since})" if self.since else text


@dataclass(frozen=True)
class Step:
    """The number of parties from `day` on; `change` names who joined or left that day."""

    day: str
    parties: int
    joined: tuple[str, ...] = ()
    left: tuple[str, ...] = ()


@dataclass
class Standings:
    """A treaty's participants by standing, those no map can place, and its parties over time."""

    rows: list[Standing]
    steps: list[Step] = field(default_factory=list)
    undated: list[str] = field(default_factory=list)
    """Parties whose consent has no ISO date, so the curve cannot place them."""

    def of(self, standing: str) -> list[Standing]:
        return [row for row in self.rows if row.standing == standing]


def alpha_2(participant: str) -> str | None:
    """The ISO 3166 alpha-2 code of a state as a depositary spells it, lower case; None for an
    organisation or a name pycountry does not know (the stories' rule, so pictures and stories agree)."""
    code = state_id(participant)
    if code is None:
        return None
    import pycountry

    country = pycountry.countries.get(alpha_3=code)
    return country.alpha_2.lower() if country else None


def standing_of(row: StatusRow) -> Standing:
    """A status row's standing: a denunciation wins over a consent, a consent over a signature."""
    code = alpha_2(row.participant)
    if row.denunciation or row.denunciation_effective:
        return Standing(row.participant, code, "left", row.denunciation, row.denunciation_effective)
    if row.consent:
        return Standing(row.participant, code, "party", row.consent)
    return Standing(row.participant, code, "signed", row.signature)


def standings(status: TreatyStatus) -> Standings:
    """Every participant's standing and the step curve of the number of parties."""
    rows = [standing_of(row) for row in status.rows if row.consent or row.signature or row.denunciation
            or row.denunciation_effective]
    steps, undated = parties_over_time(status.rows)
    return Standings(rows, steps, undated)


def _iso(text: str | None) -> str | None:
    try:
        return date.fromisoformat(text[:10]).isoformat() if text else None
    except ValueError:
        return None


def parties_over_time(rows: list[StatusRow]) -> tuple[list[Step], list[str]]:
    """One step per day on which states joined (consent) or left (a denunciation taking effect,
    or made, when its effective date is unknown); parties with no ISO consent date are listed apart."""
    joined: dict[str, list[str]] = {}
    left: dict[str, list[str]] = {}
    undated = []
    for row in rows:
        consent = _iso(row.consent)
        if row.consent and consent is None:
            undated.append(row.participant)
            continue
        if consent:
            joined.setdefault(consent, []).append(row.participant)
            end = _iso(row.denunciation_effective) or _iso(row.denunciation)
            if end:
                left.setdefault(end, []).append(row.participant)
    steps, count = [], 0
    for day in sorted(set(joined) | set(left)):
        count += len(joined.get(day, [])) - len(left.get(day, []))
        steps.append(Step(day, count, tuple(sorted(joined.get(day, []))), tuple(sorted(left.get(day, [])))))
    return steps, undated


def on_the_map(code: str | None) -> bool:
    """Whether the world map has a shape for this alpha-2 code."""
    from pygal_maps_world.i18n import COUNTRIES

    return code is not None and code in COUNTRIES


def unplaced(table: Standings) -> list[Standing]:
    """Participants the map cannot show (organisations, states it has no shape for): listed, never dropped."""
    return [row for row in table.rows if not on_the_map(row.code)]
