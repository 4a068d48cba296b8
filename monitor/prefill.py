"""Many tables of one schema: the defaults filled in once, each table's own keys parsed on top.

`options.validate_table` walks every key of the schema for every table. A config of a thousand
sources of one kind repeats that walk a thousand times with the same defaults; a `Blank` holds
its outcome for a table that sets nothing, so a table only costs its own keys. A table with any
problem goes back to `validate_table`, which reports every problem, in its usual order.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Sequence

from .options import Option, resolve_env, validate_table


class Blank(NamedTuple):
    """What `validate_table(table, schema, …, defaults)` gives a table that sets no key (a
    required key holds None), cut in parts (each a dict of some keys, in its own order), and
    which keys a table must set."""

    schema: dict[str, Option]
    defaults: dict[str, Any] | None
    parts: tuple[dict[str, Any], ...]
    part_of: dict[str, int]
    """The part each key is in."""
    required: tuple[str, ...]


def blank(schema: dict[str, Option], defaults: dict[str, Any] | None = None,
          parts: Sequence[Sequence[str]] | None = None) -> Blank:
    """The blank table of `schema`: each key takes `defaults[key]`, then its option's default,
    as in `validate_table`; cut in `parts` (the key lists cover the schema; default: one part
    in schema order)."""
    parts = [list(schema)] if parts is None else parts
    if sorted(key for part in parts for key in part) != sorted(schema):
        raise ValueError(f"the parts {parts} do not cut the schema {list(schema)}")
    values = {key: (defaults[key] if defaults is not None and key in defaults else option.default)
              for key, option in schema.items()}
    return Blank(schema, defaults, tuple({key: values[key] for key in part} for part in parts),
                 {key: index for index, part in enumerate(parts) for key in part},
                 tuple(key for key, option in schema.items() if option.required))


def validate_parts(table: Any, shape: Blank, path: str, problems: list[str]) -> list[dict[str, Any]]:
    """`validate_table(table, shape.schema, path, problems, shape.defaults)` cut in the blank's
    parts: the same values, or the same problems (with them, the parts may lack keys)."""
    parts = _without_problems(table, shape)
    if parts is None:
        values = validate_table(table, shape.schema, path, problems, shape.defaults)
        parts = [{key: values[key] for key in part if key in values} for part in shape.parts]
    return parts


def _without_problems(table: Any, shape: Blank) -> list[dict[str, Any]] | None:
    """The validated values of `table` in parts, or None at its first problem."""
    if not isinstance(table, dict):
        return None
    for key in shape.required:
        if key not in table:
            return None
    parts = [part.copy() for part in shape.parts]  # every key already in place: setting one keeps the order
    schema, part_of = shape.schema, shape.part_of
    unresolved: list[str] = []
    for key, raw in table.items():
        index = part_of.get(key)
        if index is None:
            return None
        try:
            value = schema[key].parse(raw)
        except ValueError:
            return None
        if key.endswith("_env") and value is not None:
            value = resolve_env(value, key, unresolved)
            if unresolved:
                return None
        parts[index][key] = value
    return parts
