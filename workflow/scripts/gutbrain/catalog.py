"""The project's YAML module catalog, ``resources/module_catalog.yaml``.

Format in docs/modules.md; the model and the predictability rule in :mod:`gutbrain.modules`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from gutbrain.errors import InputError
from gutbrain.modules import CATEGORY_PATTERN, DIRECTIONS, Alternative, Module, Step, is_ko
from gutbrain.yaml_checks import (
    LINE_KEY,
    check_keys,
    load_yaml_with_lines,
    located_error,
    parse_source,
)

_TOP_KEYS = {"catalog_version", "description", "modules"}
_MODULE_KEYS = {
    "id", "name", "category", "direction", "steps", "source", "predictable", "reason",
    "note", "caveat",
}
_MODULE_REQUIRED = ("id", "name", "category", "direction", "steps", "source", "predictable")
_STEP_KEYS = {"name", "alternatives", "caveat", "required"}


def _parse_alternative(path: Path, text: Any, module_id: str, key: str, line: int) -> Alternative:
    if not isinstance(text, str) or not text.strip():
        raise located_error(path, line, module_id, key,
                            "an alternative is a KO ID or 'K00001+K00002'")
    subunits = tuple(s.strip() for s in text.split("+"))
    for subunit in subunits:
        if not is_ko(subunit):
            raise located_error(path, line, module_id, key,
                        f"{subunit!r} is not a KO ID (expected K followed by 5 digits)")
    return subunits


def _parse_catalog_module(path: Path, raw: Any, index: int) -> Module:
    if not isinstance(raw, dict):
        raise located_error(path, None, "", f"modules[{index}]", "each module must be a mapping")
    line = raw.get(LINE_KEY, 0)
    module_id = str(raw.get("id", "")) or f"#{index + 1}"
    check_keys(path, raw, _MODULE_KEYS, module_id, "")
    for key in _MODULE_REQUIRED:
        if key not in raw:
            raise located_error(path, line, module_id, key, "missing required key")
    if not isinstance(raw["id"], str) or not re.match(r"^[A-Za-z][A-Za-z0-9_]*$", raw["id"]):
        raise located_error(path, line, module_id, "id", "use letters, digits and '_' only")
    for key in ("name", "reason", "note", "caveat"):
        if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
            raise located_error(path, line, module_id, key, "must be a non-empty text")
    if not isinstance(raw["category"], str) or not CATEGORY_PATTERN.match(raw["category"]):
        raise located_error(path, line, module_id, "category",
                    f"{raw['category']!r} is not like 'scfa:butyrate' or 'neuro:gaba'")
    if raw["direction"] not in DIRECTIONS:
        raise located_error(path, line, module_id, "direction",
                    f"{raw['direction']!r} must be one of {', '.join(DIRECTIONS)}")
    if not isinstance(raw["predictable"], bool):
        raise located_error(path, line, module_id, "predictable", "must be true or false")
    if not raw["predictable"] and "reason" not in raw:
        raise located_error(path, line, module_id, "reason",
                    "a module with 'predictable: false' needs a 'reason'")
    if not isinstance(raw["source"], list) or not raw["source"]:
        raise located_error(path, line, module_id, "source", "give a non-empty list of citations")
    source = tuple(
        parse_source(path, item, module_id, f"source[{i}]", line)
        for i, item in enumerate(raw["source"])
    )
    if not isinstance(raw["steps"], list) or (raw["predictable"] and not raw["steps"]):
        raise located_error(path, line, module_id, "steps", "give a non-empty list of steps")
    steps: list[Step] = []
    step_names: list[str] = []
    step_lines: list[int] = []
    required: list[int] = []
    for i, step in enumerate(raw["steps"]):
        key = f"steps[{i}]"
        if not isinstance(step, dict):
            raise located_error(path, line, module_id, key,
                                "each step is a mapping with name/alternatives")
        step_line = step.get(LINE_KEY, line)
        check_keys(path, step, _STEP_KEYS, module_id, key + ".")
        if not isinstance(step.get("name"), str) or not step["name"].strip():
            raise located_error(path, step_line, module_id, key + ".name", "missing step name")
        alternatives = step.get("alternatives")
        if not isinstance(alternatives, list) or not alternatives:
            raise located_error(path, step_line, module_id, key + ".alternatives",
                        "give a non-empty list of KO IDs or complexes 'K00001+K00002'")
        steps.append(tuple(
            _parse_alternative(path, alt, module_id, f"{key}.alternatives[{j}]", step_line)
            for j, alt in enumerate(alternatives)
        ))
        step_names.append(step["name"].strip())
        step_lines.append(step_line)
        if "required" in step:
            if not isinstance(step["required"], bool):
                raise located_error(path, step_line, module_id, key + ".required",
                                    "must be true or false")
            if step["required"]:
                required.append(i)
    if raw["predictable"] and not required:
        raise located_error(path, line, module_id, "steps",
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
    path = Path(yaml_path)
    data = load_yaml_with_lines(path)
    if not isinstance(data, dict) or "modules" not in data:
        raise InputError(f"{path}: expected a mapping with a 'modules' list at the top level")
    check_keys(path, data, _TOP_KEYS, "", "")
    if not isinstance(data["modules"], list) or not data["modules"]:
        raise InputError(f"{path}: 'modules' must be a non-empty list")
    modules: list[Module] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(data["modules"]):
        module = _parse_catalog_module(path, raw, index)
        if module.id in seen:
            raise located_error(path, module.line, module.id, "id",
                        f"duplicate module ID (first on line {seen[module.id]})")
        seen[module.id] = module.line
        modules.append(module)
    return modules
