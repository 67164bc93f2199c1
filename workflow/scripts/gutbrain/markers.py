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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from gutbrain.errors import InputError
from gutbrain.modules import Alternative, Module, is_ko
from gutbrain.tables import columns
from gutbrain.yaml_checks import (
    check_category,
    check_texts,
    load_entries,
    located_error,
    open_entry,
    parse_sources,
)

MARKER_COLUMNS = columns("marker_genes")
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
    return _format_top(list(per_genus.items()), top_n)


def _format_top(per_genus: Sequence[tuple[str, float]], top_n: int) -> str:
    """:func:`format_top_genera` on (genus, abundance) pairs in the Series' order (the total is
    numpy's sum in that order, as ``Series.sum`` adds)."""
    kept = [(genus, value) for genus, value in per_genus if value > 0]
    total = float(np.array([value for _, value in kept], dtype=np.float64).sum())
    if total <= 0:
        return ""
    ranked = sorted(kept, key=lambda item: (-item[1], item[0]))[:top_n]
    return "; ".join(f"{genus} ({100 * value / total:.0f}%)" for genus, value in ranked)


def marker_abundance(
    ko_abundance: pd.DataFrame,
    ko_contributions_long: pd.DataFrame | None,
    markers: Sequence[Marker],
    top_n: int = 3,
    missing: str = "unknown",
    ko_ec: pd.DataFrame | None = None,
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
    ``ko_ec`` (``ko``, ``ec`` pairs of a reference that predicts KOs from ECs): alternatives whose
    KOs stand for the same ECs are one gene to that reference (pta K00625 and K13788 are both EC
    2.3.1.8) and are counted once.
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
    values = table.to_numpy(np.float64)
    row_of = {ko: i for i, ko in enumerate(table.index)}
    ecs_of_ko = ({} if ko_ec is None or ko_ec.empty else
                 ko_ec.groupby("ko")["ec"].agg(lambda e: tuple(sorted(set(e)))).to_dict())
    by_sample = _genus_ko_by_sample(
        contributions, {ko for marker in markers for ko in marker.kos})
    rows: list[dict[str, object]] = []
    for marker in markers:
        enzymes = _distinct(
            [alt for alt in marker.alternatives
             if missing == "zero" or all(ko in known for ko in alt)], ecs_of_ko)
        for j, sample in enumerate(table.columns):
            top = ""
            if not enzymes:
                abundance, status = float("nan"), "not_measurable"
            else:
                abundance = sum(_enzyme_value(values, row_of, alt, j) for alt in enzymes)
                status = "present" if abundance > 0 else "absent"
                per_genus_ko = by_sample.get(str(sample), {})
                genera = _genera_with(per_genus_ko, marker.kos)
                if genera:
                    top = _format_top(_per_genus(per_genus_ko, genera, enzymes), top_n)
            rows.append({"marker": marker.id, "kos": marker.kos_text, "sample": str(sample),
                         "abundance": abundance, "top_genera": top, "status": status})
    return pd.DataFrame(rows, columns=MARKER_COLUMNS)


def _distinct(enzymes: list[Alternative], ecs: Mapping[str, tuple[str, ...]]
              ) -> list[Alternative]:
    """The alternatives, without those whose KOs map to the same EC sets (``ecs``: KO -> its
    ECs) as an earlier one."""
    if not ecs:
        return enzymes
    seen: set[tuple] = set()
    out = []
    for alt in enzymes:
        key = tuple(sorted(ecs.get(ko, (ko,)) for ko in alt))
        if key in seen:
            continue
        seen.add(key)
        out.append(alt)
    return out


def _genus_ko_by_sample(
    contributions: pd.DataFrame | None, kos: set[str]
) -> dict[str, dict[str, dict[str, float]]]:
    """Sample -> genus -> KO -> contributed abundance of the given KOs (grouped once; each
    (sample, genus, KO) sum is over the same rows, in the same order, as grouping one marker's
    KOs alone)."""
    if contributions is None:
        return {}
    subset = contributions[contributions["ko"].isin(sorted(kos))]
    summed = subset.groupby(["sample", "genus", "ko"])["abundance"].sum()
    out: dict[str, dict[str, dict[str, float]]] = {}
    for (sample, genus, ko), value in zip(summed.index.tolist(), summed.tolist(), strict=True):
        out.setdefault(str(sample), {}).setdefault(genus, {})[ko] = value
    return out


def _genera_with(per_genus_ko: Mapping[str, Mapping[str, float]], kos: Iterable[str]) -> list[str]:
    """The genera (sorted) contributing any of ``kos`` in a sample."""
    wanted = set(kos)
    return sorted(genus for genus, by_ko in per_genus_ko.items() if wanted & by_ko.keys())


def _enzyme_value(values: np.ndarray, row_of: Mapping[str, int], enzyme: Alternative,
                  column: int) -> float:
    """Mean abundance of an enzyme's subunits in one sample (a subunit not a row counts 0)."""
    return sum(float(values[row_of[ko], column]) if ko in row_of else 0.0
               for ko in enzyme) / len(enzyme)


def _per_genus(per_genus_ko: Mapping[str, Mapping[str, float]], genera: Sequence[str],
               enzymes: Sequence[Alternative]) -> list[tuple[str, float]]:
    """Per genus (in ``genera`` order), the sum over enzymes of the subunit mean contributed
    abundance (a KO the genus does not contribute counts 0)."""
    out = []
    for genus in genera:
        by_ko = per_genus_ko[genus]
        total = 0.0
        for enzyme in enzymes:
            total = total + sum(by_ko.get(ko, 0.0) for ko in enzyme) / len(enzyme)
        out.append((genus, total))
    return out


def catalog_kos(modules: Iterable[Module], markers: Iterable[Marker]) -> list[str]:
    """Sorted KO IDs named by any module or marker (what the reference bundle must provide)."""
    kos = {ko for module in modules for ko in module.kos}
    kos.update(ko for marker in markers for ko in marker.kos)
    return sorted(kos)
