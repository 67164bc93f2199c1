"""Config values given on the command line, made what the schema expects.

Snakemake reads a nested ``--config`` value (``--config denoise='{min_abundance: 5}'``) with
YAML's base loader, so every number and boolean inside it arrives as text ('5', 'true'), and
``--config samples=`` arrives as None. :func:`coerce_to_schema` turns text into the number or
boolean the config schema asks for where the text is one, and refuses it with a message saying
what was given and what is expected where it is not; the schema check then sees the values a
config file would have given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .errors import InputError

_INTEGER = re.compile(r"^[+-]?\d+$")
_BOOLEANS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}
_KIND = {"integer": "a whole number", "number": "a number", "boolean": "true or false"}


def _resolve(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = schema.get("$ref", "")
    if ref.startswith("#/"):
        node: Any = root
        for part in ref[2:].split("/"):
            node = node[part]
        return node
    return schema


def _types(schema: Mapping[str, Any], root: Mapping[str, Any]) -> list[str]:
    """The JSON types a schema node allows (its ``type`` and those of its oneOf/anyOf)."""
    schema = _resolve(schema, root)
    kinds = schema.get("type", [])
    out = [kinds] if isinstance(kinds, str) else list(kinds)
    for option in (*schema.get("oneOf", ()), *schema.get("anyOf", ())):
        out += _types(option, root)
    return out


def _allows_text(schema: Mapping[str, Any], root: Mapping[str, Any], value: str) -> bool:
    """Whether ``value`` is valid as text here (a string type without an enum that excludes it)."""
    schema = _resolve(schema, root)
    options = [schema, *schema.get("oneOf", ()), *schema.get("anyOf", ())]
    for option in options:
        option = _resolve(option, root)
        kinds = option.get("type", [])
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if "string" in kinds and ("enum" not in option or value in option["enum"]):
            return True
    return False


def _convert(value: str, kinds: list[str]) -> Any:
    text = value.strip()
    if "integer" in kinds and _INTEGER.match(text):
        return int(text)
    if "number" in kinds:
        try:
            return float(text)
        except ValueError:
            pass
    if "boolean" in kinds and text.lower() in _BOOLEANS:
        return _BOOLEANS[text.lower()]
    if "null" in kinds and text.lower() in ("", "null", "~"):
        return None
    raise ValueError(value)


def coerce_to_schema(value: Any, schema: Mapping[str, Any], root: Mapping[str, Any] | None = None,
                     key: str = "") -> Any:
    """``value`` with text made the number or boolean ``schema`` expects (recursively through
    objects and arrays). Text the schema does not accept as text and that is not such a value
    raises an :class:`InputError` naming the key, the value given and what is expected."""
    root = root if root is not None else schema
    schema = _resolve(schema, root)
    if isinstance(value, Mapping):
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        out = {}
        for name, item in value.items():
            sub = props.get(name, extra if isinstance(extra, Mapping) else None)
            path = f"{key}.{name}" if key else str(name)
            out[name] = coerce_to_schema(item, sub, root, path) if sub is not None else item
        return out
    if isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, Mapping):
            return [coerce_to_schema(v, items, root, f"{key}[{i}]") for i, v in enumerate(value)]
        return value
    if not isinstance(value, str):
        return value
    kinds = _types(schema, root)
    wanted = [k for k in kinds if k in ("integer", "number", "boolean")]
    if not wanted or _allows_text(schema, root, value):
        return value
    try:
        return _convert(value, kinds)
    except ValueError:
        expected = " or ".join(dict.fromkeys(_KIND[k] for k in wanted))
        raise InputError(f"config key {key}: got '{value}' (text), expected {expected}") from None
