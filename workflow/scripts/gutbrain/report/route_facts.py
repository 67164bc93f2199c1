"""Genome-resolved route facts of one sample (:mod:`gutbrain.routes`) and the first screen.

The first screen of a sample page is built from routes, not from module scores: per compound
its *headline* route's carrier share (the fraction of predicted cells whose genus's genomes
carry the complete route), the status from absolute thresholds (stated on the page), the
measured agreement of that measure with paired metagenomes (``resources/route_validation.tsv``,
written by ``benchmarks/modules_vs_metagenome.py``), and what this reference cannot see.
Housekeeping routes (role ``universal``) never make a first-screen claim; they are listed apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from gutbrain.report.cells import compound_label, num, text
from gutbrain.report.inputs import ReportInputs
from gutbrain.report.module_facts import panel_order
from gutbrain.report.settings import Thresholds
from gutbrain.report.wording import DATASET_LABELS, ROUTE_STATUS_TEXT
from gutbrain.routes import Route

#: Datasets of the validation table, as the page names them.


def _agreement(inputs: ReportInputs, route: str) -> list[dict[str, Any]]:
    """The route's measured agreement with metagenomes, one entry per validation dataset."""
    def build() -> dict[str, list[dict[str, Any]]]:
        table = inputs.route_validation
        out: dict[str, list[dict[str, Any]]] = {}
        if table.empty or "route" not in table.columns:
            return out
        for row in table.to_dict("records"):
            out.setdefault(str(row["route"]), []).append(_agreement_entry(row))
        return out

    return [dict(e) for e in inputs.view("route_agreement", build).get(route, [])]


def _agreement_entry(row: Mapping[str, Any]) -> dict[str, Any]:
    """One validation row as the page quotes it."""
    rho = num(row.get("rho"))
    dataset = text(row["dataset"])
    return {
        "dataset": dataset,
        "label": DATASET_LABELS.get(dataset, dataset),
        "samples": int(float(row["samples"])) if text(row.get("samples")) else None,
        "rho": rho,
        "rho_low": num(row.get("rho_low")),
        "rho_high": num(row.get("rho_high")),
        "picrust2_rho": num(row.get("picrust2_rho")),
    }


def _known_carriers(inputs: ReportInputs, route: Route) -> list[str]:
    """Genera the literature traits table names for the route's traits."""
    def build() -> dict[str, set[str]]:
        traits = inputs.genus_traits
        out: dict[str, set[str]] = {}
        if traits.empty:
            return out
        for genus, trait in zip(traits["genus"].astype(str), traits["trait"].astype(str),
                                strict=True):
            out.setdefault(trait, set()).add(genus)
        return out

    by_trait = inputs.view("trait_genera", build)
    return sorted(set().union(*(by_trait.get(t, set()) for t in route.traits)))


def _contributors(inputs: ReportInputs, sample: str, route: str, top: int) -> list[dict]:
    def build() -> dict[tuple[str, str], list[dict]]:
        table = inputs.route_contributors
        out: dict[tuple[str, str], list[dict]] = {}
        if table.empty:
            return out
        for s, r, genus, fraction, share in zip(
            table["sample"].astype(str), table["route"].astype(str), table["genus"],
            table["carrier_fraction"], table["share"], strict=True
        ):
            out.setdefault((s, r), []).append(
                {"genus": text(genus), "carrier_fraction": num(fraction), "share": num(share)})
        return out

    return inputs.view("route_contributors", build).get((sample, route), [])[:top]


def route_entries(inputs: ReportInputs, sample: str, thresholds: Thresholds
                  ) -> list[dict[str, Any]]:
    """Every route of the catalog for one sample, in table order."""
    def build() -> dict[tuple[str, str], Mapping[str, Any]]:
        table = inputs.route_measures
        return {(str(r["sample"]), str(r["route"])): r for r in table.to_dict("records")}

    measures = inputs.view("route_measures", build)
    entries = []
    for route in inputs.routes:
        record = measures.get((sample, route.id))
        if record is None:
            continue
        status = text(record["status"])
        entries.append({
            "route": route.id,
            "name": route.name,
            "compound": route.compound,
            "compound_label": compound_label(route.compound),
            "direction": route.direction,
            "role": route.role,
            "status": status,
            "status_text": ROUTE_STATUS_TEXT.get(status, status),
            "carrier_share": num(record["carrier_share"]),
            "carrier_share_low": num(record["carrier_share_low"]),
            "carrier_share_high": num(record["carrier_share_high"]),
            "partial_share": num(record["partial_share"]),
            "partial_genera": [g for g in text(record["partial_genera"]).split(";") if g],
            "marker_copies_per_cell": num(record["marker_copies_per_cell"]),
            "fraction_cells_resolved": num(record["fraction_cells_resolved"]),
            "run_percentile": num(record["run_percentile"]),
            "contributors": _contributors(inputs, sample, route.id,
                                          thresholds.top_contributors),
            "invisible": route.invisible,
            "known_carriers": _known_carriers(inputs, route),
            "agreement": _agreement(inputs, route.id),
            "note": route.note,
            "sources": route.sources,
        })
    return entries


def route_panel(entries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One first-screen row per compound with a synthesis route that is not housekeeping: its
    headline route, or else its first route (not measurable or not predictable)."""
    by_compound: dict[str, list[Mapping[str, Any]]] = {}
    for e in entries:
        if e["direction"] == "synthesis" and e["role"] != "universal":
            by_compound.setdefault(e["compound"], []).append(e)
    rows = []
    for family, compound in panel_order(by_compound):
        routes = by_compound[compound]
        head = next((e for e in routes if e["role"] == "headline"), routes[0])
        others = [e for e in routes if e is not head and e["status"] in ("present", "low")]
        rows.append({"family": family, "compound": compound, "label": head["compound_label"],
                     **{k: head[k] for k in ("route", "name", "direction", "role", "status",
                                             "status_text",
                                             "carrier_share", "carrier_share_low",
                                             "carrier_share_high", "partial_share",
                                             "partial_genera", "marker_copies_per_cell",
                                             "fraction_cells_resolved", "run_percentile",
                                             "contributors", "invisible", "known_carriers",
                                             "agreement", "note", "sources")},
                     "other_routes": [{"name": e["name"], "carrier_share": e["carrier_share"]}
                                      for e in others]})
    return rows


def agreement_summary(inputs: ReportInputs) -> list[dict[str, Any]]:
    """Per validation dataset, the median agreement (rho) of the headline routes' carrier
    shares with metagenomes, and PICRUSt2's for the same routes (run-wide)."""
    def build() -> list[dict[str, Any]]:
        table = inputs.route_validation
        headline = {r.id for r in inputs.routes if r.role == "headline"}
        if table.empty or not headline:
            return []
        rows = table[table["route"].astype(str).isin(headline)]
        out = []
        for dataset, group in rows.groupby("dataset", sort=True):
            rho = pd.to_numeric(group["rho"], errors="coerce").dropna()
            if rho.empty:
                continue
            pic = pd.to_numeric(group.get("picrust2_rho", pd.Series(dtype=float)),
                                errors="coerce").dropna()
            out.append({"dataset": str(dataset),
                        "label": DATASET_LABELS.get(str(dataset), str(dataset)),
                        "routes": int(len(rho)), "median_rho": num(rho.median()),
                        "picrust2_median_rho": num(pic.median()) if len(pic) else None})
        return out

    return inputs.view("agreement_summary", build)


def route_facts(inputs: ReportInputs, sample: str, thresholds: Thresholds,
                has_reads: bool) -> dict[str, Any]:
    """The sample's route facts: every route, the first-screen panel, the housekeeping routes
    and the thresholds that set the statuses."""
    entries = route_entries(inputs, sample, thresholds) if has_reads else []
    return {
        "routes": entries,
        "panel": route_panel(entries),
        "housekeeping": [e for e in entries if e["role"] == "universal"],
        "agreement": agreement_summary(inputs),
        "thresholds": {"present_share": thresholds.route_present_share,
                       "min_resolved": thresholds.route_min_resolved},
    }
