"""The omixer-rpm module-file format (GMM/GBM databases) and its ``.names`` files.

See :mod:`gutbrain.modules` for the model and the predictability rule.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from gutbrain.errors import InputError
from gutbrain.modules import ORTHOLOG_TOKEN, Alternative, Module, unpredictable_steps

MODULE_END = "///"


def _guess_direction(name: str) -> str:
    lowered = name.lower()
    if "degradation" in lowered:
        return "degradation"
    if "synthesis" in lowered or "production" in lowered:
        return "synthesis"
    return ""


def read_module_names(path: str | os.PathLike[str]) -> dict[str, str]:
    """Read an omixer ``.names`` file (``ID<TAB>name`` per line) into a dict."""
    names: dict[str, str] = {}
    with open(path, encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.rstrip("\r\n")
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) != 2 or not parts[0].strip():
                raise InputError(
                    f"{path} line {number}: expected 'module ID<TAB>name', got {line!r}"
                )
            names[parts[0].strip()] = parts[1].strip()
    return names


def _id_prefix(module_id: str) -> str:
    match = re.match(r"^([A-Za-z]+)\d+$", module_id)
    return match.group(1) if match else ""


def parse_omixer_modules(
    path: str | os.PathLike[str], names_path: str | os.PathLike[str] | None = None
) -> list[Module]:
    """Parse an omixer-rpm module file (GMM/GBM format) into ``Module`` objects.

    Format: a line ``ID<TAB>name`` starts a module; each following line is one reaction step
    whose alternatives are separated by TAB and whose complex subunits are joined by ``,``;
    a line ``///`` ends the module. Blank lines between modules are ignored; the end of the
    file closes a last module that lacks ``///`` (the published GBM v1.0 file ends that way).
    Syntax errors raise ``InputError`` with the file and line number. When ``names_path`` is
    given, names from that ``.names`` file replace the names in the module file.
    """
    names = read_module_names(names_path) if names_path is not None else {}
    modules: list[Module] = []
    seen: dict[str, int] = {}
    current: dict[str, Any] | None = None

    def close(end_line: int) -> None:
        assert current is not None
        if not current["steps"]:
            raise InputError(
                f"{path} line {end_line}: module {current['id']} (line {current['line']}) "
                "has no reaction steps; add one step per line before '///'"
            )
        modules.append(_omixer_module(current, names, str(path)))

    with open(path, encoding="utf-8") as handle:
        number = 0
        for number, raw in enumerate(handle, start=1):
            line = raw.rstrip("\r\n").strip()
            if current is None:
                if not line:
                    continue
                if line == MODULE_END:
                    raise InputError(f"{path} line {number}: '///' without a module to close")
                parts = line.split("\t")
                if len(parts) < 2 or not re.match(r"^[A-Za-z0-9_.:-]+$", parts[0].strip()):
                    raise InputError(
                        f"{path} line {number}: expected a module header 'ID<TAB>name', "
                        f"got {line!r}"
                    )
                module_id = parts[0].strip()
                if module_id in seen:
                    raise InputError(
                        f"{path} line {number}: duplicate module ID {module_id} "
                        f"(first defined on line {seen[module_id]}); give each module its own ID"
                    )
                seen[module_id] = number
                current = {
                    "id": module_id, "name": "\t".join(parts[1:]).strip(), "line": number,
                    "steps": [], "step_lines": [],
                }
                continue
            if line == MODULE_END:
                close(number)
                current = None
                continue
            if not line:
                raise InputError(
                    f"{path} line {number}: empty step in module {current['id']}; "
                    "remove the blank line or end the module with '///'"
                )
            fields = line.split("\t")
            prefix = _id_prefix(current["id"])
            if (
                current["steps"] and len(fields) >= 2 and prefix
                and _id_prefix(fields[0].strip()) == prefix
            ):
                raise InputError(
                    f"{path} line {number}: new module header {fields[0].strip()!r} while "
                    f"module {current['id']} (line {current['line']}) is still open; "
                    "add the missing '///' before it"
                )
            step: list[Alternative] = []
            for alternative in fields:
                subunits = tuple(s.strip() for s in alternative.split(","))
                if not alternative.strip() or any(not s for s in subunits):
                    raise InputError(
                        f"{path} line {number}: empty alternative or subunit in module "
                        f"{current['id']} ({line!r}); check for doubled TABs or commas"
                    )
                bad = [s for s in subunits if not ORTHOLOG_TOKEN.match(s)]
                if bad:
                    raise InputError(
                        f"{path} line {number}: unrecognised line in module {current['id']}: "
                        f"{bad[0]!r} is not an ortholog ID (steps list IDs separated by TAB, "
                        "complex subunits joined by ',')"
                    )
                step.append(subunits)
            current["steps"].append(tuple(step))
            current["step_lines"].append(number)
    if current is not None:
        close(number)
    return modules


def _omixer_module(raw: Mapping[str, Any], names: Mapping[str, str], origin: str) -> Module:
    steps = tuple(raw["steps"])
    name = names.get(raw["id"], raw["name"])
    bad_steps = unpredictable_steps(steps)
    reason = ""
    if bad_steps:
        lines = raw["step_lines"]
        examples = ", ".join(
            f"step {i + 1} (line {lines[i]}: {'/'.join('+'.join(a) for a in steps[i])})"
            for i in bad_steps
        )
        reason = (
            "defined only by non-KO orthologous groups at " + examples
            + "; not predictable from a KO table (16S-based prediction)"
        )
    return Module(
        id=raw["id"], name=name, steps=steps, direction=_guess_direction(name),
        predictable=not bad_steps, reason=reason, origin=origin, line=raw["line"],
        step_lines=tuple(raw["step_lines"]),
    )
