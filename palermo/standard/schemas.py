"""JSON Schemas for the documents the standard accepts from users: screening instruments."""

from __future__ import annotations

from typing import Any

_OUTCOME_NODE: dict[str, Any] = {
    "oneOf": [
        {"type": "string", "minLength": 1},
        {
            "type": "object",
            "properties": {
                "all_of": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/node"}},
                "any_of": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/node"}},
            },
            "minProperties": 1,
            "maxProperties": 1,
            "additionalProperties": False,
        },
    ]
}

_KEY = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "maxLength": 80}

INSTRUMENT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Palermo screening instrument",
    "type": "object",
    "required": ["key", "name", "age_group", "source", "verification", "dimensions", "rule"],
    "properties": {
        "key": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$", "maxLength": 80},
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "age_group": {"enum": ["adult", "child", "any"]},
        "exploitation": {"enum": ["labour", "sexual", "any"]},
        "source": {
            "type": "object",
            "required": ["citation"],
            "properties": {
                "citation": {"type": "string", "minLength": 1},
                "url": {"type": "string", "pattern": "^https?://", "maxLength": 500},
            },
        },
        "verification": {
            "type": "object",
            "required": ["status"],
            "properties": {
                "status": {"enum": ["verified", "unverified", "placeholder"]},
                "note": {"type": "string"},
            },
        },
        "notes": {"type": "array", "items": {"type": "string"}},
        "facts": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "label"],
                "properties": {"key": _KEY, "label": {"type": "string", "minLength": 1}},
            },
        },
        "dimensions": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["key", "label", "indicators"],
                "properties": {
                    "key": _KEY,
                    "label": {"type": "string", "minLength": 1},
                    "indicators": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["key", "label", "grade"],
                            "properties": {
                                "key": _KEY,
                                "label": {"type": "string", "minLength": 1},
                                "grade": {"enum": ["strong", "medium", "weak"]},
                                "confirmed": {"type": "boolean"},
                                "note": {"type": "string"},
                            },
                        },
                    },
                },
            },
        },
        "rule": {
            "type": "object",
            "required": ["dimension_positive", "outcome"],
            "properties": {
                "dimension_positive": {
                    "type": "object",
                    "required": ["any_of"],
                    "properties": {
                        "any_of": {
                            "type": "array",
                            "minItems": 1,
                            "items": {
                                "type": "object",
                                "minProperties": 1,
                                "propertyNames": {
                                    "enum": [
                                        "strong_min",
                                        "medium_min",
                                        "weak_min",
                                        "medium_or_weak_min",
                                        "any_min",
                                    ]
                                },
                                "additionalProperties": {"type": "integer", "minimum": 0},
                            },
                        }
                    },
                },
                "outcome": {"$ref": "#/$defs/node"},
            },
        },
        "examples": {"type": "array"},
    },
    "$defs": {"node": _OUTCOME_NODE},
}
