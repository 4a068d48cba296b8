"""The published event@1 JSON Schema as a receiver loads it, and the check of a payload against it."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from helpers.paths import ROOT

SCHEMA_FILE = ROOT / "monitor" / "schemas" / "event-1.schema.json"


@cache
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(document: Any) -> list[str]:
    """What the schema finds wrong with `document` (formats checked too), one line each."""
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in validator().iter_errors(document)]


def assert_valid(*documents: Any) -> None:
    for document in documents:
        errors = schema_errors(document)
        assert errors == [], f"{errors} in {json.dumps(document, ensure_ascii=False)[:400]}"


def events_in(body: bytes) -> list[Any]:
    """The event@1 payloads a request or an output carries: a payload, a CloudEvent's data, or a
    list of payloads; [] for anything else (Slack, Discord, other JSON)."""
    try:
        document = json.loads(body)
    except ValueError:
        return []
    documents = document if isinstance(document, list) else [document]
    found = []
    for item in documents:
        if isinstance(item, dict) and item.get("specversion") and isinstance(item.get("data"), dict):
            item = item["data"]
        if isinstance(item, dict) and item.get("schema") == "legal-monitor/event@1":
            found.append(item)
    return found
