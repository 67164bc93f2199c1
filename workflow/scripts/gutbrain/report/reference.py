"""Optional comparison of each sample with a user-supplied reference cohort.

A reference cohort is a long table of module scores from other samples, typically the
``results/function/module_scores.tsv`` of a previous run (format in ``docs/reports.md``,
section "Reference cohort"). For each module the sample's score is placed among the reference
scores of that module:

    percentile = 100 * (number of reference scores <= the sample's score) / (number of
    reference scores)

It is given only when the sample's module has status ``scored`` and the reference holds at
least :data:`MIN_REFERENCE_VALUES` scores for the module; otherwise it is ``None`` with the
reason. The reference scores are themselves predictions from 16S data: the percentile places
one prediction among other predictions and is not a clinical norm or a healthy range.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gutbrain.errors import InputError
from gutbrain.io import read_text_table

MIN_REFERENCE_VALUES = 5
REQUIRED = ("module", "sample", "score")
DEFINITION = (
    "percentage of the reference cohort's scores for the module that are at or below this "
    "sample's score"
)
CAVEAT = (
    "The reference cohort's scores are predictions from 16S data as well: the percentile "
    "compares this sample's predicted potential with other predictions. It is not a clinical "
    "norm or a healthy range."
)


@dataclass(frozen=True)
class ReferenceCohort:
    """Module scores of a reference cohort: ``scores`` maps a module to its sorted scores."""

    name: str
    n_samples: int
    scores: Mapping[str, np.ndarray]

    @property
    def n_modules(self) -> int:
        """Modules with at least one reference score."""
        return len(self.scores)

    def describe(self) -> dict[str, Any]:
        """JSON-ready description shown on the report pages."""
        return {
            "file": self.name,
            "n_samples": self.n_samples,
            "n_modules": self.n_modules,
            "min_values": MIN_REFERENCE_VALUES,
            "definition": DEFINITION,
            "caveat": CAVEAT,
        }


def reference_from_table(table: pd.DataFrame, name: str = "reference") -> ReferenceCohort:
    """A :class:`ReferenceCohort` from a frame with ``module``, ``sample`` and numeric ``score``
    columns (only scored rows; no missing scores)."""
    scores = {
        str(module): np.sort(rows["score"].astype(float).to_numpy())
        for module, rows in table.groupby("module", sort=True)
    }
    return ReferenceCohort(name=name, n_samples=int(table["sample"].astype(str).nunique()),
                           scores=scores)


def read_reference_cohort(path: str | os.PathLike[str]) -> ReferenceCohort:
    """Read and check a reference cohort table (TSV with header ``module``, ``sample``,
    ``score``; optional ``status``: only rows with status ``scored`` are used; other columns are
    ignored). Errors name the file, and the line for bad cells and repeated rows."""
    path = Path(path)
    table = read_text_table(
        path, REQUIRED,
        not_found="check config input.reference_cohort (paths are relative to the working "
        "directory)",
        hint="a reference cohort needs columns 'module', 'sample' and 'score' (a "
        "module_scores.tsv from a previous run works as it is); see docs/reports.md, "
        "'Reference cohort'",
    )
    table = table.assign(line=np.arange(len(table)) + 2)
    if "status" in table.columns:
        table = table[table["status"].str.strip() == "scored"]
    seen: dict[tuple[str, str], int] = {}
    values = []
    for row in table.itertuples(index=False):
        module, sample = str(row.module).strip(), str(row.sample).strip()
        if not module or not sample:
            raise InputError(f"{path}: line {row.line}: empty 'module' or 'sample' cell")
        try:
            score = float(str(row.score).strip())
        except ValueError:
            score = math.nan
        if not math.isfinite(score):
            raise InputError(
                f"{path}: line {row.line}, column 'score': '{row.score}' is not a number "
                f"(module '{module}', sample '{sample}'); fix the value or remove the row"
            )
        key = (module, sample)
        if key in seen:
            raise InputError(
                f"{path}: line {row.line}: module '{module}', sample '{sample}' repeats line "
                f"{seen[key]}; each sample may have one score per module"
            )
        seen[key] = row.line
        values.append((module, sample, score))
    if not values:
        raise InputError(
            f"{path}: no scored rows; the reference cohort needs module scores "
            "(rows with status 'scored' when there is a 'status' column)"
        )
    frame = pd.DataFrame(values, columns=list(REQUIRED))
    return reference_from_table(frame, name=path.name)


def percentile_in_reference(value: float, reference: np.ndarray) -> float:
    """``100 * (reference values <= value) / len(reference)``, rounded to six significant digits
    (``reference`` sorted ascending, not empty)."""
    at_or_below = int(np.searchsorted(reference, value, side="right"))
    return float(f"{100.0 * at_or_below / len(reference):.6g}")


def reference_percentile(reference: ReferenceCohort | None, module: str, score: float | None,
                         status: str) -> tuple[float | None, str]:
    """(percentile, note) of one sample's module score within the reference cohort.

    The percentile is None (shown as "n/a") with the reason in the note when no reference is
    configured, the module is not scored in the sample, or the reference has fewer than
    :data:`MIN_REFERENCE_VALUES` scores for the module.
    """
    if reference is None:
        return None, "no reference cohort configured"
    if status == "not_predictable":
        return None, "n/a: not predictable from 16S"
    if status != "scored" or score is None:
        return None, f"n/a: module not scored in this sample (status {status or 'missing'})"
    values = reference.scores.get(module)
    n = 0 if values is None else len(values)
    if n == 0:
        return None, "n/a: no reference scores for this module"
    if n < MIN_REFERENCE_VALUES:
        return None, f"n/a: only {n} reference score(s), {MIN_REFERENCE_VALUES} needed"
    return percentile_in_reference(score, values), f"among {n} reference scores"


def reference_percentile_table(module_scores: pd.DataFrame,
                               reference: ReferenceCohort) -> pd.DataFrame:
    """Per sample and module of ``module_scores`` (module_scores.tsv layout): ``sample``,
    ``module``, ``percentile`` (None when n/a) and ``note`` (the reason)."""
    rows = []
    for r in module_scores.to_dict("records"):
        score = r["score"]
        score = None if score is None or pd.isna(score) else float(score)
        percentile, note = reference_percentile(reference, str(r["module"]), score,
                                                str(r["status"]).strip())
        rows.append((str(r["sample"]), str(r["module"]), percentile, note))
    return pd.DataFrame(rows, columns=["sample", "module", "percentile", "note"])
