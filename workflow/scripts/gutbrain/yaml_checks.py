"""YAML checks shared by the module catalog and the marker-gene file.

The loader records the line of every mapping, so that errors name the file, line, entry and
key. Both files are a top-level mapping holding a non-empty list of entries with unique IDs
(:func:`load_entries`); each entry starts with the same checks (:func:`open_entry`), and texts,
categories and sources (``kegg`` / ``doi`` / ``citation`` / ``module``) are checked the same
way in both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol, TypeVar

import yaml

from gutbrain.errors import InputError
from gutbrain.modules import CATEGORY_PATTERN

SOURCE_KEYS = {"kegg", "doi", "citation", "module"}
KEGG_ID = re.compile(r"^[MK]\d{5}$")
LINE_KEY = "__line__"


#: PyYAML's safe loader on libyaml when PyYAML was built with it (same documents, several
#: times faster than the pure-Python parser), else the pure-Python one.
FastSafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineLoader(FastSafeLoader):  # type: ignore[valid-type,misc]
    """A safe YAML loader that records the line of every mapping under ``__line__``."""


class _PureLineLoader(yaml.SafeLoader):
    """:class:`LineLoader` on the pure-Python parser, whose syntax errors quote the line."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE_KEY] = node.start_mark.line + 1
    return mapping


for _loader in (LineLoader, _PureLineLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def located_error(path: Path, line: int | None, who: str, key: str, what: str) -> InputError:
    """An InputError naming the file, line, entry (``who``: ``module X`` or ``marker X``; empty
    for the top level, called ``catalog``) and key."""
    where = f"{path} line {line}" if line else str(path)
    return InputError(f"{where}: {who or 'catalog'}, key '{key}': {what}")


def check_keys(path: Path, raw: Mapping[str, Any], allowed: set[str], who: str,
               prefix: str) -> None:
    unknown = sorted(k for k in raw if k != LINE_KEY and k not in allowed)
    if unknown:
        raise located_error(path, raw.get(LINE_KEY), who, prefix + str(unknown[0]),
                            f"unknown key; allowed keys are {', '.join(sorted(allowed))}")


def parse_source(path: Path, item: Any, who: str, key: str, line: int) -> str:
    if not isinstance(item, dict):
        raise located_error(path, line, who, key, "each source must be a mapping with kegg/doi")
    check_keys(path, item, SOURCE_KEYS, who, key + ".")
    line = item.get(LINE_KEY, line)
    if "kegg" not in item and "doi" not in item:
        raise located_error(path, line, who, key, "a source needs 'kegg' (module ID) or 'doi'")
    parts = []
    if "kegg" in item:
        if not isinstance(item["kegg"], str) or not KEGG_ID.match(item["kegg"]):
            raise located_error(path, line, who, key + ".kegg",
                                f"{item['kegg']!r} is not a KEGG module (M00027) or KO (K01580) ID")
        parts.append(f"KEGG:{item['kegg']}")
    if "doi" in item:
        if not isinstance(item["doi"], str) or not item["doi"].startswith("10."):
            raise located_error(path, line, who, key + ".doi",
                                f"{item['doi']!r} is not a DOI (starts with '10.')")
        parts.append(f"doi:{item['doi']}")
    for extra in ("module", "citation"):
        if extra in item:
            if not isinstance(item[extra], str) or not item[extra].strip():
                raise located_error(path, line, who, f"{key}.{extra}", "must be a non-empty text")
            parts.append(item[extra].strip())
    return "; ".join(parts)


def parse_sources(path: Path, raw: Mapping[str, Any], who: str, line: int) -> tuple[str, ...]:
    """An entry's ``source`` list, each source as text (see :func:`parse_source`)."""
    if not isinstance(raw["source"], list) or not raw["source"]:
        raise located_error(path, line, who, "source", "give a non-empty list of citations")
    return tuple(parse_source(path, item, who, f"source[{i}]", line)
                 for i, item in enumerate(raw["source"]))


def check_texts(path: Path, raw: Mapping[str, Any], who: str, line: int,
                keys: Iterable[str]) -> None:
    """Each of ``keys`` that the entry has must be a non-empty text."""
    for key in keys:
        if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
            raise located_error(path, line, who, key, "must be a non-empty text")


def check_category(path: Path, raw: Mapping[str, Any], who: str, line: int) -> None:
    """The entry's ``category`` must look like ``scfa:butyrate`` or ``neuro:gaba``."""
    if not isinstance(raw["category"], str) or not CATEGORY_PATTERN.match(raw["category"]):
        raise located_error(path, line, who, "category",
                            f"{raw['category']!r} is not like 'scfa:butyrate' or 'neuro:gaba'")


def open_entry(path: Path, raw: Any, index: int, list_key: str, noun: str, allowed: set[str],
               required: Iterable[str]) -> tuple[int, str]:
    """Check that entry ``index`` of ``list_key`` is a mapping with only ``allowed`` keys and
    every ``required`` one; return its line and its label (``<noun> <id>``, ``<noun> #<n>``
    without an ID) for :func:`located_error`."""
    if not isinstance(raw, dict):
        raise located_error(path, None, "", f"{list_key}[{index}]",
                            f"each {noun} must be a mapping")
    line = raw.get(LINE_KEY, 0)
    who = f"{noun} {str(raw.get('id', '')) or f'#{index + 1}'}"
    check_keys(path, raw, allowed, who, "")
    for key in required:
        if key not in raw:
            raise located_error(path, line, who, key, "missing required key")
    return line, who


class _Entry(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def line(self) -> int: ...


EntryT = TypeVar("EntryT", bound=_Entry)


def load_entries(path: Path, list_key: str, noun: str, top_keys: set[str],
                 parse: Callable[[Path, Any, int], EntryT]) -> list[EntryT]:
    """Load a YAML file whose top level maps ``list_key`` to a non-empty list (other top-level
    keys from ``top_keys``) and parse each entry with ``parse(path, raw, index)``; a second
    entry with the same ID is an error naming the first one's line."""
    data = load_yaml_with_lines(path)
    if not isinstance(data, dict) or list_key not in data:
        raise InputError(f"{path}: expected a mapping with a '{list_key}' list at the top level")
    check_keys(path, data, top_keys, "", "")
    if not isinstance(data[list_key], list) or not data[list_key]:
        raise InputError(f"{path}: '{list_key}' must be a non-empty list")
    entries: list[EntryT] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(data[list_key]):
        entry = parse(path, raw, index)
        if entry.id in seen:
            raise located_error(path, entry.line, f"{noun} {entry.id}", "id",
                                f"duplicate {noun} ID (first on line {seen[entry.id]})")
        seen[entry.id] = entry.line
        entries.append(entry)
    return entries


def load_yaml_with_lines(path: Path) -> Any:
    """Parse a YAML file with :class:`LineLoader`; a syntax error names the file."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        return yaml.load(text, Loader=LineLoader)  # noqa: S506 (SafeLoader subclass)
    except yaml.YAMLError:
        pass
    try:  # the same error again from the pure-Python parser, for its wording
        return yaml.load(text, Loader=_PureLineLoader)  # noqa: S506 (SafeLoader subclass)
    except yaml.YAMLError as error:
        raise InputError(f"{path}: not valid YAML ({error}); fix the syntax") from error


def read_yaml_mapping(path: str | os.PathLike[str], what: str) -> dict:
    """A YAML file whose top level is a mapping; InputError naming ``what`` and the file when it
    cannot be read, is not YAML or is not a mapping."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise InputError(f"{what} {path}: cannot be read as YAML ({err})") from None
    if not isinstance(data, dict):
        raise InputError(f"{what} {path}: expected a mapping at the top level")
    return data
