"""Metabolic modules: the data model, the omixer-rpm module-file parser and the YAML catalog loader.

A module is an ordered list of reaction steps. Each step lists alternative enzymes; an enzyme
is a complex of one or more subunit orthologs. Two sources are supported:

* the omixer-rpm text format used by the GMM and GBM databases (``parse_omixer_modules``);
* the project's own YAML catalog, ``resources/module_catalog.yaml`` (``load_catalog``).

Predictability rule (both sources): a module can be predicted from a KEGG ortholog (KO) table
only if every step has at least one alternative whose subunits are all KO IDs (``K`` + 5
digits). A step whose alternatives all involve COG/eggNOG/TIGRFAM groups can never be observed
in a KO table, so such a module is ``predictable = False`` and is reported as not predictable,
never as zero. Catalog modules may also be declared ``predictable: false`` explicitly.

Required steps: a catalog step may be marked ``required: true``; it is the module's defining
(committed or terminal) reaction, and the scorer never scores a module whose required step is
unobserved (``gutbrain.scoring``). Every predictable catalog module must mark at least one.
Omixer-format modules have no required steps (upstream has no such notion).

Direction (``synthesis``, ``degradation`` or ``conversion``) is relative to the compound of
the module's category: a ``neuro:indole`` module that makes indole from tryptophan is
``synthesis``; a module that turns the category compound into another one (dopamine => DOPAC
under ``neuro:dopamine``) is ``conversion``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gutbrain.errors import InputError

KO_PATTERN = re.compile(r"^K\d{5}$")
#: An ortholog token in an omixer module file: KO, COG, eggNOG (bactNOG, firmNOG...), TIGRFAM.
ORTHOLOG_TOKEN = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]*$")
CATEGORY_PATTERN = re.compile(r"^(scfa|neuro):[a-z][a-z0-9_]*$")
DIRECTIONS = ("synthesis", "degradation", "conversion")
MODULE_END = "///"

Alternative = tuple[str, ...]
Step = tuple[Alternative, ...]


def is_ko(ortholog: str) -> bool:
    """True when ``ortholog`` is a KEGG ortholog ID (``K`` followed by five digits)."""
    return bool(KO_PATTERN.match(ortholog))


@dataclass(frozen=True)
class Module:
    """One metabolic module: ordered steps of alternative (complex) enzymes, plus metadata.

    ``steps[i][j]`` is the j-th alternative of step i, a tuple of subunit ortholog IDs.
    ``required`` holds the indexes of the defining steps (empty: no step is required).
    ``origin`` is the file the module was read from and ``step_lines`` the line of each step
    in that file (0 when unknown), so that messages can point at the definition.
    """

    id: str
    name: str
    steps: tuple[Step, ...]
    category: str = ""
    direction: str = ""
    source: tuple[str, ...] = ()
    predictable: bool = True
    reason: str = ""
    note: str = ""
    caveat: str = ""
    step_names: tuple[str, ...] = ()
    required: tuple[int, ...] = ()
    origin: str = ""
    line: int = 0
    step_lines: tuple[int, ...] = field(default=(), compare=False)

    @property
    def orthologs(self) -> list[str]:
        """All ortholog IDs named by the module, in order of first appearance."""
        seen: dict[str, None] = {}
        for step in self.steps:
            for alternative in step:
                for ortholog in alternative:
                    seen.setdefault(ortholog, None)
        return list(seen)

    @property
    def kos(self) -> list[str]:
        """The KO IDs named by the module, in order of first appearance."""
        return [o for o in self.orthologs if is_ko(o)]

    def where(self, step_index: int | None = None) -> str:
        """A human-readable location of the module (or one step) for messages."""
        place = self.origin or "<memory>"
        if step_index is not None and step_index < len(self.step_lines):
            if self.step_lines[step_index]:
                return f"{place} line {self.step_lines[step_index]}"
        if self.line:
            return f"{place} line {self.line}"
        return place


def unpredictable_steps(steps: Iterable[Step]) -> list[int]:
    """Indexes of steps that have no alternative made only of KO IDs (never observable)."""
    return [
        i for i, step in enumerate(steps)
        if not any(alternative and all(is_ko(o) for o in alternative) for alternative in step)
    ]


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


# --------------------------------------------------------------------------- YAML catalog

_TOP_KEYS = {"catalog_version", "description", "modules"}
_MODULE_KEYS = {
    "id", "name", "category", "direction", "steps", "source", "predictable", "reason",
    "note", "caveat",
}
_MODULE_REQUIRED = ("id", "name", "category", "direction", "steps", "source", "predictable")
_STEP_KEYS = {"name", "alternatives", "caveat", "required"}
_SOURCE_KEYS = {"kegg", "doi", "citation", "module"}
_KEGG_ID = re.compile(r"^[MK]\d{5}$")
_LINE_KEY = "__line__"


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that records the line of every mapping under ``__line__``."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[_LINE_KEY] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _fail(path: Path, line: int | None, module_id: str, key: str, what: str) -> InputError:
    where = f"{path} line {line}" if line else str(path)
    if not module_id:
        who = "catalog"
    elif module_id.startswith("marker "):
        who = module_id
    else:
        who = f"module {module_id}"
    return InputError(f"{where}: {who}, key '{key}': {what}")


def _check_keys(path: Path, raw: Mapping[str, Any], allowed: set[str], module_id: str,
                prefix: str) -> None:
    unknown = sorted(k for k in raw if k != _LINE_KEY and k not in allowed)
    if unknown:
        raise _fail(path, raw.get(_LINE_KEY), module_id, prefix + str(unknown[0]),
                    f"unknown key; allowed keys are {', '.join(sorted(allowed))}")


def _parse_source(path: Path, item: Any, module_id: str, key: str, line: int) -> str:
    if not isinstance(item, dict):
        raise _fail(path, line, module_id, key, "each source must be a mapping with kegg/doi")
    _check_keys(path, item, _SOURCE_KEYS, module_id, key + ".")
    line = item.get(_LINE_KEY, line)
    if "kegg" not in item and "doi" not in item:
        raise _fail(path, line, module_id, key, "a source needs 'kegg' (module ID) or 'doi'")
    parts = []
    if "kegg" in item:
        if not isinstance(item["kegg"], str) or not _KEGG_ID.match(item["kegg"]):
            raise _fail(path, line, module_id, key + ".kegg",
                        f"{item['kegg']!r} is not a KEGG module (M00027) or KO (K01580) ID")
        parts.append(f"KEGG:{item['kegg']}")
    if "doi" in item:
        if not isinstance(item["doi"], str) or not item["doi"].startswith("10."):
            raise _fail(path, line, module_id, key + ".doi",
                        f"{item['doi']!r} is not a DOI (starts with '10.')")
        parts.append(f"doi:{item['doi']}")
    for extra in ("module", "citation"):
        if extra in item:
            if not isinstance(item[extra], str) or not item[extra].strip():
                raise _fail(path, line, module_id, f"{key}.{extra}", "must be a non-empty text")
            parts.append(item[extra].strip())
    return "; ".join(parts)


def _parse_alternative(path: Path, text: Any, module_id: str, key: str, line: int) -> Alternative:
    if not isinstance(text, str) or not text.strip():
        raise _fail(path, line, module_id, key, "an alternative is a KO ID or 'K00001+K00002'")
    subunits = tuple(s.strip() for s in text.split("+"))
    for subunit in subunits:
        if not is_ko(subunit):
            raise _fail(path, line, module_id, key,
                        f"{subunit!r} is not a KO ID (expected K followed by 5 digits)")
    return subunits


def _parse_catalog_module(path: Path, raw: Any, index: int) -> Module:
    if not isinstance(raw, dict):
        raise _fail(path, None, "", f"modules[{index}]", "each module must be a mapping")
    line = raw.get(_LINE_KEY, 0)
    module_id = str(raw.get("id", "")) or f"#{index + 1}"
    _check_keys(path, raw, _MODULE_KEYS, module_id, "")
    for key in _MODULE_REQUIRED:
        if key not in raw:
            raise _fail(path, line, module_id, key, "missing required key")
    if not isinstance(raw["id"], str) or not re.match(r"^[A-Za-z][A-Za-z0-9_]*$", raw["id"]):
        raise _fail(path, line, module_id, "id", "use letters, digits and '_' only")
    for key in ("name", "reason", "note", "caveat"):
        if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
            raise _fail(path, line, module_id, key, "must be a non-empty text")
    if not isinstance(raw["category"], str) or not CATEGORY_PATTERN.match(raw["category"]):
        raise _fail(path, line, module_id, "category",
                    f"{raw['category']!r} is not like 'scfa:butyrate' or 'neuro:gaba'")
    if raw["direction"] not in DIRECTIONS:
        raise _fail(path, line, module_id, "direction",
                    f"{raw['direction']!r} must be one of {', '.join(DIRECTIONS)}")
    if not isinstance(raw["predictable"], bool):
        raise _fail(path, line, module_id, "predictable", "must be true or false")
    if not raw["predictable"] and "reason" not in raw:
        raise _fail(path, line, module_id, "reason",
                    "a module with 'predictable: false' needs a 'reason'")
    if not isinstance(raw["source"], list) or not raw["source"]:
        raise _fail(path, line, module_id, "source", "give a non-empty list of citations")
    source = tuple(
        _parse_source(path, item, module_id, f"source[{i}]", line)
        for i, item in enumerate(raw["source"])
    )
    if not isinstance(raw["steps"], list) or (raw["predictable"] and not raw["steps"]):
        raise _fail(path, line, module_id, "steps", "give a non-empty list of steps")
    steps: list[Step] = []
    step_names: list[str] = []
    step_lines: list[int] = []
    required: list[int] = []
    for i, step in enumerate(raw["steps"]):
        key = f"steps[{i}]"
        if not isinstance(step, dict):
            raise _fail(path, line, module_id, key, "each step is a mapping with name/alternatives")
        step_line = step.get(_LINE_KEY, line)
        _check_keys(path, step, _STEP_KEYS, module_id, key + ".")
        if not isinstance(step.get("name"), str) or not step["name"].strip():
            raise _fail(path, step_line, module_id, key + ".name", "missing step name")
        alternatives = step.get("alternatives")
        if not isinstance(alternatives, list) or not alternatives:
            raise _fail(path, step_line, module_id, key + ".alternatives",
                        "give a non-empty list of KO IDs or complexes 'K00001+K00002'")
        steps.append(tuple(
            _parse_alternative(path, alt, module_id, f"{key}.alternatives[{j}]", step_line)
            for j, alt in enumerate(alternatives)
        ))
        step_names.append(step["name"].strip())
        step_lines.append(step_line)
        if "required" in step:
            if not isinstance(step["required"], bool):
                raise _fail(path, step_line, module_id, key + ".required", "must be true or false")
            if step["required"]:
                required.append(i)
    if raw["predictable"] and not required:
        raise _fail(path, line, module_id, "steps",
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
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_LineLoader)  # noqa: S506 (SafeLoader subclass)
    except yaml.YAMLError as error:
        raise InputError(f"{path}: not valid YAML ({error}); fix the syntax") from error
    if not isinstance(data, dict) or "modules" not in data:
        raise InputError(f"{path}: expected a mapping with a 'modules' list at the top level")
    _check_keys(path, data, _TOP_KEYS, "", "")
    if not isinstance(data["modules"], list) or not data["modules"]:
        raise InputError(f"{path}: 'modules' must be a non-empty list")
    modules: list[Module] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(data["modules"]):
        module = _parse_catalog_module(path, raw, index)
        if module.id in seen:
            raise _fail(path, module.line, module.id, "id",
                        f"duplicate module ID (first on line {seen[module.id]})")
        seen[module.id] = module.line
        modules.append(module)
    return modules


# --------------------------------------------------------------------------- checks

def unknown_orthologs(modules: Iterable[Module], known_kos: Iterable[str]) -> dict[str, list[str]]:
    """KO IDs each module names that are absent from ``known_kos`` (e.g. the bundle's KO table).

    Only KO IDs are checked: non-KO groups can never be in a KO table and are handled by the
    predictability rule. Modules with nothing missing are left out of the result.
    """
    known = set(known_kos)
    result: dict[str, list[str]] = {}
    for module in modules:
        missing = [ko for ko in module.kos if ko not in known]
        if missing:
            result[module.id] = missing
    return result


def unknown_ortholog_messages(
    modules: Iterable[Module], known_kos: Iterable[str], table_name: str = "the KO table"
) -> list[str]:
    """One message per missing KO, naming the module file and line where the KO is used."""
    modules = list(modules)
    missing = unknown_orthologs(modules, known_kos)
    messages: list[str] = []
    for module in modules:
        for ko in missing.get(module.id, []):
            step = next(i for i, s in enumerate(module.steps) if any(ko in a for a in s))
            messages.append(
                f"{module.where(step)}: module {module.id} step {step + 1} names {ko}, "
                f"which is absent from {table_name}; it is unknown for this reference "
                "(not counted as 0)"
            )
    return messages
