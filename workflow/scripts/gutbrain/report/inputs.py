"""The tables a report is built from (:class:`ReportInputs`), their readers, per-sample views.

Tests build :class:`ReportInputs` from tiny DataFrames, the pipeline with
:func:`load_report_inputs`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from gutbrain.asv import read_asv_table
from gutbrain.errors import InputError
from gutbrain.io import read_text_table
from gutbrain.report.cells import genus_label, text
from gutbrain.report.reference import (
    ReferenceCohort,
    read_reference_cohort,
)
from gutbrain.tables import TABLES, Table


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _empty_table(name: str) -> pd.DataFrame:
    """An empty published table with its declared columns (:mod:`gutbrain.tables`)."""
    return _empty(TABLES[name].columns)


@dataclass
class ReportInputs:
    """All tables a report is built from (see docs/reports.md for each format).

    ``asv_table`` and ``taxonomy`` are indexed by ASV ID; every other table keeps its columns
    (``sample`` as a column). ``pcoa`` maps a metric to ``(coords, proportions, note)`` as
    returned by :func:`gutbrain.pcoa_table.read_pcoa_tsv`. ``reference_cohort`` is the optional
    reference cohort (:mod:`gutbrain.report.reference`); None = no comparison.
    ``module_notes`` (module ID -> direction, note, caveats) and ``marker_notes`` (marker ID ->
    name, proxy, caveat) come from the module catalog and the marker file
    (:func:`catalog_notes`, :func:`marker_notes`); missing entries mean no note.
    """

    read_tracking: pd.DataFrame
    asv_table: pd.DataFrame
    taxonomy: pd.DataFrame
    samples: pd.DataFrame
    alpha: pd.DataFrame = field(default_factory=lambda: _empty_table("alpha"))
    module_scores: pd.DataFrame = field(default_factory=lambda: _empty_table("module_scores"))
    module_contributions: pd.DataFrame = field(
        default_factory=lambda: _empty_table("module_contributions"))
    marker_genes: pd.DataFrame = field(default_factory=lambda: _empty_table("marker_genes"))
    sample_confidence: pd.DataFrame = field(
        default_factory=lambda: _empty_table("sample_confidence"))
    provenance: pd.DataFrame = field(default_factory=lambda: _empty_table("provenance"))
    bundle: Mapping[str, Any] = field(default_factory=dict)
    taxa_of_interest: pd.DataFrame = field(default_factory=lambda: _empty(
        ["taxon", "rank", "direction", "finding", "study", "doi", "evidence_strength"]))
    genus_traits: pd.DataFrame = field(default_factory=lambda: _empty(
        ["genus", "trait", "kos", "citation", "doi"]))
    pcoa: Mapping[str, tuple[pd.DataFrame, pd.Series, str]] = field(default_factory=dict)
    reference_cohort: ReferenceCohort | None = None
    route_measures: pd.DataFrame = field(default_factory=lambda: _empty_table("route_measures"))
    route_contributors: pd.DataFrame = field(
        default_factory=lambda: _empty_table("route_contributors"))
    routes: Sequence[Any] = ()
    route_validation: pd.DataFrame = field(default_factory=lambda: _empty(
        ["route", "dataset", "samples", "rho"]))
    comparisons: pd.DataFrame = field(default_factory=lambda: _empty_table("comparisons"))
    compare_checks: pd.DataFrame = field(default_factory=lambda: _empty_table("compare_checks"))
    compare_validation: pd.DataFrame = field(default_factory=lambda: _empty(
        ["dataset", "contrast", "effect_rho", "effect_rho_null95", "sign_agree",
         "sign_agree_null95"]))
    module_notes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    marker_notes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: Views computed once per run (per-sample rows, counts, labels): every sample's report
    #: reads the same run-wide tables. Assigning a table drops them; a table changed in place
    #: after a report was built would not be seen.
    _views: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __setattr__(self, name: str, value: Any) -> None:
        if name != "_views" and "_views" in self.__dict__:
            self.__dict__["_views"].clear()
        object.__setattr__(self, name, value)

    def view(self, key: Any, build: Callable[[], Any]) -> Any:
        """The value of ``build()``, computed on the first call for ``key`` and kept."""
        if key not in self._views:
            self._views[key] = build()
        return self._views[key]


# --------------------------------------------------------------------------- loading


#: Published tables the reports read: their columns and number columns are declared once, in
#: :mod:`gutbrain.tables`.
PUBLISHED_KINDS = ("read_tracking", "taxonomy", "alpha", "module_scores", "module_contributions",
                   "marker_genes", "sample_confidence", "provenance", "route_measures",
                   "route_contributors", "comparisons", "compare_checks")
_TABLE_OF_KIND = {"taxonomy": "asv_taxonomy"}


def _declared(kind: str) -> Table:
    return TABLES[_TABLE_OF_KIND.get(kind, kind)]


NUMERIC_COLUMNS = {
    **{kind: _declared(kind).numeric for kind in PUBLISHED_KINDS if _declared(kind).numeric},
    "compare_validation": ("effect_rho", "effect_rho_null95", "sign_agree",
                           "sign_agree_null95", "picrust2_effect_rho", "picrust2_sign_agree"),
}
REQUIRED_COLUMNS = {
    **{kind: _declared(kind).needed for kind in PUBLISHED_KINDS},
    "samples": ("sample",),
    "taxa_of_interest": ("taxon", "rank", "direction", "finding", "study", "doi",
                         "evidence_strength"),
    "genus_traits": ("genus", "trait"),
    "route_validation": ("route", "dataset", "samples", "rho"),
    "compare_validation": ("dataset", "contrast", "effect_rho", "effect_rho_null95",
                           "sign_agree", "sign_agree_null95"),
}


def read_table(path: str | os.PathLike[str], kind: str, comment: str | None = None) -> pd.DataFrame:
    """Read one TSV of ``kind`` (a key of :data:`REQUIRED_COLUMNS`) as text, then make the
    known numeric columns numeric (empty cell = missing). Errors name the file and column."""
    path = Path(path)
    table = read_text_table(path, REQUIRED_COLUMNS.get(kind, ()), comment=comment)
    for column in NUMERIC_COLUMNS.get(kind, ()):
        if column in table.columns:
            text = table[column].str.strip()
            try:
                table[column] = pd.to_numeric(text.where(text != ""), errors="raise")
            except (TypeError, ValueError) as err:
                raise InputError(f"{path}: column '{column}' must be numeric ({err})") from err
    return table


def read_bundle(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a reference bundle's ``bundle.yaml`` (needs at least ``name`` and ``kind``)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise InputError(f"{path}: bundle.yaml not found; check config 'reference'") from err
    except yaml.YAMLError as err:
        raise InputError(f"{path}: not valid YAML ({err})") from err
    if not isinstance(data, dict) or not {"name", "kind"} <= set(data):
        raise InputError(f"{path}: bundle.yaml must be a mapping with 'name' and 'kind'")
    return data


def catalog_notes(path: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """Module ID -> ``direction``, ``note`` and ``caveats`` (the module's caveat, then each
    step caveat as "step name: caveat") from a module catalog YAML (validated on load)."""
    from gutbrain.catalog import load_catalog
    from gutbrain.yaml_checks import FastSafeLoader

    modules = load_catalog(path)
    raw = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=FastSafeLoader) or {}  # noqa: S506
    steps_by_id = {str(m.get("id")): m.get("steps") or [] for m in raw.get("modules", [])
                   if isinstance(m, dict)}
    out: dict[str, dict[str, Any]] = {}
    for module in modules:
        caveats = [module.caveat] if module.caveat else []
        for step in steps_by_id.get(module.id, []):
            if isinstance(step, dict) and text(step.get("caveat")):
                caveats.append(f"{text(step.get('name'))}: {text(step['caveat'])}")
        out[module.id] = {"direction": module.direction, "note": module.note,
                          "caveats": caveats}
    return out


def marker_notes(path: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """Marker ID -> ``name``, ``proxy`` and ``caveat`` from the marker-gene YAML file."""
    from gutbrain.markers import load_markers

    return {m.id: {"name": m.name, "proxy": m.proxy, "caveat": m.caveat}
            for m in load_markers(path)}


def load_report_inputs(
    *,
    read_tracking: str | os.PathLike[str],
    asv_table: str | os.PathLike[str],
    taxonomy: str | os.PathLike[str],
    samples: str | os.PathLike[str],
    alpha: str | os.PathLike[str] | None = None,
    module_scores: str | os.PathLike[str] | None = None,
    module_contributions: str | os.PathLike[str] | None = None,
    marker_genes: str | os.PathLike[str] | None = None,
    sample_confidence: str | os.PathLike[str] | None = None,
    provenance: str | os.PathLike[str] | None = None,
    bundle: str | os.PathLike[str] | Mapping[str, Any] | None = None,
    taxa_of_interest: str | os.PathLike[str] | None = None,
    genus_traits: str | os.PathLike[str] | None = None,
    pcoa: Mapping[str, str | os.PathLike[str]] | None = None,
    reference_cohort: str | os.PathLike[str] | None = None,
    module_catalog: str | os.PathLike[str] | None = None,
    marker_catalog: str | os.PathLike[str] | None = None,
    route_measures: str | os.PathLike[str] | None = None,
    route_contributors: str | os.PathLike[str] | None = None,
    routes: str | os.PathLike[str] | None = None,
    route_validation: str | os.PathLike[str] | None = None,
    comparisons: str | os.PathLike[str] | None = None,
    compare_checks: str | os.PathLike[str] | None = None,
    compare_validation: str | os.PathLike[str] | None = None,
) -> ReportInputs:
    """Read the pipeline's result files into a :class:`ReportInputs` (optional ones may be None)."""
    from gutbrain.pcoa_table import read_pcoa_tsv

    kwargs: dict[str, Any] = {"read_tracking": read_table(read_tracking, "read_tracking")}
    kwargs["asv_table"] = read_asv_table(asv_table)
    kwargs["taxonomy"] = read_table(taxonomy, "taxonomy").set_index("asv_id")
    kwargs["samples"] = read_table(samples, "samples", comment="#")
    optional = {
        "alpha": alpha,
        "module_scores": module_scores,
        "module_contributions": module_contributions,
        "marker_genes": marker_genes,
        "sample_confidence": sample_confidence,
        "provenance": provenance,
        "taxa_of_interest": taxa_of_interest,
        "genus_traits": genus_traits,
        "route_measures": route_measures,
        "route_contributors": route_contributors,
        "route_validation": route_validation,
        "comparisons": comparisons,
        "compare_checks": compare_checks,
        "compare_validation": compare_validation,
    }
    for kind, path in optional.items():
        if path is not None:
            kwargs[kind] = read_table(path, kind)
    if bundle is not None:
        kwargs["bundle"] = dict(bundle) if isinstance(bundle, Mapping) else read_bundle(bundle)
    if pcoa:
        kwargs["pcoa"] = {metric: read_pcoa_tsv(path) for metric, path in pcoa.items()}
    if reference_cohort:
        kwargs["reference_cohort"] = read_reference_cohort(reference_cohort)
    if routes:
        from gutbrain.routes import load_routes

        kwargs["routes"] = tuple(load_routes(routes))
    if module_catalog:
        kwargs["module_notes"] = catalog_notes(module_catalog)
    if marker_catalog:
        kwargs["marker_notes"] = marker_notes(marker_catalog)
    return ReportInputs(**kwargs)


def sample_counts(inputs: ReportInputs, sample: str) -> pd.Series:
    """Read counts per ASV of one sample (empty when the sample has no column)."""

    def build() -> pd.Series:
        if sample not in inputs.asv_table.columns:
            return pd.Series(dtype="int64")
        counts = pd.to_numeric(inputs.asv_table[sample], errors="coerce").fillna(0)
        return counts[counts > 0]

    return inputs.view(("counts", sample), build)


def relative_abundance_by(inputs: ReportInputs, sample: str, labels: pd.Series) -> pd.Series:
    """Relative abundance of one sample summed by an ASV -> label mapping, largest first."""
    counts = sample_counts(inputs, sample)
    total = counts.sum()
    if total <= 0:
        return pd.Series(dtype=float)
    mapped = labels.reindex(counts.index).fillna("Unassigned")
    grouped = (counts / total).groupby(mapped.to_numpy()).sum()
    return grouped.sort_values(ascending=False, kind="mergesort")


def genus_labels(inputs: ReportInputs) -> pd.Series:
    """ASV ID -> genus label (see :func:`genus_label`)."""

    def build() -> pd.Series:
        tax = inputs.taxonomy
        if tax.empty:
            return pd.Series(dtype=str)
        return pd.Series([genus_label(r) for r in tax.to_dict("records")], index=tax.index)

    return inputs.view("genus_labels", build)


def sample_rows(inputs: ReportInputs, name: str, sample: str) -> pd.DataFrame:
    """The rows of one sample in the table ``name`` of ``inputs`` (grouped once per table)."""
    table = getattr(inputs, name)

    def build() -> dict[str, pd.DataFrame]:
        if table.empty or "sample" not in table.columns:
            return {}
        return {str(key): rows for key, rows in
                table.groupby(table["sample"].astype(str).to_numpy(), sort=False)}

    return inputs.view(("rows", name), build).get(sample, table.iloc[0:0])
