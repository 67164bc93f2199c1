"""YAML checks shared by the module catalog and the marker-gene file.

The loader records the line of every mapping, so that errors name the file, line, entry and
key; sources (``kegg`` / ``doi`` / ``citation`` / ``module``) are checked the same way in both.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from gutbrain.errors import InputError

SOURCE_KEYS = {"kegg", "doi", "citation", "module"}
KEGG_ID = re.compile(r"^[MK]\d{5}$")
LINE_KEY = "__line__"


class LineLoader(yaml.SafeLoader):
    """A safe YAML loader that records the line of every mapping under ``__line__``."""


def _construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE_KEY] = node.start_mark.line + 1
    return mapping


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def located_error(path: Path, line: int | None, module_id: str, key: str, what: str) -> InputError:
    where = f"{path} line {line}" if line else str(path)
    if not module_id:
        who = "catalog"
    elif module_id.startswith("marker "):
        who = module_id
    else:
        who = f"module {module_id}"
    return InputError(f"{where}: {who}, key '{key}': {what}")


def check_keys(path: Path, raw: Mapping[str, Any], allowed: set[str], module_id: str,
                prefix: str) -> None:
    unknown = sorted(k for k in raw if k != LINE_KEY and k not in allowed)
    if unknown:
        raise located_error(path, raw.get(LINE_KEY), module_id, prefix + str(unknown[0]),
                    f"unknown key; allowed keys are {', '.join(sorted(allowed))}")


def parse_source(path: Path, item: Any, module_id: str, key: str, line: int) -> str:
    if not isinstance(item, dict):
        raise located_error(path, line, module_id, key,
                            "each source must be a mapping with kegg/doi")
    check_keys(path, item, SOURCE_KEYS, module_id, key + ".")
    line = item.get(LINE_KEY, line)
    if "kegg" not in item and "doi" not in item:
        raise located_error(path, line, module_id, key,
                            "a source needs 'kegg' (module ID) or 'doi'")
    parts = []
    if "kegg" in item:
        if not isinstance(item["kegg"], str) or not KEGG_ID.match(item["kegg"]):
            raise located_error(path, line, module_id, key + ".kegg",
                        f"{item['kegg']!r} is not a KEGG module (M00027) or KO (K01580) ID")
        parts.append(f"KEGG:{item['kegg']}")
    if "doi" in item:
        if not isinstance(item["doi"], str) or not item["doi"].startswith("10."):
            raise located_error(path, line, module_id, key + ".doi",
                        f"{item['doi']!r} is not a DOI (starts with '10.')")
        parts.append(f"doi:{item['doi']}")
    for extra in ("module", "citation"):
        if extra in item:
            if not isinstance(item[extra], str) or not item[extra].strip():
                raise located_error(path, line, module_id, f"{key}.{extra}",
                                    "must be a non-empty text")
            parts.append(item[extra].strip())
    return "; ".join(parts)


def load_yaml_with_lines(path: Path) -> Any:
    """Parse a YAML file with :class:`LineLoader`; a syntax error names the file."""
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=LineLoader)  # noqa: S506 (SafeLoader subclass)
    except yaml.YAMLError as error:
        raise InputError(f"{path}: not valid YAML ({error}); fix the syntax") from error
