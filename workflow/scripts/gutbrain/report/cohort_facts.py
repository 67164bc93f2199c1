"""Facts for the cohort page, built from the finished per-sample facts.

:func:`collect_cohort_facts` is the entry point;
:func:`~gutbrain.report.wording.word_cohort_facts` adds the page's words
(:func:`gutbrain.report.build_cohort_facts` does both).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from gutbrain import __version__
from gutbrain.report.cells import compound_label, num
from gutbrain.report.compare_facts import comparison_facts
from gutbrain.report.inputs import ReportInputs, genus_labels, relative_abundance_by
from gutbrain.report.module_facts import panel_order
from gutbrain.report.sample_facts import provenance_facts, reference_cohort_facts, reference_facts
from gutbrain.report.settings import (
    LOW_PERCENTILE,
    MIN_SAMPLES_FOR_LOW,
    SCHEMA_VERSION,
    Thresholds,
)
from gutbrain.report.vocabulary import vocabulary
from gutbrain.report.wording import PANEL_DEFINITION


def _key_score(facts: Mapping[str, Any], compound: str) -> dict[str, Any]:
    """A compound's synthesis key score and panel word in one sample (cohort table cell)."""
    if not facts["has_reads"]:
        return {"score": None, "status": "no_reads", "text": "no reads"}
    row = next((r for r in facts["panel"]["compounds"] if r["compound"] == compound), None)
    if row is None:
        return {"score": None, "status": "missing", "text": "no synthesis module"}
    if row["score"] is None:
        return {"score": None, "status": row["potential"], "text": row["potential_text"]}
    suffix = " (lowest quarter)" if row["potential"] == "lowest_quarter" else ""
    return {"score": row["score"], "status": row["potential"],
            "text": f"{row['score']:.3g}{suffix}"}


def _route_share(facts: Mapping[str, Any], compound: str) -> dict[str, Any]:
    """A compound's first-screen route in one sample (cohort table cell): its carrier share of
    predicted cells and status, as the sample page states them."""
    if not facts["has_reads"]:
        return {"share": None, "status": "no_reads", "text": "no reads"}
    row = next((r for r in facts.get("routes", {}).get("panel", [])
                if r["compound"] == compound), None)
    if row is None:
        return {"share": None, "status": "missing", "text": "no route"}
    if row["status"] in ("present", "low", "absent") and row["carrier_share"] is not None:
        return {"share": row["carrier_share"], "status": row["status"],
                "text": f"{100 * row['carrier_share']:.1f}% ({row['status']})"}
    return {"share": None, "status": row["status"], "text": row["status_text"]}


def _headline_route_name(inputs: ReportInputs, compound: str) -> str:
    """The name of the route the cohort table shows for a compound ('' without routes)."""
    routes = [r for r in inputs.routes if r.compound == compound and r.direction == "synthesis"
              and r.role != "universal"]
    head = next((r for r in routes if r.role == "headline"), routes[0] if routes else None)
    return head.name if head else ""


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
    sections = vocabulary().sections
    order = {c: i for i, c in enumerate(sections["scfa"] + sections["neuro"])}
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


def collect_cohort_facts(
    sample_facts: Sequence[Mapping[str, Any]],
    inputs: ReportInputs,
    thresholds: Thresholds | None = None,
    *,
    run_date: str | None = None,
) -> dict[str, Any]:
    """Facts for the cohort page from the per-sample facts (in sheet order) and the inputs."""
    thresholds = thresholds or Thresholds()
    key_compounds = vocabulary().cohort_keys
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
            "key_scores": [_key_score(f, c) for c in key_compounds],
            "route_shares": [_route_share(f, c) for c in key_compounds],
            "confidence": f["confidence"]["overall"],
        })
    samples = [f["sample"] for f in sample_facts]
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"gutbrain16s {__version__}",
        "run_date": run_date,
        "n_samples": len(samples),
        "reference": reference_facts(inputs),
        "reference_cohort": reference_cohort_facts(inputs),
        "provenance": provenance_facts(inputs),
        "key_compounds": [compound_label(c) for c in key_compounds],
        "key_routes": [_headline_route_name(inputs, c) for c in key_compounds],
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
        "comparisons": comparison_facts(inputs),
        "thresholds": thresholds.as_dict(),
    }
