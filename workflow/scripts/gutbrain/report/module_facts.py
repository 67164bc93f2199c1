"""Module sections of a sample's facts (SCFA and neuroactive) and the first-screen panel."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from gutbrain.errors import InputError
from gutbrain.report.cells import (
    clean_taxon,
    compound_label,
    num,
    percentile_in_run,
    split_category,
    text,
)
from gutbrain.report.inputs import ReportInputs
from gutbrain.report.reference import (
    reference_percentile,
)
from gutbrain.report.settings import LOW_PERCENTILE, MIN_SAMPLES_FOR_LOW, Thresholds
from gutbrain.report.vocabulary import vocabulary
from gutbrain.report.wording import (
    DIRECTION_ORDER,
    DIRECTION_VERBS,
    MODULE_STATUS_TEXT,
    PANEL_DEFINITION,
    potential_text,
)


def _contributors(inputs: ReportInputs, module: str, sample: str, top: int) -> list[dict]:
    """The genera behind a module in a sample, by rank then genus (file order on ties)."""

    def build() -> dict[tuple[str, str], list[dict]]:
        # Once per run: a stable sort of the whole table keeps each sample's rows in the order
        # a stable sort of that sample's rows alone would give.
        table = inputs.module_contributions
        if table.empty or "sample" not in table.columns:
            return {}
        table = table.sort_values(["rank", "genus"], kind="mergesort")
        out: dict[tuple[str, str], list[dict]] = {}
        for key_sample, key_module, genus, share in zip(
            table["sample"].astype(str).tolist(), table["module"].astype(str).tolist(),
            table["genus"].tolist(), table["share"].tolist(), strict=True
        ):
            out.setdefault((key_sample, key_module), []).append(
                {"genus": clean_taxon(genus) or "Unassigned", "share": num(share)})
        return out

    return inputs.view("contributors", build).get((sample, module), [])[:top]


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


def _percentile_value(status: str, score: Any) -> float | None:
    """A module's value in the run percentile: its score when scored, 0 when the pathway is
    absent (no genes) or its defining enzyme is missing (both mean no pathway, so both count
    alike), None when it cannot be ranked (partly predicted, not measurable, not predictable)."""
    if status == "scored":
        return num(score)
    if status in ("absent", "required_step_absent"):
        return 0.0
    return None


def _group_modules(inputs: ReportInputs, group: str) -> list[tuple[str, dict, dict]]:
    """The modules of one category group, once per run: (module, sample -> score or None when
    not predictable, sample -> its first score row)."""

    def build() -> list[tuple[str, dict, dict]]:
        scores = inputs.module_scores
        if scores.empty:
            return []
        mask = np.array([split_category(c)[0] == group for c in scores["category"]], dtype=bool)
        out = []
        for module, module_rows in scores[mask].groupby("module", sort=True):
            by_sample: dict[str, float | None] = {}
            records: dict[str, pd.Series] = {}
            for _, row in module_rows.iterrows():
                key = str(row["sample"])
                by_sample[key] = _percentile_value(text(row["status"]), row["score"])
                records.setdefault(key, row)
            out.append((str(module), by_sample, records))
        return out

    return inputs.view(("modules", group), build)


def module_section(inputs: ReportInputs, sample: str, group: str, expected: Sequence[str],
             thresholds: Thresholds) -> dict[str, Any]:
    entries = []
    for module, by_sample, records in _group_modules(inputs, group):
        if sample in records:
            entries.append(_module_entry(inputs, module, records[sample], by_sample, sample,
                                         thresholds))
    order = {c: i for i, c in enumerate(expected)}
    entries.sort(key=lambda e: (order.get(e["compound"], len(order)), e["compound"],
                                DIRECTION_ORDER.get(e["direction"], 9), e["module"]))
    present = {e["compound"] for e in entries}
    return {
        "modules": entries,
        "missing_compounds": [compound_label(c) for c in expected if c not in present
                              and not present & set(vocabulary().also.get(c, ()))],
    }


# --------------------------------------------------------------------------- first screen


def synthesis_potential(statuses: Iterable[str], percentile: float | None,
                        n_scored: int) -> str:
    """The panel word for one compound from the statuses of its *synthesis* modules.

    ``present``: a synthesis module is scored and the key score is not in the run's lowest
    quarter; ``lowest_quarter``: scored but below :data:`LOW_PERCENTILE` of the run (only with
    at least :data:`MIN_SAMPLES_FOR_LOW` scored samples, ``n_scored``); ``incomplete``: no
    module scored but one ``below_coverage`` (pathway partly predicted); ``absent``: none
    scored or below coverage, and at least one ``absent`` or ``required_step_absent``; else
    ``not_measurable`` if any module is, else ``not_predictable``.
    """
    found = set(statuses)
    if "scored" in found:
        if (percentile is not None and n_scored >= MIN_SAMPLES_FOR_LOW
                and percentile < LOW_PERCENTILE):
            return "lowest_quarter"
        return "present"
    if "below_coverage" in found:
        return "incomplete"
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
    """(family, compound) in panel order (the vocabulary's families); compounds no family names
    go last, into the last family."""
    families = vocabulary().families
    given = list(dict.fromkeys(compounds))
    ordered = [(family, c) for family, members in families for c in members if c in given]
    listed = {c for _, c in ordered}
    last = families[-1][0]
    return ordered + [(last, c) for c in sorted(given) if c not in listed]


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
        "potential_text": potential_text(potential),
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


def panel_facts(inputs: ReportInputs, facts: Mapping[str, Any], sample: str) -> dict[str, Any]:
    """The first-screen panel: one row per compound (see :func:`compound_panel`)."""
    rows: list[dict[str, Any]] = []
    if facts["has_reads"]:
        modules = [*facts["scfa"]["modules"], *facts["neuro"]["modules"]]
        key_scores = inputs.view("key_scores", lambda: run_key_scores(inputs.module_scores))
        rows = compound_panel(modules, key_scores, sample)
    confidence = facts["confidence"]["overall"]
    for row in rows:
        row["confidence"] = confidence
    return {"compounds": rows, "confidence": confidence, "definition": PANEL_DEFINITION,
            "low_percentile": LOW_PERCENTILE, "min_samples_for_low": MIN_SAMPLES_FOR_LOW}
