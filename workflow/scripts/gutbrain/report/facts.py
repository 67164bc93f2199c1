"""Gather the facts shown in the per-sample and cohort reports into plain, JSON-ready dicts.

The inputs are the pipeline's result tables (see ``docs/reports.md``) held in a
:class:`ReportInputs`; tests build it from tiny DataFrames, the pipeline with
:func:`load_report_inputs`. :func:`build_sample_facts` returns exactly what is written as
``results/reports/samples/{sample}.json`` (schema ``workflow/schemas/sample_report.schema.json``)
and what the HTML page is rendered from. Every number is rounded to six significant digits so
the output is deterministic; missing values are ``None``, never ``NaN`` and never ``0``.
"""

from __future__ import annotations

import math
import os
import re
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from gutbrain import __version__
from gutbrain.asv import read_asv_table
from gutbrain.errors import InputError
from gutbrain.literature import evidence_label
from gutbrain.report import summary
from gutbrain.report.reference import (
    ReferenceCohort,
    read_reference_cohort,
    reference_percentile,
)
from gutbrain.tracking import STEPS

SCHEMA_VERSION = "1"
TRACKING_STEPS = tuple(STEPS)
RANKS = ("kingdom", "phylum", "class", "order", "family", "genus", "species")
SHEET_FIXED_COLUMNS = ("sample", "fq1", "fq2")
SCFA_COMPOUNDS = ("acetate", "propionate", "butyrate")
NEURO_COMPOUNDS = (
    "gaba",
    "glutamate",
    "serotonin",
    "tryptophan",
    "kynurenine",
    "dopamine",
    "histamine",
    "acetylcholine",
    "noradrenaline",
)
COMPOUND_LABELS = {
    "acetate": "Acetate",
    "propionate": "Propionate",
    "butyrate": "Butyrate",
    "gaba": "GABA",
    "glutamate": "Glutamate",
    "serotonin": "Serotonin",
    "tryptophan": "Tryptophan",
    "kynurenine": "Kynurenine",
    "dopamine": "Dopamine",
    "dopac": "DOPAC",
    "histidine": "Histidine",
    "tryptamine": "Tryptamine",
    "indole": "Indole",
    "histamine": "Histamine",
    "acetylcholine": "Acetylcholine",
    "noradrenaline": "Noradrenaline",
    "adrenaline": "Adrenaline",
    "melatonin": "Melatonin",
    "quinolinic_acid": "Quinolinic acid",
    "p_cresol": "p-Cresol",
    "nitric_oxide": "Nitric oxide",
}
MODULE_STATUS_TEXT = {
    "scored": "scored",
    "below_coverage": "pathway incomplete in the predicted genes (below the coverage threshold)",
    "absent": "no predicted genes for this pathway",
    "required_step_absent": "defining enzyme not predicted (pathway not counted)",
    "not_measurable": "not measurable: the functional reference cannot see these genes",
    "not_predictable": "not predictable from 16S",
}
#: Module directions (catalog key ``direction``) and the verb used for each in the reports.
DIRECTION_VERBS = {"synthesis": "make", "conversion": "convert", "degradation": "degrade"}
DIRECTION_ORDER = {d: i for i, d in enumerate(DIRECTION_VERBS)}
#: Compound families of the first-screen panel, in page order; compounds of the catalog not
#: named here are added to the last family.
PANEL_FAMILIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Short-chain fatty acids", ("acetate", "propionate", "butyrate")),
    ("GABA and glutamate", ("gaba", "glutamate")),
    ("Tryptophan and its products", ("tryptophan", "serotonin", "kynurenine",
                                     "quinolinic_acid", "indole", "tryptamine")),
    ("Catecholamines", ("dopamine", "noradrenaline")),
    ("Histamine", ("histamine",)),
    ("Other compounds", ("acetylcholine", "nitric_oxide", "p_cresol", "isovalerate")),
)
#: A scored synthesis key score below this percentile of the run's scored samples is "low" ...
LOW_PERCENTILE = 25.0
#: ... when at least this many samples of the run have a scored key score for the compound.
MIN_SAMPLES_FOR_LOW = 4
POTENTIAL_TEXT = {
    "present": "present",
    "low": "low",
    "absent": "absent",
    "not_measurable": "not measurable",
    "not_predictable": "not predictable from 16S",
}
SCFA_TRAIT = re.compile(r"^(acetate|propionate|butyrate)", re.IGNORECASE)
RANK_PREFIX = re.compile(r"^[a-z]__")
# Keys of the config's report section that name input files, not settings: the report rules
# pass them as inputs (see report_inputs() in workflow/rules/common.smk).
INPUT_KEYS = ("reference_cohort",)


@dataclass(frozen=True)
class Thresholds:
    """Report settings: QC verdicts, confidence words, metadata shown and report sizes.

    Field names are the keys of the ``report:`` section of ``config/config.yaml``.

    QC: reads after QC below ``min_reads_warn`` fail, below ``min_reads_pass`` warn; a fraction
    of input reads retained below ``min_fraction_retained`` warns, and so does a fraction of
    reads predicted below ``min_fraction_predicted`` (either fraction at 0 fails).
    Confidence: weighted distance ``<= high_confidence_distance`` is high,
    ``<= moderate_confidence_distance`` moderate, else low; fraction of reads predicted
    ``>= high_confidence_fraction_predicted`` is high, ``>= min_fraction_predicted`` moderate,
    else low; the overall word is the lower of the two.
    ``metadata_columns``: sample-sheet columns shown (empty = all except sample, fq1, fq2).
    """

    min_reads_pass: int = 1000
    min_reads_warn: int = 200
    min_fraction_retained: float = 0.3
    min_fraction_predicted: float = 0.5
    high_confidence_distance: float = 0.03
    moderate_confidence_distance: float = 0.06
    high_confidence_fraction_predicted: float = 0.8
    metadata_columns: tuple[str, ...] = ()
    top_genera: int = 10
    top_contributors: int = 3

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None, where: str = "config") -> Thresholds:
        """Build from the config's ``report`` mapping; unknown keys or bad values raise
        InputError naming ``where`` and the key."""
        values = {k: v for k, v in dict(values or {}).items() if k not in INPUT_KEYS}
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise InputError(
                f"{where}: unknown report setting(s) {unknown}; known keys: {sorted(known)}"
            )
        parsed: dict[str, Any] = {}
        for key, value in values.items():
            if key == "metadata_columns":
                if value is None:
                    value = []
                if not isinstance(value, list | tuple) or not all(
                        isinstance(v, str) for v in value):
                    raise InputError(f"{where}: '{key}' must be a list of column names")
                parsed[key] = tuple(value)
                continue
            kind = int if known[key].type in ("int", int) else float
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise InputError(f"{where}: report setting '{key}' must be a number")
            try:
                number = kind(value)
            except (TypeError, ValueError) as err:
                raise InputError(f"{where}: report setting '{key}' must be a number") from err
            if number < 0:
                raise InputError(f"{where}: report setting '{key}' must not be negative")
            parsed[key] = number
        made = cls(**parsed)
        for low, high in (
            ("min_reads_warn", "min_reads_pass"),
            ("high_confidence_distance", "moderate_confidence_distance"),
            ("min_fraction_predicted", "high_confidence_fraction_predicted"),
        ):
            if getattr(made, low) > getattr(made, high):
                raise InputError(f"{where}: report setting '{low}' must be <= '{high}'")
        return made

    def as_dict(self) -> dict[str, Any]:
        """The settings as a plain dict (for the JSON facts)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["metadata_columns"] = list(self.metadata_columns)
        return out


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


@dataclass
class ReportInputs:
    """All tables a report is built from (see docs/reports.md for each format).

    ``asv_table`` and ``taxonomy`` are indexed by ASV ID; every other table keeps its columns
    (``sample`` as a column). ``pcoa`` maps a metric to ``(coords, proportions, note)`` as
    returned by :func:`gutbrain.diversity.read_pcoa_tsv`. ``reference_cohort`` is the optional
    reference cohort (:mod:`gutbrain.report.reference`); None = no comparison.
    ``module_notes`` (module ID -> direction, note, caveats) and ``marker_notes`` (marker ID ->
    name, proxy, caveat) come from the module catalog and the marker file
    (:func:`catalog_notes`, :func:`marker_notes`); missing entries mean no note.
    """

    read_tracking: pd.DataFrame
    asv_table: pd.DataFrame
    taxonomy: pd.DataFrame
    samples: pd.DataFrame
    alpha: pd.DataFrame = field(default_factory=lambda: _empty(
        ["sample", "observed_asvs", "shannon", "simpson", "faith_pd", "rarefaction_depth"]))
    module_scores: pd.DataFrame = field(default_factory=lambda: _empty(
        ["module", "name", "category", "direction", "sample", "score", "coverage", "status"]))
    module_contributions: pd.DataFrame = field(default_factory=lambda: _empty(
        ["module", "sample", "genus", "share", "rank"]))
    marker_genes: pd.DataFrame = field(default_factory=lambda: _empty(
        ["marker", "kos", "sample", "abundance", "top_genera"]))
    sample_confidence: pd.DataFrame = field(default_factory=lambda: _empty(
        ["sample", "weighted_distance", "fraction_reads_predicted", "n_asvs",
         "n_asvs_predicted", "reads_total", "reads_predicted"]))
    provenance: pd.DataFrame = field(default_factory=lambda: _empty(
        ["name", "kind", "version", "source", "sha256", "date"]))
    bundle: Mapping[str, Any] = field(default_factory=dict)
    taxa_of_interest: pd.DataFrame = field(default_factory=lambda: _empty(
        ["taxon", "rank", "direction", "finding", "study", "doi", "evidence_strength"]))
    genus_traits: pd.DataFrame = field(default_factory=lambda: _empty(
        ["genus", "trait", "kos", "citation", "doi"]))
    pcoa: Mapping[str, tuple[pd.DataFrame, pd.Series, str]] = field(default_factory=dict)
    reference_cohort: ReferenceCohort | None = None
    module_notes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    marker_notes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


# --------------------------------------------------------------------------- loading

NUMERIC_COLUMNS = {
    "read_tracking": TRACKING_STEPS,
    "alpha": ("observed_asvs", "shannon", "simpson", "faith_pd", "rarefaction_depth", "reads",
              "observed_asvs_unrarefied"),
    "module_scores": ("score", "coverage"),
    "module_contributions": ("share", "rank"),
    "marker_genes": ("abundance",),
    "sample_confidence": ("weighted_distance", "fraction_reads_predicted", "n_asvs",
                          "n_asvs_predicted", "reads_total", "reads_predicted"),
}
REQUIRED_COLUMNS = {
    "read_tracking": ("sample", "input"),
    "taxonomy": ("asv_id", "genus"),
    "alpha": ("sample", "observed_asvs", "shannon", "simpson"),
    "module_scores": ("module", "name", "category", "direction", "sample", "score", "coverage",
                      "status"),
    "module_contributions": ("module", "sample", "genus", "share", "rank"),
    "marker_genes": ("marker", "kos", "sample", "abundance", "top_genera"),
    "sample_confidence": ("sample", "weighted_distance", "fraction_reads_predicted"),
    "provenance": ("name", "kind", "version", "source", "sha256", "date"),
    "samples": ("sample",),
    "taxa_of_interest": ("taxon", "rank", "direction", "finding", "study", "doi",
                         "evidence_strength"),
    "genus_traits": ("genus", "trait"),
}


def read_table(path: str | os.PathLike[str], kind: str, comment: str | None = None) -> pd.DataFrame:
    """Read one TSV of ``kind`` (a key of :data:`REQUIRED_COLUMNS`) as text, then make the
    known numeric columns numeric (empty cell = missing). Errors name the file and column."""
    path = Path(path)
    try:
        table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, comment=comment)
    except FileNotFoundError as err:
        raise InputError(f"{path}: file not found; run the step that makes it first") from err
    missing = [c for c in REQUIRED_COLUMNS.get(kind, ()) if c not in table.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {missing}; check the file's header row")
    for column in NUMERIC_COLUMNS.get(kind, ()):
        if column in table.columns:
            text = table[column].str.strip()
            try:
                table[column] = pd.to_numeric(text.where(text != ""), errors="raise")
            except (TypeError, ValueError) as err:
                raise InputError(f"{path}: column '{column}' must be numeric ({err})") from err
    return table


def read_counts_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read ``asv_table_filtered.tsv`` indexed by ASV ID, one integer column per sample."""
    return read_asv_table(path)


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
    from gutbrain.modules import load_catalog

    modules = load_catalog(path)
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
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
) -> ReportInputs:
    """Read the pipeline's result files into a :class:`ReportInputs` (optional ones may be None)."""
    from gutbrain.diversity import read_pcoa_tsv

    kwargs: dict[str, Any] = {"read_tracking": read_table(read_tracking, "read_tracking")}
    kwargs["asv_table"] = read_counts_table(asv_table)
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
    if module_catalog:
        kwargs["module_notes"] = catalog_notes(module_catalog)
    if marker_catalog:
        kwargs["marker_notes"] = marker_notes(marker_catalog)
    return ReportInputs(**kwargs)


# --------------------------------------------------------------------------- helpers


def num(value: Any) -> float | None:
    """A finite number rounded to six significant digits, or None for missing values."""
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):
        return None
    return float(f"{number:.6g}")


def integer(value: Any) -> int | None:
    """An integer, or None for missing values."""
    number = num(value)
    return None if number is None else int(round(number))


def text(value: Any) -> str:
    """A cell as stripped text; missing values become ''."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def doi_url(doi: str) -> str | None:
    """``https://doi.org/<doi>`` for a DOI (or a doi.org URL); None when it is not a DOI."""
    doi = text(doi)
    match = re.search(r"(10\.\d{4,9}/\S+)", doi)
    if not match:
        return None
    return "https://doi.org/" + urllib.parse.quote(match.group(1).rstrip(".,;"), safe="/:;()._-")


def _clean_taxon(name: Any) -> str:
    return RANK_PREFIX.sub("", text(name)).replace("_", " ").strip()


def genus_label(row: Mapping[str, Any]) -> str:
    """The genus of a taxonomy row, or 'Unclassified <lowest assigned rank>' / 'Unassigned'."""
    genus = _clean_taxon(row.get("genus", ""))
    if genus:
        return genus
    for rank in ("family", "order", "class", "phylum", "kingdom"):
        name = _clean_taxon(row.get(rank, ""))
        if name:
            return f"Unclassified {name}"
    return "Unassigned"


def sample_counts(inputs: ReportInputs, sample: str) -> pd.Series:
    """Read counts per ASV of one sample (empty when the sample has no column)."""
    if sample not in inputs.asv_table.columns:
        return pd.Series(dtype="int64")
    counts = pd.to_numeric(inputs.asv_table[sample], errors="coerce").fillna(0)
    return counts[counts > 0]


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
    tax = inputs.taxonomy
    if tax.empty:
        return pd.Series(dtype=str)
    return pd.Series([genus_label(r) for r in tax.to_dict("records")], index=tax.index)


def percentile_in_run(values: Mapping[str, float | None], sample: str) -> float | None:
    """Mid-rank percentile (0-100) of ``sample`` among the samples with a value; None if < 2."""
    known = {s: v for s, v in values.items() if v is not None}
    if sample not in known or len(known) < 2:
        return None
    x = known[sample]
    others = [v for s, v in known.items() if s != sample]
    below = sum(v < x for v in others)
    equal = sum(v == x for v in others)
    return num(100.0 * (below + 0.5 * equal) / len(others))


def _rows(table: pd.DataFrame, sample: str) -> pd.DataFrame:
    if table.empty or "sample" not in table.columns:
        return table.iloc[0:0]
    return table[table["sample"].astype(str) == sample]


def split_category(category: str) -> tuple[str, str]:
    """``'scfa:butyrate'`` -> ``('scfa', 'butyrate')``; no colon -> ``('other', category)``."""
    group, sep, compound = text(category).partition(":")
    if not sep:
        return "other", group.lower()
    return group.lower(), compound.lower()


def compound_label(compound: str) -> str:
    """Display name of a compound key (``gaba`` -> ``GABA``)."""
    return COMPOUND_LABELS.get(compound, compound.replace("_", " ").capitalize())


# --------------------------------------------------------------------------- sections


def _metadata(inputs: ReportInputs, sample: str, columns: Sequence[str]) -> list[dict[str, str]]:
    sheet = inputs.samples
    missing = [c for c in columns if c not in sheet.columns]
    if missing:
        raise InputError(
            f"config report.metadata_columns names {missing}, which the sample sheet does not "
            f"have (columns: {list(sheet.columns)}); fix the config or the sheet"
        )
    rows = sheet[sheet["sample"].astype(str) == sample]
    if rows.empty:
        return []
    record = rows.iloc[0]
    shown = list(columns) or [c for c in sheet.columns if c not in SHEET_FIXED_COLUMNS]
    return [{"column": str(c), "value": text(record[c])} for c in shown]


def _qc(inputs: ReportInputs, sample: str, fraction_predicted: float | None,
        thresholds: Thresholds) -> dict[str, Any]:
    rows = _rows(inputs.read_tracking, sample)
    if rows.empty:
        raise InputError(
            f"read tracking table has no row for sample '{sample}'; rerun the QC steps"
        )
    record = rows.iloc[0]
    steps = []
    for step in TRACKING_STEPS:
        if step in rows.columns:
            value = integer(record[step])
            if value is not None:
                steps.append({"step": step, "reads": value})
    reads_input = steps[0]["reads"] if steps else 0
    reads_after = steps[-1]["reads"] if steps else 0
    fraction = num(reads_after / reads_input) if reads_input else None
    checks = summary.qc_checks(reads_after, fraction, fraction_predicted, thresholds)
    return {
        "steps": steps,
        "reads_input": reads_input,
        "reads_after_qc": reads_after,
        "fraction_retained": fraction,
        "flag": text(record.get("flag", "")),
        "zero_reads": reads_after == 0,
        "checks": checks,
        "status": summary.worst_status(c["status"] for c in checks),
    }


def _alpha(inputs: ReportInputs, sample: str) -> dict[str, Any]:
    table = inputs.alpha
    metrics = [
        ("observed_asvs", "Observed ASVs (rarefied)"),
        ("shannon", "Shannon diversity (natural log)"),
        ("simpson", "Simpson diversity (Gini-Simpson, 1 - sum p^2)"),
        ("faith_pd", "Faith's phylogenetic diversity"),
    ]
    row = _rows(table, sample)
    depth = integer(row.iloc[0]["rarefaction_depth"]) if (
        not row.empty and "rarefaction_depth" in row.columns) else None
    unrarefied = integer(row.iloc[0]["observed_asvs_unrarefied"]) if (
        not row.empty and "observed_asvs_unrarefied" in row.columns) else None
    status = text(row.iloc[0]["status"]) if not row.empty and "status" in row.columns else ""
    n_with_values = int(table["shannon"].notna().sum()) if "shannon" in table.columns else 0
    values = []
    for metric, label in metrics:
        if metric not in table.columns:
            continue
        by_sample = {str(s): num(v) for s, v in zip(table["sample"], table[metric], strict=True)}
        if all(v is None for v in by_sample.values()):
            continue
        value = by_sample.get(sample)
        percentile = percentile_in_run(by_sample, sample)
        if value is None:
            note = "not computed for this sample (below the rarefaction depth or no reads)"
        elif percentile is None:
            note = "n/a: only one sample in this run has diversity values, so no percentile"
        else:
            note = f"percentile among {n_with_values} samples in this run"
        values.append({"metric": metric, "label": label, "value": value,
                       "percentile": percentile, "percentile_note": note})
    if row.empty:
        alpha_note = "No diversity values for this sample"
    elif status == "below_depth":
        alpha_note = (f"This sample has fewer reads than the rarefaction depth ({depth}); "
                      "rarefied diversity was not computed")
    else:
        alpha_note = f"Computed on reads rarefied to {depth:,} per sample" if depth else ""
    return {"metrics": values, "rarefaction_depth": depth, "observed_asvs_unrarefied": unrarefied,
            "note": alpha_note}


def _composition(inputs: ReportInputs, sample: str, thresholds: Thresholds) -> dict[str, Any]:
    abundance = relative_abundance_by(inputs, sample, genus_labels(inputs))
    counts = sample_counts(inputs, sample)
    top = abundance.head(thresholds.top_genera)
    unassigned = float(abundance[[i.startswith(("Unassigned", "Unclassified"))
                                  for i in abundance.index]].sum()) if len(abundance) else 0.0
    return {
        "reads": int(counts.sum()),
        "n_asvs": int(len(counts)),
        "n_genera": int(sum(not g.startswith(("Unassigned", "Unclassified"))
                            for g in abundance.index)),
        "top_genera": [{"genus": str(g), "relative_abundance": num(v)} for g, v in top.items()],
        "other_fraction": num(max(0.0, 1.0 - float(top.sum()))) if len(abundance) else None,
        "unassigned_fraction": num(unassigned) if len(abundance) else None,
        "alpha": _alpha(inputs, sample),
    }


def _contributors(inputs: ReportInputs, module: str, sample: str, top: int) -> list[dict]:
    table = _rows(inputs.module_contributions, sample)
    if table.empty:
        return []
    table = table[table["module"].astype(str) == module].sort_values(
        ["rank", "genus"], kind="mergesort")
    return [{"genus": _clean_taxon(r["genus"]) or "Unassigned", "share": num(r["share"])}
            for r in table.head(top).to_dict("records")]


def direction_role(direction: str, label: str) -> str:
    """What a module says about a compound: "predicted potential to degrade GABA"."""
    verb = DIRECTION_VERBS.get(direction)
    if verb is None:
        return f"predicted potential linked to {label} (direction not recorded)"
    return f"predicted potential to {verb} {label}"


def _direction(inputs: ReportInputs, module: str, record: Mapping[str, Any]) -> str:
    """A module's direction: the score table's column, else the catalog's; else an error."""
    direction = text(record.get("direction", "")) or text(
        inputs.module_notes.get(module, {}).get("direction", ""))
    if direction not in DIRECTION_VERBS:
        raise InputError(
            f"module_scores.tsv: module '{module}' has direction '{direction}' (expected one of "
            f"{sorted(DIRECTION_VERBS)}); rerun the module scoring step of this version"
        )
    return direction


def _module_entry(inputs: ReportInputs, module: str, record: Mapping[str, Any],
                  by_sample: Mapping[str, float | None], sample: str,
                  thresholds: Thresholds) -> dict[str, Any]:
    """One module of one sample: status, direction, caveats, score, percentiles, contributors."""
    status = text(record["status"])
    if status not in MODULE_STATUS_TEXT:
        raise InputError(
            f"module_scores.tsv: module '{module}', sample '{sample}': unknown status "
            f"'{status}' (expected one of {sorted(MODULE_STATUS_TEXT)})"
        )
    _, compound = split_category(record["category"])
    direction = _direction(inputs, module, record)
    notes = inputs.module_notes.get(module, {})
    predictable = status != "not_predictable"
    raw_score = None if pd.isna(record["score"]) else float(record["score"])
    ref_percentile, ref_note = reference_percentile(
        inputs.reference_cohort, module, raw_score, status)
    return {
        "module": module,
        "name": text(record["name"]),
        "compound": compound,
        "compound_label": compound_label(compound),
        "direction": direction,
        "role": direction_role(direction, compound_label(compound)),
        "note": text(notes.get("note", "")),
        "caveats": [text(c) for c in notes.get("caveats", [])],
        "status": status,
        "status_text": MODULE_STATUS_TEXT[status],
        "score": num(record["score"]) if predictable else None,
        "coverage": num(record["coverage"]) if predictable else None,
        "percentile": percentile_in_run(dict(by_sample), sample) if predictable else None,
        "reference_percentile": ref_percentile,
        "reference_percentile_note": ref_note,
        "contributors": _contributors(inputs, module, sample, thresholds.top_contributors),
    }


def _modules(inputs: ReportInputs, sample: str, group: str, expected: Sequence[str],
             thresholds: Thresholds) -> dict[str, Any]:
    scores = inputs.module_scores
    entries = []
    if not scores.empty:
        mask = np.array([split_category(c)[0] == group for c in scores["category"]], dtype=bool)
        for module, module_rows in scores[mask].groupby("module", sort=True):
            by_sample = {
                str(r["sample"]): num(r["score"]) if text(r["status"]) != "not_predictable"
                else None
                for r in module_rows.to_dict("records")
            }
            mine = module_rows[module_rows["sample"].astype(str) == sample]
            if not mine.empty:
                entries.append(_module_entry(inputs, str(module), mine.iloc[0], by_sample,
                                             sample, thresholds))
    order = {c: i for i, c in enumerate(expected)}
    entries.sort(key=lambda e: (order.get(e["compound"], len(order)), e["compound"],
                                DIRECTION_ORDER.get(e["direction"], 9), e["module"]))
    present = {e["compound"] for e in entries}
    return {
        "modules": entries,
        "missing_compounds": [compound_label(c) for c in expected if c not in present
                              and not (c == "dopamine" and "dopac" in present)],
    }


# --------------------------------------------------------------------------- first screen


def synthesis_potential(statuses: Iterable[str], percentile: float | None,
                        n_scored: int) -> str:
    """The panel word for one compound from the statuses of its *synthesis* modules.

    ``present``: a synthesis module is scored and the key score is not low; ``low``: scored but
    below :data:`LOW_PERCENTILE` of the run (only with at least :data:`MIN_SAMPLES_FOR_LOW`
    scored samples, ``n_scored``), or no module scored but one ``below_coverage`` (pathway
    partly predicted); ``absent``: none scored or below coverage, and at least one ``absent``
    or ``required_step_absent``; else ``not_measurable`` if any module is, else
    ``not_predictable``.
    """
    found = set(statuses)
    if "scored" in found:
        if (percentile is not None and n_scored >= MIN_SAMPLES_FOR_LOW
                and percentile < LOW_PERCENTILE):
            return "low"
        return "present"
    if "below_coverage" in found:
        return "low"
    if found & {"absent", "required_step_absent"}:
        return "absent"
    return "not_measurable" if "not_measurable" in found else "not_predictable"


def synthesis_key_status(statuses: Iterable[str]) -> str:
    """The compound status of :func:`gutbrain.scoring.compound_synthesis_scores` (scored,
    absent, not_measurable, not_predictable) from its synthesis modules' statuses."""
    found = set(statuses)
    if "scored" in found:
        return "scored"
    if found & {"absent", "below_coverage", "required_step_absent"}:
        return "absent"
    return "not_measurable" if "not_measurable" in found else "not_predictable"


def run_key_scores(scores: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Compound -> sample -> key score: the highest *scored synthesis* module score (the rule
    of :func:`gutbrain.scoring.compound_synthesis_scores`); samples without one are left out."""
    if scores.empty or "direction" not in scores.columns:
        return {}
    keep = (scores["direction"].astype(str) == "synthesis") & (
        scores["status"].astype(str) == "scored") & scores["score"].notna()
    table = scores[keep]
    out: dict[str, dict[str, float]] = {}
    for (category, sample), value in table.groupby(["category", "sample"])["score"].max().items():
        out.setdefault(split_category(category)[1], {})[str(sample)] = float(value)
    return out


def panel_order(compounds: Iterable[str]) -> list[tuple[str, str]]:
    """(family, compound) in panel order; compounds not in :data:`PANEL_FAMILIES` go last."""
    given = list(dict.fromkeys(compounds))
    ordered = [(family, c) for family, members in PANEL_FAMILIES for c in members if c in given]
    listed = {c for _, c in ordered}
    last = PANEL_FAMILIES[-1][0]
    return ordered + [(last, c) for c in sorted(given) if c not in listed]


def _potential_text(potential: str, scored: bool) -> str:
    """The panel word, with the reason for 'low'."""
    if potential != "low":
        return POTENTIAL_TEXT[potential]
    if scored:
        return f"low (below the run's {LOW_PERCENTILE:g}th percentile)"
    return "low (pathway partly predicted)"


def _panel_entry(family: str, compound: str, modules: Sequence[Mapping[str, Any]],
                 run_scores: Mapping[str, float], sample: str) -> dict[str, Any]:
    synthesis = [m for m in modules if m["direction"] == "synthesis"]
    scored = [m for m in synthesis if m["status"] == "scored" and m["score"] is not None]
    best = max(scored, key=lambda m: m["score"]) if scored else None
    percentile = percentile_in_run(dict(run_scores), sample) if best else None
    potential = synthesis_potential((m["status"] for m in synthesis), percentile,
                                    len(run_scores))
    return {
        "family": family,
        "compound": compound,
        "label": compound_label(compound),
        "potential": potential,
        "potential_text": _potential_text(potential, best is not None),
        "key_status": synthesis_key_status(m["status"] for m in synthesis),
        "score": best["score"] if best else None,
        "module": best["module"] if best else None,
        "percentile": percentile,
        "n_samples_scored": len(run_scores),
        "caveats": list(best["caveats"]) if best else [],
        "other_directions": sorted({m["role"] for m in modules if m["direction"] != "synthesis"
                                    and m["status"] == "scored"}),
    }


def compound_panel(modules: Sequence[Mapping[str, Any]],
                   run_scores: Mapping[str, Mapping[str, float]],
                   sample: str) -> list[dict[str, Any]]:
    """One first-screen row per compound with at least one synthesis module (see
    :func:`synthesis_potential`); degradation and conversion modules never set the word and are
    only named in ``other_directions``."""
    by_compound: dict[str, list[Mapping[str, Any]]] = {}
    for m in modules:
        by_compound.setdefault(m["compound"], []).append(m)
    with_synthesis = [c for c, ms in by_compound.items()
                      if any(m["direction"] == "synthesis" for m in ms)]
    return [_panel_entry(family, c, by_compound[c], run_scores.get(c, {}), sample)
            for family, c in panel_order(with_synthesis)]


def _citations(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Distinct (citation, doi) pairs of trait rows as report citations."""
    citations = []
    seen = set()
    for r in rows:
        label = text(r.get("citation", "")) or text(r.get("study", ""))
        doi = text(r.get("doi", ""))
        if (label, doi) in seen or not (label or doi):
            continue
        seen.add((label, doi))
        citations.append({"citation": label or doi, "doi": doi, "url": doi_url(doi)})
    return citations


def _producer(genus: str, rows: list[dict[str, Any]], abundance: float) -> dict[str, Any]:
    """One genus with SCFA traits: direct rows decide; otherwise the rows' evidence labels."""
    labels = [evidence_label(text(r.get("evidence", "")), text(r.get("origin", "")))
              for r in rows]
    direct = [r for r, label in zip(rows, labels, strict=True) if label == "direct"]
    shown = direct or rows
    return {
        "genus": genus,
        "traits": sorted({text(r["trait"]) for r in shown}),
        "relative_abundance": num(abundance),
        "evidence": "direct" if direct else "; ".join(sorted(set(labels))),
        "citations": _citations(shown),
    }


def _scfa_producers(inputs: ReportInputs, sample: str) -> tuple[list[dict], list[dict]]:
    """(known producers, other genera): genera of genus_traits.tsv with SCFA traits, split by
    evidence class (see :func:`gutbrain.literature.evidence_label`); most abundant first."""
    traits = inputs.genus_traits
    if traits.empty:
        return [], []
    traits = traits[[bool(SCFA_TRAIT.match(text(t))) for t in traits["trait"]]]
    abundance = relative_abundance_by(inputs, sample, genus_labels(inputs))
    out = [_producer(str(genus), rows.to_dict("records"), abundance.get(genus, 0.0))
           for genus, rows in traits.groupby(traits["genus"].map(_clean_taxon), sort=True)]
    out.sort(key=lambda p: (-(p["relative_abundance"] or 0.0), p["genus"]))
    return ([p for p in out if p["evidence"] == "direct"],
            [p for p in out if p["evidence"] != "direct"])


def _marker_status(abundance: float | None) -> str:
    """Status of a marker row without a status column (as gutbrain.markers words it)."""
    if abundance is None:
        return "not_measurable"
    return "present" if abundance > 0 else "absent"


def _markers(inputs: ReportInputs, sample: str) -> list[dict[str, Any]]:
    table = _rows(inputs.marker_genes, sample)
    out = []
    for r in table.sort_values("marker", kind="mergesort").to_dict("records"):
        notes = inputs.marker_notes.get(text(r["marker"]), {})
        out.append({
            "marker": text(r["marker"]), "kos": text(r["kos"]), "abundance": num(r["abundance"]),
            "status": text(r.get("status", "")) or _marker_status(num(r["abundance"])),
            "top_genera": text(r["top_genera"]),
            "name": text(notes.get("name", "")),
            "proxy": bool(notes.get("proxy", False)),
            "caveat": text(notes.get("caveat", "")),
        })
    return out


def _taxon_present(inputs: ReportInputs, sample: str, taxon: str, rank: str) -> float | None:
    """Relative abundance of a named taxon at a rank in the sample; None if rank is unknown."""
    rank = rank.strip().lower()
    if rank not in RANKS or rank not in inputs.taxonomy.columns:
        return None
    wanted = _clean_taxon(taxon)
    tax = inputs.taxonomy
    names = tax[rank].map(_clean_taxon)
    if rank == "species" and "genus" in tax.columns:
        binomial = tax["genus"].map(_clean_taxon) + " " + names
        match = (names == wanted) | (binomial == wanted)
    else:
        match = names == wanted
    counts = sample_counts(inputs, sample)
    total = counts.sum()
    if total <= 0:
        return 0.0
    hit = match.reindex(counts.index).fillna(False).astype(bool)
    return float(counts[hit.to_numpy()].sum() / total)


#: Ranks of taxa_of_interest.tsv not shown in sample reports: a community type (enterotype) is a
#: classification of the whole community, which the pipeline does not make, so a finding about
#: "Bacteroides enterotype 2" would wrongly be read as being about Bacteroides abundance.
HIDDEN_RANKS = ("community_type",)


def _linked_genus(record: Mapping[str, Any]) -> str:
    """The genus a finding is shown with: the table's ``genus`` column, else the first word of
    a genus or species name, else '' (the finding is matched at its own rank)."""
    genus = _clean_taxon(record.get("genus", ""))
    if genus:
        return genus
    if text(record["rank"]).lower() in ("genus", "species"):
        return _clean_taxon(record["taxon"]).split(" ")[0]
    return ""


def _finding(record: Mapping[str, Any], genus: str, abundance: float) -> dict[str, Any]:
    taxon = _clean_taxon(record["taxon"])
    direction = text(record["direction"])
    return {
        "taxon": taxon,
        "rank": text(record["rank"]).lower(),
        "genus": genus or taxon,
        "relative_abundance": num(abundance),
        "direction": direction,
        "statement": summary.association_statement(taxon, direction, text(record["study"])),
        "finding": text(record["finding"]),
        "study": text(record["study"]),
        "doi": text(record["doi"]),
        "url": doi_url(text(record["doi"])),
        "evidence_strength": text(record["evidence_strength"]),
    }


def _taxa_of_interest(inputs: ReportInputs, sample: str) -> list[dict[str, Any]]:
    """Findings whose linked genus (or, without one, the taxon at its rank) is in the sample."""
    table = inputs.taxa_of_interest
    if table.empty:
        return []
    out = []
    for r in table.to_dict("records"):
        rank = text(r["rank"]).lower().replace(" ", "_")
        if rank in HIDDEN_RANKS:
            continue
        genus = _linked_genus(r)
        abundance = (_taxon_present(inputs, sample, genus, "genus") if genus
                     else _taxon_present(inputs, sample, text(r["taxon"]), rank))
        if abundance:
            out.append(_finding(r, genus, abundance))
    out.sort(key=lambda t: (-(t["relative_abundance"] or 0.0), t["genus"], t["taxon"],
                            t["study"]))
    return out


DEPRESSION_DIRECTIONS = ("depleted", "enriched", "mixed")


def summarise_taxa(findings: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One line per genus of interest: overall direction across its findings and their count.

    Findings are merged by their linked ``genus`` (the taxon itself when there is none), so a
    family or species finding shown with a genus counts towards it: *Bifidobacterium* depleted
    beside Bifidobacteriaceae enriched is ``mixed``.

    The direction is ``mixed`` when findings about depression disagree (or any says mixed);
    findings about other measures (e.g. quality of life) count only when there is no
    depression finding.
    """
    out: dict[str, dict[str, Any]] = {}
    for f in findings:
        key = f.get("genus") or f["taxon"]
        entry = out.setdefault(key, {"taxon": key, "rank": f["rank"],
                                     "relative_abundance": f["relative_abundance"],
                                     "directions": [], "n_findings": 0})
        if entry["rank"] != f["rank"]:
            entry["rank"] = "genus and related taxa"
        entry["directions"].append(f["direction"].lower())
        entry["n_findings"] += 1
    rows = []
    for entry in out.values():
        directions = entry.pop("directions")
        depression = {d for d in directions if d in DEPRESSION_DIRECTIONS}
        others = sorted({d for d in directions if d not in DEPRESSION_DIRECTIONS})
        if "mixed" in depression or len(depression) > 1:
            overall = "mixed"
        elif depression:
            overall = depression.pop()
        else:
            overall = others[0] if len(others) == 1 else "mixed"
        rows.append({**entry, "direction": overall})
    return rows


def _confidence(inputs: ReportInputs, sample: str, thresholds: Thresholds) -> dict[str, Any]:
    rows = _rows(inputs.sample_confidence, sample)
    record = rows.iloc[0] if not rows.empty else {}
    get = (lambda k: record[k] if k in rows.columns else None) if not rows.empty else (
        lambda k: None)
    distance = num(get("weighted_distance"))
    predicted = num(get("fraction_reads_predicted"))
    genomes = num(get("genomes_per_read"))
    levels = summary.confidence_levels(distance, predicted, thresholds, genomes_per_read=genomes)
    return {
        "method": text(get("method")) or "nearest",
        "weighted_distance": distance,
        "genomes_per_read": genomes,
        "fraction_reads_predicted": predicted,
        "n_asvs": integer(get("n_asvs")),
        "n_asvs_predicted": integer(get("n_asvs_predicted")),
        "reads_total": integer(get("reads_total")),
        "reads_predicted": integer(get("reads_predicted")),
        **levels,
        "thresholds": {
            "distance_high": thresholds.high_confidence_distance,
            "distance_moderate": thresholds.moderate_confidence_distance,
            "predicted_high": thresholds.high_confidence_fraction_predicted,
            "predicted_moderate": thresholds.min_fraction_predicted,
        },
    }


def _reference(inputs: ReportInputs) -> dict[str, Any]:
    bundle = inputs.bundle or {}
    return {
        "name": text(bundle.get("name", "")) or "not recorded",
        "kind": text(bundle.get("kind", "")) or "not recorded",
        "version": text(bundle.get("version", "")),
        "description": text(bundle.get("description", "")),
        "citation": text(bundle.get("citation", "")),
    }


def _reference_cohort(inputs: ReportInputs) -> dict[str, Any] | None:
    cohort = inputs.reference_cohort
    return None if cohort is None else cohort.describe()


def _provenance(inputs: ReportInputs) -> list[dict[str, str]]:
    keys = ("name", "kind", "version", "source", "sha256", "date")
    return [{k: text(r.get(k, "")) for k in keys} for r in inputs.provenance.to_dict("records")]


# --------------------------------------------------------------------------- public API


def build_sample_facts(
    sample: str,
    inputs: ReportInputs,
    thresholds: Thresholds | None = None,
    *,
    run_date: str | None = None,
) -> dict[str, Any]:
    """All facts about one sample as a JSON-ready dict (the per-sample JSON, exactly).

    ``run_date`` is the only value that may differ between two runs on the same inputs.
    A sample with zero reads after QC gets QC, confidence and summary facts, and empty
    composition and module sections with the reason.
    """
    thresholds = thresholds or Thresholds()
    sample = str(sample)
    if not (inputs.samples["sample"].astype(str) == sample).any():
        raise InputError(f"sample sheet has no sample '{sample}'; check config/samples.tsv")
    confidence = _confidence(inputs, sample, thresholds)
    qc = _qc(inputs, sample, confidence["fraction_reads_predicted"], thresholds)
    zero = qc["zero_reads"] or sample_counts(inputs, sample).sum() == 0
    facts: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "generator": f"gutbrain16s {__version__}",
        "run_date": run_date,
        "sample": sample,
        "metadata": _metadata(inputs, sample, thresholds.metadata_columns),
        "reference": _reference(inputs),
        "reference_cohort": _reference_cohort(inputs),
        "provenance": _provenance(inputs),
        "qc": qc,
        "has_reads": not zero,
        "composition": _composition(inputs, sample, thresholds),
        "scfa": {**_modules(inputs, sample, "scfa", SCFA_COMPOUNDS, thresholds)},
        "neuro": _modules(inputs, sample, "neuro", NEURO_COMPOUNDS, thresholds),
        "markers": _markers(inputs, sample),
        "taxa_of_interest": _taxa_of_interest(inputs, sample),
        "taxa_summary": [],
        "confidence": confidence,
        "thresholds": thresholds.as_dict(),
    }
    facts["scfa"]["producers"], facts["scfa"]["other_genera"] = _scfa_producers(inputs, sample)
    if zero:
        for section in ("scfa", "neuro"):
            facts[section]["modules"] = []
        facts["scfa"]["producers"] = []
        facts["scfa"]["other_genera"] = []
        facts["markers"] = []
        facts["taxa_of_interest"] = []
    facts["taxa_summary"] = summarise_taxa(facts["taxa_of_interest"])
    facts["panel"] = _panel(inputs, facts, sample)
    facts["summary"] = summary.plain_language_summary(facts)
    return facts


PANEL_DEFINITION = (
    "Synthesis potential per compound, from its synthesis modules only (degradation and "
    "conversion modules never count). present: a synthesis module is scored; low: scored but "
    f"below the {LOW_PERCENTILE:g}th percentile of the samples of this run with a score (when "
    f"at least {MIN_SAMPLES_FOR_LOW} have one), or the pathway is only partly predicted (below "
    "the coverage threshold); absent: no synthesis pathway predicted (no genes, or its defining "
    "enzyme missing); not measurable: the functional reference cannot see the genes; not "
    "predictable: no bacterial genes define the pathway."
)


def _panel(inputs: ReportInputs, facts: Mapping[str, Any], sample: str) -> dict[str, Any]:
    """The first-screen panel: one row per compound (see :func:`compound_panel`)."""
    rows: list[dict[str, Any]] = []
    if facts["has_reads"]:
        modules = [*facts["scfa"]["modules"], *facts["neuro"]["modules"]]
        rows = compound_panel(modules, run_key_scores(inputs.module_scores), sample)
    confidence = facts["confidence"]["overall"]
    for row in rows:
        row["confidence"] = confidence
    return {"compounds": rows, "confidence": confidence, "definition": PANEL_DEFINITION,
            "low_percentile": LOW_PERCENTILE, "min_samples_for_low": MIN_SAMPLES_FOR_LOW}


KEY_COMPOUNDS = ("acetate", "propionate", "butyrate", "gaba")


def _key_score(facts: Mapping[str, Any], compound: str) -> dict[str, Any]:
    """A compound's synthesis key score and panel word in one sample (cohort table cell)."""
    if not facts["has_reads"]:
        return {"score": None, "status": "no_reads", "text": "no reads"}
    row = next((r for r in facts["panel"]["compounds"] if r["compound"] == compound), None)
    if row is None:
        return {"score": None, "status": "missing", "text": "no synthesis module"}
    if row["score"] is None:
        return {"score": None, "status": row["potential"], "text": row["potential_text"]}
    suffix = " (low)" if row["potential"] == "low" else ""
    return {"score": row["score"], "status": row["potential"],
            "text": f"{row['score']:.3g}{suffix}"}


def _compound_heatmap(sample_facts: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Compounds x samples: synthesis key score and panel word (the cohort's first heatmap)."""
    compounds = panel_order(r["compound"] for f in sample_facts
                            for r in f["panel"]["compounds"])
    rows = []
    for _, compound in compounds:
        row = []
        for f in sample_facts:
            cell = _key_score(f, compound)
            row.append({"score": cell["score"], "status": cell["status"]})
        rows.append(row)
    return {
        "compounds": [{"compound": c, "label": compound_label(c), "family": fam}
                      for fam, c in compounds],
        "samples": [f["sample"] for f in sample_facts],
        "cells": rows,
    }


def _genus_bars(inputs: ReportInputs, samples: Sequence[str], top: int) -> dict[str, Any]:
    labels = genus_labels(inputs)
    per_sample = {s: relative_abundance_by(inputs, s, labels) for s in samples}
    frame = pd.DataFrame(per_sample).fillna(0.0)
    if frame.empty:
        return {"samples": list(samples), "genera": [], "values": []}
    mean = frame.mean(axis=1).sort_values(ascending=False, kind="mergesort")
    genera = [g for g in mean.index if not g.startswith(("Unassigned", "Unclassified"))][:top]
    values = [[num(frame.at[g, s]) if s in frame.columns else 0.0 for s in samples]
              for g in genera]
    other = [num(max(0.0, float(frame[s].sum()) - sum(frame.at[g, s] for g in genera)))
             if s in frame.columns and frame[s].sum() > 0 else 0.0 for s in samples]
    return {"samples": list(samples), "genera": genera + ["Other"], "values": values + [other]}


def _heatmap(inputs: ReportInputs, sample_facts: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    modules: dict[str, dict[str, Any]] = {}
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for facts in sample_facts:
        for group in ("scfa", "neuro"):
            for m in facts[group]["modules"]:
                modules.setdefault(m["module"], {"module": m["module"], "name": m["name"],
                                                 "group": group, "compound": m["compound"],
                                                 "compound_label": m["compound_label"],
                                                 "direction": m["direction"]})
                cells[(m["module"], facts["sample"])] = {"score": m["score"],
                                                         "status": m["status"]}
    order = {c: i for i, c in enumerate(SCFA_COMPOUNDS + NEURO_COMPOUNDS)}
    ordered = sorted(modules.values(), key=lambda m: (
        m["group"] != "scfa", order.get(m["compound"], len(order)), m["compound"], m["module"]))
    samples = [f["sample"] for f in sample_facts]
    no_reads = {f["sample"] for f in sample_facts if not f["has_reads"]}
    rows = []
    for m in ordered:
        row = []
        for s in samples:
            if s in no_reads:
                row.append({"score": None, "status": "no_reads"})
            else:
                row.append(cells.get((m["module"], s), {"score": None, "status": "missing"}))
        rows.append(row)
    return {"modules": ordered, "samples": samples, "cells": rows}


def _pcoa(inputs: ReportInputs) -> list[dict[str, Any]]:
    out = []
    for metric in sorted(inputs.pcoa, key=lambda m: (m != "braycurtis", m)):
        coords, proportions, note = inputs.pcoa[metric]
        points = []
        if coords is not None and not coords.empty and not note:
            points = [{"sample": str(r["sample"]), "x": num(r["PC1"]), "y": num(r["PC2"])}
                      for r in coords.to_dict("records")]
        out.append({
            "metric": metric,
            "points": points,
            "proportions": [num(proportions.get("PC1")), num(proportions.get("PC2"))]
            if proportions is not None and len(proportions) else [None, None],
            "note": note if not points else "",
        })
    return out


def build_cohort_facts(
    sample_facts: Sequence[Mapping[str, Any]],
    inputs: ReportInputs,
    thresholds: Thresholds | None = None,
    *,
    run_date: str | None = None,
) -> dict[str, Any]:
    """Facts for the cohort page from the per-sample facts (in sheet order) and the inputs."""
    thresholds = thresholds or Thresholds()
    rows = []
    for f in sample_facts:
        shannon = next((m for m in f["composition"]["alpha"]["metrics"]
                        if m["metric"] == "shannon"), None)
        rows.append({
            "sample": f["sample"],
            "href": f"samples/{urllib.parse.quote(f['sample'])}.html",
            "qc_status": f["qc"]["status"],
            "reads_after_qc": f["qc"]["reads_after_qc"],
            "observed_asvs": f["composition"]["alpha"]["observed_asvs_unrarefied"],
            "shannon": shannon["value"] if shannon else None,
            "key_scores": [_key_score(f, c) for c in KEY_COMPOUNDS],
            "confidence": f["confidence"]["overall"],
        })
    samples = [f["sample"] for f in sample_facts]
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"gutbrain16s {__version__}",
        "run_date": run_date,
        "n_samples": len(samples),
        "reference": _reference(inputs),
        "reference_cohort": _reference_cohort(inputs),
        "provenance": _provenance(inputs),
        "key_compounds": [compound_label(c) for c in KEY_COMPOUNDS],
        "rows": rows,
        "status_counts": {s: sum(r["qc_status"] == s for r in rows)
                          for s in ("pass", "warn", "fail")},
        "compound_heatmap": _compound_heatmap(sample_facts),
        "panel_definition": PANEL_DEFINITION,
        "thresholds_panel": {"low_percentile": LOW_PERCENTILE,
                             "min_samples_for_low": MIN_SAMPLES_FOR_LOW},
        "heatmap": _heatmap(inputs, sample_facts),
        "pcoa": _pcoa(inputs),
        "genus_bars": _genus_bars(inputs, samples, thresholds.top_genera),
        "thresholds": thresholds.as_dict(),
        "note": summary.FIXED_NOTE,
    }


def sheet_samples(inputs: ReportInputs) -> list[str]:
    """Sample IDs in sample-sheet order."""
    return [str(s) for s in inputs.samples["sample"]]
