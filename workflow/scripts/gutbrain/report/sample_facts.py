"""All facts about one sample (:func:`collect_sample_facts`), before any sentence is written.

:func:`collect_sample_facts` returns plain data: figures, verdicts and levels
(:mod:`gutbrain.report.verdicts`) and the report settings used.
:func:`~gutbrain.report.wording.word_sample_facts` then adds the sentences, giving exactly what
is written as ``results/reports/samples/{sample}.json`` (schema
``workflow/schemas/sample_report.schema.json``) and what the HTML page is rendered from
(:func:`gutbrain.report.build_sample_facts` does both).
Every number is rounded to six significant digits so the output is deterministic; missing
values are ``None``, never ``NaN`` and never ``0``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gutbrain import __version__
from gutbrain.errors import InputError
from gutbrain.report.cells import integer, num, percentile_in_run, text
from gutbrain.report.inputs import (
    ReportInputs,
    genus_labels,
    relative_abundance_by,
    sample_counts,
    sample_rows,
)
from gutbrain.report.module_facts import module_section, panel_facts
from gutbrain.report.route_facts import route_facts
from gutbrain.report.settings import (
    SCHEMA_VERSION,
    SHEET_FIXED_COLUMNS,
    Thresholds,
)
from gutbrain.report.taxa_facts import (
    marker_facts,
    scfa_producers,
    summarise_taxa,
    taxa_of_interest_facts,
)
from gutbrain.report.verdicts import (
    confidence_levels,
    confidence_limits,
    qc_verdicts,
    worst_status,
)
from gutbrain.report.vocabulary import vocabulary
from gutbrain.report.wording import diversity_note, diversity_percentile_note
from gutbrain.tables import TRACKING_STEPS


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
    rows = sample_rows(inputs, "read_tracking", sample)
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
    checks = qc_verdicts(reads_after, fraction, fraction_predicted, thresholds)
    return {
        "steps": steps,
        "reads_input": reads_input,
        "reads_after_qc": reads_after,
        "fraction_retained": fraction,
        "flag": text(record.get("flag", "")),
        "zero_reads": reads_after == 0,
        "checks": checks,
        "status": worst_status(c["status"] for c in checks),
    }


def _alpha(inputs: ReportInputs, sample: str) -> dict[str, Any]:
    table = inputs.alpha
    metrics = [
        ("observed_asvs", "Observed ASVs (rarefied)"),
        ("shannon", "Shannon diversity (natural log)"),
        ("simpson", "Simpson diversity (Gini-Simpson, 1 - sum p^2)"),
        ("faith_pd", "Faith's phylogenetic diversity"),
    ]
    row = sample_rows(inputs, "alpha", sample)
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
        note = diversity_percentile_note(value is not None, percentile, n_with_values)
        values.append({"metric": metric, "label": label, "value": value,
                       "percentile": percentile, "percentile_note": note})
    alpha_note = diversity_note(not row.empty, status == "below_depth", depth)
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


def _confidence(inputs: ReportInputs, sample: str, thresholds: Thresholds) -> dict[str, Any]:
    rows = sample_rows(inputs, "sample_confidence", sample)
    record = rows.iloc[0] if not rows.empty else {}
    get = (lambda k: record[k] if k in rows.columns else None) if not rows.empty else (
        lambda k: None)
    distance = num(get("weighted_distance"))
    predicted = num(get("fraction_reads_predicted"))
    genomes = num(get("genomes_per_read"))
    levels = confidence_levels(distance, predicted, thresholds, genomes_per_read=genomes)
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
        "thresholds": confidence_limits(thresholds),
    }


def reference_facts(inputs: ReportInputs) -> dict[str, Any]:
    bundle = inputs.bundle or {}
    return {
        "name": text(bundle.get("name", "")) or "not recorded",
        "kind": text(bundle.get("kind", "")) or "not recorded",
        "version": text(bundle.get("version", "")),
        "description": text(bundle.get("description", "")),
        "citation": text(bundle.get("citation", "")),
    }


def reference_cohort_facts(inputs: ReportInputs) -> dict[str, Any] | None:
    cohort = inputs.reference_cohort
    return None if cohort is None else cohort.describe()


def provenance_facts(inputs: ReportInputs) -> list[dict[str, str]]:
    keys = ("name", "kind", "version", "source", "sha256", "date")
    return [{k: text(r.get(k, "")) for k in keys} for r in inputs.provenance.to_dict("records")]


# --------------------------------------------------------------------------- public API


def collect_sample_facts(
    sample: str,
    inputs: ReportInputs,
    thresholds: Thresholds | None = None,
    *,
    run_date: str | None = None,
) -> dict[str, Any]:
    """All facts about one sample as a JSON-ready dict, without sentences (see the module).

    ``run_date`` is the only value that may differ between two runs on the same inputs.
    A sample with zero reads after QC gets QC and confidence facts, and empty composition and
    module sections with the reason.
    """
    thresholds = thresholds or Thresholds()
    sample = str(sample)
    if not (inputs.samples["sample"].astype(str) == sample).any():
        raise InputError(f"sample sheet has no sample '{sample}'; check config/samples.tsv")
    confidence = _confidence(inputs, sample, thresholds)
    qc = _qc(inputs, sample, confidence["fraction_reads_predicted"], thresholds)
    zero = qc["zero_reads"] or sample_counts(inputs, sample).sum() == 0
    sections = vocabulary().sections
    facts: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "generator": f"gutbrain16s {__version__}",
        "run_date": run_date,
        "sample": sample,
        "metadata": _metadata(inputs, sample, thresholds.metadata_columns),
        "reference": reference_facts(inputs),
        "reference_cohort": reference_cohort_facts(inputs),
        "provenance": provenance_facts(inputs),
        "qc": qc,
        "has_reads": not zero,
        "composition": _composition(inputs, sample, thresholds),
        "scfa": {**module_section(inputs, sample, "scfa", sections["scfa"], thresholds)},
        "neuro": module_section(inputs, sample, "neuro", sections["neuro"], thresholds),
        "markers": marker_facts(inputs, sample),
        "taxa_of_interest": taxa_of_interest_facts(inputs, sample),
        "taxa_summary": [],
        "confidence": confidence,
        "thresholds": thresholds.as_dict(),
    }
    facts["scfa"]["producers"], facts["scfa"]["other_genera"] = scfa_producers(inputs, sample)
    if zero:
        for section in ("scfa", "neuro"):
            facts[section]["modules"] = []
        facts["scfa"]["producers"] = []
        facts["scfa"]["other_genera"] = []
        facts["markers"] = []
        facts["taxa_of_interest"] = []
    facts["taxa_summary"] = summarise_taxa(facts["taxa_of_interest"])
    facts["panel"] = panel_facts(inputs, facts, sample)
    facts["routes"] = route_facts(inputs, sample, thresholds, facts["has_reads"])
    return facts
