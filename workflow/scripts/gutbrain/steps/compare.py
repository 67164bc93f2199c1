"""The compare step (``workflow/rules/compare.smk``): one contrast's four feature families and
its bias checks (:mod:`gutbrain.compare`), and the run's contrasts gathered into one table for
the reports and MultiQC."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from gutbrain import tables
from gutbrain.compare import (
    BIAS_COLUMNS,
    RESULT_COLUMNS,
    Contrast,
    bias_checks,
    compare_genera,
    compare_values,
    route_drivers,
)
from gutbrain.io import read_text_table, write_mqc_table, write_tsv


def write_json(data: dict, path: str) -> None:
    """Write ``data`` as indented JSON, atomically."""
    import json

    from gutbrain.io import write_text

    write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", path)
from gutbrain.routes import load_routes, route_cells

log = logging.getLogger("gutbrain.compare")

#: Route statuses with a value to compare (unresolved samples keep their value among the
#: resolved cells; not measurable / not predictable routes have none).
VALUED = ("present", "low", "absent", "unresolved")


def compare_contrast(
    contrast: Contrast,
    route_measures: str,
    route_contributors: str,
    routes: str,
    asv_table: str,
    taxonomy: str,
    reference: str,
    genus_copies: str,
    confidence: str,
    fdr: float,
    out: Mapping[str, str],
) -> None:
    """Write the contrast's compounds, routes, enzymes, genera and checks tables."""
    route_list = load_routes(routes)
    measures = tables.read("route_measures", route_measures)
    contributors = tables.read("route_contributors", route_contributors)
    valued = measures[measures["status"].isin(VALUED)]
    share = valued.pivot(index="route", columns="sample", values="carrier_share")
    copies = valued.pivot(index="route", columns="sample", values="marker_copies_per_cell")
    names = {r.id: r.name for r in route_list}
    headline = {r.compound: r.id for r in route_list
                if r.role == "headline" and r.direction == "synthesis" and r.id in share.index}
    drivers = route_drivers(contributors, valued, contrast)
    compounds = share.loc[list(headline.values())].rename(
        index={v: k for k, v in headline.items()})
    compound_labels = {c: names[r] for c, r in headline.items()}
    compound_drivers = {c: drivers.get(r, "") for c, r in headline.items()}
    write_tsv(compare_values(compounds, contrast, "compounds", "share", fdr, compound_labels,
                             compound_drivers), out["compounds"])
    write_tsv(compare_values(share, contrast, "routes", "share", fdr, names, drivers),
              out["routes"])
    enzyme_labels = {r.id: f"{r.name}: defining enzyme EC "
                           + " or ".join(e.removeprefix("EC:") for e in r.marker)
                     for r in route_list if r.marker}
    write_tsv(compare_values(copies, contrast, "enzymes", "copies", fdr, enzyme_labels),
              out["enzymes"])
    cells = route_cells(asv_table, taxonomy, reference, genus_copies)
    from gutbrain.asv import read_asv_table

    reads = read_asv_table(asv_table)
    genus = cells.genus.reindex(reads.index).fillna("").replace("", "unassigned")
    counts = reads.groupby(genus.to_numpy()).sum()
    write_tsv(compare_genera(counts, contrast, fdr), out["genera"])
    confidence_table = tables.read("sample_confidence", confidence).set_index("sample")
    checks = bias_checks(confidence_table["reads_total"],
                         confidence_table["fraction_reads_predicted"], contrast)
    write_tsv(checks, out["checks"])
    for _, row in checks.iterrows():
        if row["note"]:
            log.warning("%s: %s", contrast.name, row["note"])
    log.info("%s: %d vs %d samples", contrast.name, len(contrast.test_samples),
             len(contrast.reference_samples))


def comparisons_json(table: pd.DataFrame) -> dict:
    """The gathered table as JSON: per contrast, per family, the rows (numbers as numbers)."""
    numeric = ("n_test", "n_reference", "median_test", "median_reference", "effect", "ci_low",
               "ci_high", "p", "q")
    out: dict = {"contrasts": []}
    for contrast, part in table.groupby("contrast", sort=False):
        families = {}
        for family, rows in part.groupby("family", sort=False):
            records = []
            for record in rows.drop(columns=["contrast", "family"]).to_dict("records"):
                for key in numeric:
                    value = pd.to_numeric(record[key], errors="coerce")
                    record[key] = None if pd.isna(value) else float(value)
                record["significant"] = record["significant"] == "yes"
                records.append(record)
            families[str(family)] = records
        out["contrasts"].append({"contrast": str(contrast), **families})
    return out


def gather(contrast_dirs: Sequence[str], out: Mapping[str, str]) -> None:
    """All contrasts' feature tables in one table, their checks in another, and a MultiQC
    table of the compound and route rows."""
    tables, checks = [], []
    for folder in contrast_dirs:
        for family in ("compounds", "routes", "enzymes", "genera"):
            tables.append(read_text_table(Path(folder) / f"{family}.tsv", RESULT_COLUMNS))
        checks.append(read_text_table(Path(folder) / "checks.tsv", BIAS_COLUMNS))
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(
        columns=RESULT_COLUMNS)
    write_tsv(table, out["comparisons"])
    write_json(comparisons_json(table), out["json"])
    write_tsv(pd.concat(checks, ignore_index=True) if checks else pd.DataFrame(
        columns=BIAS_COLUMNS), out["checks"])
    shown = table[table["family"].isin(["compounds", "routes"])].copy()
    shown.index = shown["contrast"] + " | " + shown["feature"]
    columns = ["median_test", "median_reference", "effect", "ci_low", "ci_high", "q",
               "significant", "drivers"]
    for column in columns[:6]:
        shown[column] = pd.to_numeric(shown[column], errors="coerce")
    write_mqc_table(shown[columns].rename_axis("comparison"), out["mqc"], "gutbrain_compare",
                    "Group comparison of predicted potential",
                    "Carrier shares (share of predicted cells in genera whose genomes carry the "
                    "complete route) compared between groups: effect = test minus reference "
                    "(Hodges-Lehmann shift, or log odds ratio with covariates), q = "
                    "Benjamini-Hochberg. Predicted potential from 16S; a group difference is "
                    "not a statement about a person.")
