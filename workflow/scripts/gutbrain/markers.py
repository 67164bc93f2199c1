"""Marker genes: single enzymes reported per sample with the genera that carry them.

Markers come from ``resources/marker_genes.yaml`` (format in docs/modules.md). A marker's
abundance in a sample is the sum of its KOs' predicted abundances; its top genera come from the
per-ASV KO contributions table (``ko_contributions.tsv``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from gutbrain.errors import InputError
from gutbrain.modules import (
    CATEGORY_PATTERN,
    Module,
    _check_keys,
    _fail,
    _LineLoader,
    _parse_source,
    is_ko,
)

MARKER_COLUMNS = ["marker", "kos", "sample", "abundance", "top_genera"]
_TOP_KEYS = {"catalog_version", "description", "markers"}
_MARKER_KEYS = {"id", "name", "kos", "category", "source", "caveat", "proxy"}
_REQUIRED = ("id", "name", "kos", "category", "source")


@dataclass(frozen=True)
class Marker:
    """A named marker gene: one or more KOs whose abundances are summed."""

    id: str
    name: str
    kos: tuple[str, ...]
    category: str
    source: tuple[str, ...]
    caveat: str = ""
    proxy: bool = False
    origin: str = ""
    line: int = 0


def _parse_marker(path: Path, raw: object, index: int) -> Marker:
    if not isinstance(raw, dict):
        raise _fail(path, None, "", f"markers[{index}]", "each marker must be a mapping")
    line = raw.get("__line__", 0)
    marker_id = str(raw.get("id", "")) or f"#{index + 1}"
    who = f"marker {marker_id}"
    _check_keys(path, raw, _MARKER_KEYS, who, "")
    for key in _REQUIRED:
        if key not in raw:
            raise _fail(path, line, who, key, "missing required key")
    for key in ("id", "name", "caveat"):
        if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
            raise _fail(path, line, who, key, "must be a non-empty text")
    kos = raw["kos"]
    if not isinstance(kos, list) or not kos:
        raise _fail(path, line, who, "kos", "give a non-empty list of KO IDs")
    for ko in kos:
        if not isinstance(ko, str) or not is_ko(ko):
            raise _fail(path, line, who, "kos", f"{ko!r} is not a KO ID (K followed by 5 digits)")
    if not isinstance(raw["category"], str) or not CATEGORY_PATTERN.match(raw["category"]):
        raise _fail(path, line, who, "category",
                    f"{raw['category']!r} is not like 'scfa:butyrate' or 'neuro:gaba'")
    if "proxy" in raw and not isinstance(raw["proxy"], bool):
        raise _fail(path, line, who, "proxy", "must be true or false")
    if raw.get("proxy") and "caveat" not in raw:
        raise _fail(path, line, who, "caveat", "a proxy marker needs a caveat saying why")
    if not isinstance(raw["source"], list) or not raw["source"]:
        raise _fail(path, line, who, "source", "give a non-empty list of citations")
    source = tuple(_parse_source(path, item, who, f"source[{i}]", line)
                   for i, item in enumerate(raw["source"]))
    return Marker(
        id=raw["id"].strip(), name=raw["name"].strip(), kos=tuple(kos),
        category=raw["category"], source=source, caveat=raw.get("caveat", "").strip(),
        proxy=bool(raw.get("proxy", False)), origin=str(path), line=line,
    )


def load_markers(path: str | os.PathLike[str]) -> list[Marker]:
    """Load and validate the marker-gene YAML file."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_LineLoader)  # noqa: S506 (SafeLoader subclass)
    except yaml.YAMLError as error:
        raise InputError(f"{path}: not valid YAML ({error}); fix the syntax") from error
    if not isinstance(data, dict) or "markers" not in data:
        raise InputError(f"{path}: expected a mapping with a 'markers' list at the top level")
    _check_keys(path, data, _TOP_KEYS, "", "")
    if not isinstance(data["markers"], list) or not data["markers"]:
        raise InputError(f"{path}: 'markers' must be a non-empty list")
    markers: list[Marker] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(data["markers"]):
        marker = _parse_marker(path, raw, index)
        if marker.id in seen:
            raise _fail(path, marker.line, f"marker {marker.id}", "id",
                        f"duplicate marker ID (first on line {seen[marker.id]})")
        seen[marker.id] = marker.line
        markers.append(marker)
    return markers


def _ko_matrix(ko_abundance: pd.DataFrame) -> pd.DataFrame:
    table = ko_abundance.set_index("ko") if "ko" in ko_abundance.columns else ko_abundance
    table = table.astype(float)
    table.index = table.index.astype(str)
    return table.groupby(level=0, sort=False).sum() if table.index.has_duplicates else table


def format_top_genera(per_genus: pd.Series, top_n: int) -> str:
    """'Faecalibacterium (62%); Roseburia (20%)' from abundance per genus (largest first)."""
    per_genus = per_genus[per_genus > 0]
    total = float(per_genus.sum())
    if total <= 0:
        return ""
    ranked = sorted(per_genus.items(), key=lambda item: (-item[1], item[0]))[:top_n]
    return "; ".join(f"{genus} ({100 * value / total:.0f}%)" for genus, value in ranked)


def marker_abundance(
    ko_abundance: pd.DataFrame,
    ko_contributions_long: pd.DataFrame | None,
    markers: Sequence[Marker],
    top_n: int = 3,
) -> pd.DataFrame:
    """Per marker and sample: summed KO abundance and the top genera behind it.

    ``ko_abundance``: KO x sample table (or the ``ko_abundance.tsv`` layout with a ``ko``
    column). ``ko_contributions_long``: ``sample, ko, asv_id, genus, abundance, share`` rows
    (may be None). KOs missing from the table count 0. ``kos`` lists the marker's KOs joined by
    ``,``; ``top_genera`` gives each genus's percentage of the marker's contributed abundance,
    largest first (ASVs without a genus pooled as ``unassigned``).
    """
    if top_n < 1:
        raise InputError(f"marker top_n must be at least 1, got {top_n}")
    table = _ko_matrix(ko_abundance)
    contributions = None
    if ko_contributions_long is not None and not ko_contributions_long.empty:
        missing = {"sample", "ko", "genus", "abundance"} - set(ko_contributions_long.columns)
        if missing:
            raise InputError(
                f"KO contributions table lacks column(s) {', '.join(sorted(missing))}"
            )
        contributions = ko_contributions_long.copy()
        contributions["sample"] = contributions["sample"].astype(str)
        genus = contributions["genus"].fillna("").astype(str).str.strip()
        contributions["genus"] = genus.where(genus != "", "unassigned")
        contributions["abundance"] = contributions["abundance"].astype(float)
    rows: list[dict[str, object]] = []
    for marker in markers:
        present = [ko for ko in marker.kos if ko in table.index]
        subset = contributions[contributions["ko"].isin(marker.kos)] if contributions is not None \
            else None
        for sample in table.columns:
            abundance = float(table.loc[present, sample].sum()) if present else 0.0
            top = ""
            if subset is not None:
                here = subset[subset["sample"] == str(sample)]
                top = format_top_genera(here.groupby("genus")["abundance"].sum(), top_n)
            rows.append({"marker": marker.id, "kos": ",".join(marker.kos),
                         "sample": str(sample), "abundance": abundance, "top_genera": top})
    return pd.DataFrame(rows, columns=MARKER_COLUMNS)


def catalog_kos(modules: Iterable[Module], markers: Iterable[Marker]) -> list[str]:
    """Sorted KO IDs named by any module or marker (what the reference bundle must provide)."""
    kos = {ko for module in modules for ko in module.kos}
    kos.update(ko for marker in markers for ko in marker.kos)
    return sorted(kos)
