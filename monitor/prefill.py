"""Many tables of one schema: the defaults filled in once, each table's own keys parsed on top.

`options.validate_table` walks every key of the schema for every table. A config of a thousand
sources of one kind repeats that walk a thousand times with the same defaults; a `Blank` holds
its outcome for a table that sets nothing, so a table only costs its own keys. A table with any
problem goes back to `validate_table`, which reports every problem, in its usual order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .options import Option, resolve_env, validate_table


@dataclass(frozen=True)
class Blank:
    """What `validate_table(table, schema, …, defaults)` gives a table that sets no key (a
    required key holds None), and which keys a table must set."""

    schema: dict[str, Option]
    defaults: dict[str, Any] | None
    values: dict[str, Any]
    required: tuple[str, ...]


def blank(schema: dict[str, Option], defaults: dict[str, Any] | None = None) -> Blank:
    """The blank table of `schema`: each key (in schema order) takes `defaults[key]`, then its
    option's default, as in `validate_table`."""
    values = {key: (defaults[key] if defaults is not None and key in defaults else option.default)
              for key, option in schema.items()}
    return Blank(schema, defaults, values, tuple(key for key, option in schema.items() if option.required))


def validate_prefilled(table: Any, shape: Blank, path: str, problems: list[str]) -> dict[str, Any]:
    """`validate_table(table, shape.schema, path, problems, shape.defaults)`: the same values
    in the same order, or the same problems."""
    values = _without_problems(table, shape)
    if values is None:
        return validate_table(table, shape.schema, path, problems, shape.defaults)
    return values


def _without_problems(table: Any, shape: Blank) -> dict[str, Any] | None:
    """The validated values of `table`, or None at its first problem."""
    if not isinstance(table, dict):
        return None
    for key in shape.required:
        if key not in table:
            return None
    values = shape.values.copy()  # every key already in place: setting one keeps the order
    schema = shape.schema
    unresolved: list[str] = []
    for key, raw in table.items():
        option = schema.get(key)
        if option is None:
            return None
        try:
            value = option.parse(raw)
        except ValueError:
            return None
        if key.endswith("_env") and value is not None:
            value = resolve_env(value, key, unresolved)
            if unresolved:
                return None
        values[key] = value
    return values
