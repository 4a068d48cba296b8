"""The dashboard's pictures as SVG: a treaty's map and curve, a state's timeline, the months at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from monitor.events import LABELS
from monitor.web.pictures.draw import config, finish
from monitor.web.pictures.standing import STANDING_LABELS, STANDINGS, Standings, Step, on_the_map

TIMELINE_ROWS = {"ratification": 2, "entry_into_force": 1.5, "signature": 1, "reservation": 0.5,
                 "law_published": 0.5, "suspension": -1, "denunciation": -2}
"""Where a state's actions sit on its timeline: joining above the axis, leaving below."""
MONTH_TYPES = ("signature", "ratification", "entry_into_force", "reservation", "law_published", "suspension",
               "denunciation")
"""The stacking order of the months chart: denunciations and withdrawals on top, in their own colour."""


@dataclass(frozen=True)
class Mark:
    """One action on a state's timeline: its day, type, what it says and the page it links to."""

    day: str
    type: str
    text: str
    href: str


def treaty_map(title: str, standings: Standings) -> bytes:
    """A world map with each state coloured (and patterned) by its standing in the treaty."""
    from pygal_maps_world.maps import World

    placed = {row.code for row in standings.rows if on_the_map(row.code)}
    chart = World(**config([*STANDINGS, "never"], title=f"Who is in: {title}", width=960, height=560,
                           formatter=lambda value: ""))
    for standing in STANDINGS:
        every = standings.of(standing)
        rows = [row for row in every if on_the_map(row.code)]
        count = f"{len(every)}" if len(rows) == len(every) else f"{len(every)}, {len(rows)} on the map"
        chart.add(f"{STANDING_LABELS[standing]} ({count})",
                  [{"value": (row.code, 1), "label": f"{row.participant}: {row.label}"} for row in rows])
    never = [code for code in chart.area_names if code not in placed]
    chart.add(STANDING_LABELS["never"], [{"value": (code, 1), "label": f"{chart.area_names[code]}: never joined"}
                                         for code in never])
    counts = ", ".join(f"{len(standings.of(s))} {STANDING_LABELS[s].lower()}" for s in STANDINGS)
    return finish(chart, f"Who is in: {title}", f"A world map of {title}: {counts}. The table beside it lists "
                  "every participant with its standing and dates.")


def parties_curve(title: str, steps: list[Step], today: date | None = None) -> bytes:
    """The number of parties over time as a step curve, each denunciation marked and labelled."""
    import pygal

    chart = pygal.DateLine(**config(["curve", "denunciation"], title=f"Parties over time: {title}", width=960,
                                    height=400, show_dots=False, x_label_rotation=0, show_x_guides=False,
                                    print_labels=True, include_x_axis=True, truncate_label=-1,
                                    x_value_formatter=lambda d: d.strftime("%Y"),
                                    value_formatter=lambda n: f"{n:.0f}", tooltip_fancy_mode=False))
    points: list[tuple[date, int]] = []
    previous = 0
    for step in steps:
        day = date.fromisoformat(step.day)
        points += [(day, previous), (day, step.parties)]
        previous = step.parties
    end = max(today or date.today(), points[-1][0]) if points else (today or date.today())
    if points:
        points.append((end, previous))
    chart.add("Parties", points)
    marks = [{"value": (date.fromisoformat(s.day), s.parties), "label": f"{', '.join(s.left)} left"}
             for s in steps if s.left]
    chart.add("Denunciations and withdrawals (taking effect)", marks, stroke=False, show_dots=True, dots_size=5)
    left = sum(len(s.left) for s in steps)
    return finish(chart, f"Parties over time: {title}",
                  f"A step curve of the number of parties to {title}, now {previous}, with {left} "
                  "denunciation(s) or withdrawal(s) marked. The table beside it gives every step.")


def state_timeline(subject: str, marks: list[Mark], today: date | None = None) -> bytes:
    """A state's treaty actions in time: joining above the axis, leaving below, each a link."""
    import pygal

    types = [t for t in TIMELINE_ROWS if any(m.type == t for m in marks)]
    chart = pygal.DateTimeLine(**config(types or ["ratification"], title=f"Treaty actions of {subject}",
                                        width=960, height=360, stroke=False, dots_size=5, show_y_labels=False,
                                        include_x_axis=True, range=(-2.5, 2.5), x_label_rotation=0,
                                        x_value_formatter=lambda d: d.strftime("%Y")))
    for kind in types:
        chart.add(LABELS[kind], [{"value": (datetime.fromisoformat(m.day), TIMELINE_ROWS[kind]), "label": m.text,
                                  "xlink": {"href": m.href, "target": "_top"}}
                                 for m in marks if m.type == kind])
    if not types:
        chart.add(LABELS["ratification"], [])
    above = sum(1 for m in marks if TIMELINE_ROWS.get(m.type, 0) > 0)
    return finish(chart, f"Treaty actions of {subject}",
                  f"{len(marks)} dated treaty actions of {subject}: {above} joining (above the axis) and "
                  f"{len(marks) - above} leaving or suspending (below). The table beside it lists them.")


def months_chart(months: list[str], counts: dict[str, dict[str, int]]) -> bytes:
    """Treaty actions per month, stacked by type, denunciations and withdrawals on top in one colour."""
    import pygal

    types = list(MONTH_TYPES)
    chart = pygal.StackedBar(**config(types, title="Treaty actions per month", width=960, height=360,
                                      x_label_rotation=-45, show_minor_x_labels=True, print_values=False))
    chart.x_labels = months
    for kind in types:
        chart.add(LABELS[kind], [counts.get(month, {}).get(kind, 0) for month in months])
    total = sum(sum(c.values()) for c in counts.values())
    left = sum(c.get("denunciation", 0) for c in counts.values())
    return finish(chart, "Treaty actions per month",
                  f"Treaty actions detected in each of the last {len(months)} months, {total} in all, "
                  f"{left} of them denunciations or withdrawals. The table beside it gives the figures.")
