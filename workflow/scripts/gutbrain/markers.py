"""Marker genes: single enzymes reported per sample with the genera that carry them.

Markers come from ``resources/marker_genes.yaml`` (format in docs/modules.md). A marker lists
alternative enzymes; an enzyme is one KO or a complex ``K1+K2`` of subunits. As in the module
scorer, an enzyme's abundance is the *mean* of its subunits (lcdA+lcdB is one enzyme per genome,
not two) and the marker's abundance is the *sum* over its alternatives (true alternatives, such
as the NAD(P)+ and NADP+ glutamate dehydrogenases, add up). Its top genera come from the
per-ASV KO contributions table (``ko_contributions.tsv``) by the same rule.

KOs the reference cannot see: ``ko_abundance.tsv`` lists only the KOs the functional reference
can observe, so (``missing="unknown"``, the default) a KO that is not a row is unknown, not 0.
An enzyme is observable only if all its subunits are rows; a marker with no observable enzyme
is ``not_measurable`` (abundance empty), never 0. Status per marker and sample:
``not_measurable``, ``absent`` (abundance 0) or ``present``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from gutbrain.errors import InputError
from gutbrain.modules import Alternative, Module, is_ko
from gutbrain.yaml_checks import (
    check_category,
    check_texts,
    load_entries,
    located_error,
    open_entry,
    parse_sources,
)

MARKER_COLUMNS = ["marker", "kos", "sample", "abundance", "top_genera", "status"]
MISSING_POLICIES = ("unknown", "zero")
_TOP_KEYS = {"catalog_version", "description", "markers"}
_MARKER_KEYS = {"id", "name", "kos", "category", "source", "caveat", "proxy"}
_REQUIRED = ("id", "name", "kos", "category", "source")


@dataclass(frozen=True)
class Marker:
    """A named marker gene: alternative enzymes (summed), each one KO or a complex (averaged).

    ``kos`` lists every KO the marker names; ``enzymes`` groups them into alternatives of
    subunits. When ``enzymes`` is empty each KO is its own alternative.
    """

    id: str
    name: str
    kos: tuple[str, ...]
    category: str
    source: tuple[str, ...]
    caveat: str = ""
    proxy: bool = False
    origin: str = ""
    line: int = 0
    enzymes: tuple[Alternative, ...] = ()

    @property
    def alternatives(self) -> tuple[Alternative, ...]:
        """The marker's alternative enzymes, each a tuple of subunit KOs."""
        return self.enzymes or tuple((ko,) for ko in self.kos)

    @property
    def kos_text(self) -> str:
        """Alternatives joined by ``,``, subunits of a complex by ``+`` (``K1+K2,K3``)."""
        return ",".join("+".join(alternative) for alternative in self.alternatives)


def _parse_marker(path: Path, raw: object, index: int) -> Marker:
    line, who = open_entry(path, raw, index, "markers", "marker", _MARKER_KEYS, _REQUIRED)
    check_texts(path, raw, who, line, ("id", "name", "caveat"))
    kos = raw["kos"]
    if not isinstance(kos, list) or not kos:
        raise located_error(path, line, who, "kos", "give a non-empty list of KO IDs")
    enzymes: list[Alternative] = []
    for item in kos:
        subunits = tuple(s.strip() for s in item.split("+")) if isinstance(item, str) else (item,)
        for ko in subunits:
            if not isinstance(ko, str) or not is_ko(ko):
                raise located_error(path, line, who, "kos",
                                    f"{ko!r} is not a KO ID (K followed by 5 digits)")
        enzymes.append(subunits)
    flat = tuple(dict.fromkeys(ko for enzyme in enzymes for ko in enzyme))
    check_category(path, raw, who, line)
    if "proxy" in raw and not isinstance(raw["proxy"], bool):
        raise located_error(path, line, who, "proxy", "must be true or false")
    if raw.get("proxy") and "caveat" not in raw:
        raise located_error(path, line, who, "caveat", "a proxy marker needs a caveat saying why")
    source = parse_sources(path, raw, who, line)
    return Marker(
        id=raw["id"].strip(), name=raw["name"].strip(), kos=flat,
        category=raw["category"], source=source, caveat=raw.get("caveat", "").strip(),
        proxy=bool(raw.get("proxy", False)), origin=str(path), line=line,
        enzymes=tuple(enzymes),
    )


def load_markers(path: str | os.PathLike[str]) -> list[Marker]:
    """Load and validate the marker-gene YAML file."""
    return load_entries(Path(path), "markers", "marker", _TOP_KEYS, _parse_marker)


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
    missing: str = "unknown",
) -> pd.DataFrame:
    """Per marker and sample: KO abundance, the top genera behind it, and a status.

    ``ko_abundance``: KO x sample table (or the ``ko_abundance.tsv`` layout with a ``ko``
    column). ``ko_contributions_long``: ``sample, ko, asv_id, genus, abundance, share`` rows
    (may be None). ``abundance`` is the sum over the marker's observable alternatives of the
    mean of their subunits. ``missing="unknown"`` (default): a KO that is not a row is unknown,
    and a marker without an observable alternative is ``not_measurable`` (abundance empty);
    ``missing="zero"``: such KOs count 0. ``kos`` lists the alternatives joined by ``,``
    (subunits by ``+``); ``top_genera`` gives each genus's percentage of the marker's
    contributed abundance (same mean/sum rule), largest first (ASVs without a genus pooled as
    ``unassigned``); ``status`` is ``not_measurable``, ``absent`` (0) or ``present``.
    """
    if top_n < 1:
        raise InputError(f"marker top_n must be at least 1, got {top_n}")
    if missing not in MISSING_POLICIES:
        raise InputError(f"unknown policy for missing marker KOs {missing!r}; use "
                         "'unknown' or 'zero'")
    table = _ko_matrix(ko_abundance)
    known = set(table.index)
    contributions = None
    if ko_contributions_long is not None and not ko_contributions_long.empty:
        lacking = {"sample", "ko", "genus", "abundance"} - set(ko_contributions_long.columns)
        if lacking:
            raise InputError(
                f"KO contributions table lacks column(s) {', '.join(sorted(lacking))}"
            )
        contributions = ko_contributions_long.copy()
        contributions["sample"] = contributions["sample"].astype(str)
        genus = contributions["genus"].fillna("").astype(str).str.strip()
        contributions["genus"] = genus.where(genus != "", "unassigned")
        contributions["abundance"] = contributions["abundance"].astype(float)
    rows: list[dict[str, object]] = []
    for marker in markers:
        enzymes = [alt for alt in marker.alternatives
                   if missing == "zero" or all(ko in known for ko in alt)]
        by_sample = _genus_ko_by_sample(contributions, marker.kos) if enzymes else {}
        for sample in table.columns:
            top = ""
            if not enzymes:
                abundance, status = float("nan"), "not_measurable"
            else:
                abundance = sum(_enzyme_value(table, alt, sample) for alt in enzymes)
                status = "present" if abundance > 0 else "absent"
                if str(sample) in by_sample:
                    top = format_top_genera(_per_genus(by_sample[str(sample)], enzymes), top_n)
            rows.append({"marker": marker.id, "kos": marker.kos_text, "sample": str(sample),
                         "abundance": abundance, "top_genera": top, "status": status})
    return pd.DataFrame(rows, columns=MARKER_COLUMNS)


def _genus_ko_by_sample(
    contributions: pd.DataFrame | None, kos: Iterable[str]
) -> dict[str, pd.DataFrame]:
    """Sample -> genus x KO contributed abundance of the given KOs (one grouping per marker)."""
    if contributions is None:
        return {}
    subset = contributions[contributions["ko"].isin(list(kos))]
    summed = subset.groupby(["sample", "genus", "ko"])["abundance"].sum()
    return {str(sample): rows.droplevel(0).unstack(fill_value=0.0)
            for sample, rows in summed.groupby(level=0, sort=False)}


def _enzyme_value(table: pd.DataFrame, enzyme: Alternative, sample: object) -> float:
    """Mean abundance of an enzyme's subunits in one sample (a subunit not a row counts 0)."""
    return sum(float(table.at[ko, sample]) if ko in table.index else 0.0
               for ko in enzyme) / len(enzyme)


def _per_genus(per_genus_ko: pd.DataFrame, enzymes: Sequence[Alternative]) -> pd.Series:
    """Genus x KO contributed abundance -> per genus, sum over enzymes of the subunit mean."""
    total = pd.Series(0.0, index=per_genus_ko.index, dtype=float)
    for enzyme in enzymes:
        parts = [per_genus_ko[ko] if ko in per_genus_ko.columns
                 else pd.Series(0.0, index=per_genus_ko.index) for ko in enzyme]
        total = total + sum(parts) / len(enzyme)
    return total


def catalog_kos(modules: Iterable[Module], markers: Iterable[Marker]) -> list[str]:
    """Sorted KO IDs named by any module or marker (what the reference bundle must provide)."""
    kos = {ko for module in modules for ko in module.kos}
    kos.update(ko for marker in markers for ko in marker.kos)
    return sorted(kos)
