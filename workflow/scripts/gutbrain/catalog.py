"""The project's YAML module catalog, ``resources/module_catalog.yaml``.

Format in docs/modules.md; the model and the predictability rule in :mod:`gutbrain.modules`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from gutbrain.modules import DIRECTIONS, Alternative, Module, Step, is_ko
from gutbrain.yaml_checks import (
    LINE_KEY,
    check_category,
    check_keys,
    check_texts,
    load_entries,
    located_error,
    open_entry,
    parse_sources,
)

_TOP_KEYS = {"catalog_version", "description", "modules"}
_MODULE_KEYS = {
    "id", "name", "category", "direction", "steps", "source", "predictable", "reason",
    "note", "caveat",
}
_MODULE_REQUIRED = ("id", "name", "category", "direction", "steps", "source", "predictable")
_STEP_KEYS = {"name", "alternatives", "caveat", "required"}


def _parse_alternative(path: Path, text: Any, who: str, key: str, line: int) -> Alternative:
    if not isinstance(text, str) or not text.strip():
        raise located_error(path, line, who, key, "an alternative is a KO ID or 'K00001+K00002'")
    subunits = tuple(s.strip() for s in text.split("+"))
    for subunit in subunits:
        if not is_ko(subunit):
            raise located_error(path, line, who, key,
                                f"{subunit!r} is not a KO ID (expected K followed by 5 digits)")
    return subunits


def _parse_catalog_module(path: Path, raw: Any, index: int) -> Module:
    line, who = open_entry(path, raw, index, "modules", "module", _MODULE_KEYS, _MODULE_REQUIRED)
    if not isinstance(raw["id"], str) or not re.match(r"^[A-Za-z][A-Za-z0-9_]*$", raw["id"]):
        raise located_error(path, line, who, "id", "use letters, digits and '_' only")
    check_texts(path, raw, who, line, ("name", "reason", "note", "caveat"))
    check_category(path, raw, who, line)
    if raw["direction"] not in DIRECTIONS:
        raise located_error(path, line, who, "direction",
                            f"{raw['direction']!r} must be one of {', '.join(DIRECTIONS)}")
    if not isinstance(raw["predictable"], bool):
        raise located_error(path, line, who, "predictable", "must be true or false")
    if not raw["predictable"] and "reason" not in raw:
        raise located_error(path, line, who, "reason",
                            "a module with 'predictable: false' needs a 'reason'")
    source = parse_sources(path, raw, who, line)
    if not isinstance(raw["steps"], list) or (raw["predictable"] and not raw["steps"]):
        raise located_error(path, line, who, "steps", "give a non-empty list of steps")
    steps: list[Step] = []
    step_names: list[str] = []
    step_lines: list[int] = []
    required: list[int] = []
    for i, step in enumerate(raw["steps"]):
        key = f"steps[{i}]"
        if not isinstance(step, dict):
            raise located_error(path, line, who, key,
                                "each step is a mapping with name/alternatives")
        step_line = step.get(LINE_KEY, line)
        check_keys(path, step, _STEP_KEYS, who, key + ".")
        if not isinstance(step.get("name"), str) or not step["name"].strip():
            raise located_error(path, step_line, who, key + ".name", "missing step name")
        alternatives = step.get("alternatives")
        if not isinstance(alternatives, list) or not alternatives:
            raise located_error(path, step_line, who, key + ".alternatives",
                                "give a non-empty list of KO IDs or complexes 'K00001+K00002'")
        steps.append(tuple(
            _parse_alternative(path, alt, who, f"{key}.alternatives[{j}]", step_line)
            for j, alt in enumerate(alternatives)
        ))
        step_names.append(step["name"].strip())
        step_lines.append(step_line)
        if "required" in step:
            if not isinstance(step["required"], bool):
                raise located_error(path, step_line, who, key + ".required",
                                    "must be true or false")
            if step["required"]:
                required.append(i)
    if raw["predictable"] and not required:
        raise located_error(path, line, who, "steps",
                            "a predictable module needs at least one step marked 'required: true' "
                            "(its defining committed or terminal reaction)")
    return Module(
        id=raw["id"], name=raw["name"].strip(), steps=tuple(steps), category=raw["category"],
        direction=raw["direction"], source=source, predictable=raw["predictable"],
        reason=raw.get("reason", "").strip(), note=raw.get("note", "").strip(),
        caveat=raw.get("caveat", "").strip(), step_names=tuple(step_names),
        required=tuple(required), origin=str(path),
        line=line, step_lines=tuple(step_lines),
    )


def load_catalog(yaml_path: str | os.PathLike[str]) -> list[Module]:
    """Load and validate the project's YAML module catalog (format in docs/modules.md)."""
    return load_entries(Path(yaml_path), "modules", "module", _TOP_KEYS, _parse_catalog_module)
