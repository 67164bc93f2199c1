"""The cohort page's group comparison (``results/compare/comparisons.tsv``, written by
:mod:`gutbrain.steps.compare`): per contrast the compound and route rows for the forest plot,
the significant genera, the bias checks, and the measured agreement of such differences with
metagenomes (``resources/compare_validation.tsv``, written by
``benchmarks/compare_vs_metagenome.py``)."""

from __future__ import annotations

from typing import Any

from .cells import compound_label, num, text
from .inputs import ReportInputs

#: Families shown in the forest plot, in this order.
PLOTTED = ("compounds", "routes")
#: Significant genera listed per contrast.
TOP_GENERA = 8


def _row(record: dict[str, Any]) -> dict[str, Any]:
    family = text(record["family"])
    feature = text(record["feature"])
    label = compound_label(feature) if family == "compounds" else text(record["label"])
    return {
        "family": family,
        "feature": feature,
        "label": label,
        "route_name": text(record["label"]),
        "n_test": int(float(record["n_test"])) if text(record["n_test"]) else 0,
        "n_reference": int(float(record["n_reference"])) if text(record["n_reference"]) else 0,
        "median_test": num(record["median_test"]),
        "median_reference": num(record["median_reference"]),
        "effect": num(record["effect"]),
        "ci_low": num(record["ci_low"]),
        "ci_high": num(record["ci_high"]),
        "effect_unit": text(record["effect_unit"]),
        "p": num(record["p"]),
        "q": num(record["q"]),
        "significant": text(record["significant"]) == "yes",
        "method": text(record["method"]),
        "drivers": text(record["drivers"]),
    }


def _agreement(inputs: ReportInputs) -> list[dict[str, Any]]:
    table = inputs.compare_validation
    if table.empty:
        return []
    return [{"dataset": text(r["dataset"]), "contrast": text(r["contrast"]),
             "effect_rho": num(r["effect_rho"]), "effect_rho_null95": num(r["effect_rho_null95"]),
             "sign_agree": num(r["sign_agree"]), "sign_agree_null95": num(r["sign_agree_null95"]),
             "picrust2_effect_rho": num(r.get("picrust2_effect_rho"))}
            for r in table.to_dict("records")]


def comparison_facts(inputs: ReportInputs) -> list[dict[str, Any]]:
    """One entry per contrast, in the order of the table ([] when the run compares nothing)."""
    table = inputs.comparisons
    if table.empty:
        return []
    checks = inputs.compare_checks
    agreement = _agreement(inputs)
    out = []
    for contrast, part in table.groupby("contrast", sort=False):
        rows = [_row(r) for r in part.to_dict("records")]
        test, _, reference = str(contrast).partition("_vs_")
        plotted = [r for r in rows if r["family"] in PLOTTED]
        headline = {r["route_name"] for r in plotted if r["family"] == "compounds"}
        roles = {route.id: route.role for route in inputs.routes}
        genera = sorted((r for r in rows if r["family"] == "genera" and r["significant"]),
                        key=lambda r: r["q"] if r["q"] is not None else 1.0)[:TOP_GENERA]
        notes = []
        if not checks.empty:
            mine = checks[checks["contrast"] == contrast]
            notes = [text(n) for n in mine["note"] if text(n)]
        sizes = [(r["n_test"], r["n_reference"]) for r in rows if r["family"] == "compounds"]
        out.append({
            "contrast": str(contrast),
            "test": test,
            "reference": reference,
            "n_test": max((s[0] for s in sizes), default=0),
            "n_reference": max((s[1] for s in sizes), default=0),
            "rows": plotted,
            "significant": [r for r in plotted if r["significant"]
                            and r["family"] == "compounds"],
            # Further routes that differ: not a compound's headline route (said above), not
            # housekeeping carried by most genomes (no claim about a community).
            "routes_significant": [r for r in plotted if r["significant"]
                                   and r["family"] == "routes"
                                   and r["label"] not in headline
                                   and roles.get(r["feature"]) != "universal"],
            "enzymes_significant": sum(r["significant"] for r in rows
                                       if r["family"] == "enzymes"),
            "genera": genera,
            "checks": notes,
            "agreement": agreement,
        })
    return out
