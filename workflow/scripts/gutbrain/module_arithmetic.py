"""Step abundances and path scores of a module: the Omixer-RPM arithmetic.

Steps 1-5 of the algorithm described in :mod:`gutbrain.scoring` (Omixer-RPM: Darzi et al.
2016 ISME J 10:1025, doi 10.1038/ismej.2015.188): an alternative's abundance is the mean of its
subunits, a step takes its best alternative, the score comes from the chosen estimator (ACR,
MED, SUM, MIN), and ``distribute`` divides a KO shared by N modules. Which steps the reference
can observe (``missing="unknown"``) is decided here too; the statuses, compound key scores and
taxa behind the modules are in :mod:`gutbrain.scoring`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from gutbrain.errors import InputError
from gutbrain.modules import Module

ALGORITHMS = {
    "ACR": "ACR", "AVERAGE": "ACR", "MED": "MED", "MEDIAN": "MED",
    "SUM": "SUM", "MIN": "MIN",
}
MISSING_POLICIES = ("unknown", "zero")


def normalise_algorithm(algorithm: str) -> str:
    """Map an estimator name (ACR/average, MED/median, SUM, MIN; any case) to its short code."""
    code = ALGORITHMS.get(str(algorithm).strip().upper())
    if code is None:
        raise InputError(
            f"unknown module score estimator {algorithm!r}; use one of ACR (average), "
            "MED (median), SUM or MIN"
        )
    return code


def ortholog_module_counts(modules: Iterable[Module]) -> Counter[str]:
    """How many modules name each ortholog (used to distribute shared KO abundance)."""
    counts: Counter[str] = Counter()
    for module in modules:
        counts.update(set(module.orthologs))
    return counts


def step_abundances(
    module: Module,
    ko_abundance: pd.DataFrame,
    divisor: Mapping[str, float] | None = None,
    missing: str = "unknown",
) -> tuple[np.ndarray, np.ndarray]:
    """Per step and sample: best-alternative abundance and the index of that alternative.

    Returns two arrays of shape (steps, samples). ``divisor`` optionally divides each
    ortholog's abundance (the ``distribute`` option). With ``missing="zero"`` an ortholog that
    is not a row counts 0 (upstream); with ``missing="unknown"`` an alternative with such a
    subunit is skipped (a step without any observable alternative gets 0 and index -1; see
    :func:`observable_steps`).
    """
    check_missing(missing)
    n_samples = ko_abundance.shape[1]
    index = ko_abundance.index
    matrix = ko_abundance.to_numpy(dtype=float)
    values = np.zeros((len(module.steps), n_samples))
    chosen = np.full((len(module.steps), n_samples), -1, dtype=int)
    for i, step in enumerate(module.steps):
        alternatives = np.full((len(step), n_samples), -np.inf)
        for j, alternative in enumerate(step):
            positions = index.get_indexer(list(alternative))
            if missing == "unknown" and (positions < 0).any():
                continue
            total = np.zeros(n_samples)
            for ortholog, position in zip(alternative, positions, strict=True):
                if position >= 0:
                    row = matrix[position]
                    total = total + (row / divisor[ortholog] if divisor else row)
            alternatives[j] = total / len(alternative)
        if np.isfinite(alternatives).any():
            values[i] = np.maximum(alternatives.max(axis=0), 0.0)
            chosen[i] = alternatives.argmax(axis=0)
    return values, chosen


def observable_steps(module: Module, known: Iterable[str]) -> np.ndarray:
    """Boolean per step: at least one alternative has all its subunits in ``known``."""
    known = set(known)
    return np.array([any(all(o in known for o in alternative) for alternative in step)
                     for step in module.steps], dtype=bool)


def measurable(module: Module, known: Iterable[str], min_coverage: float) -> bool:
    """Whether the reference (its KOs ``known``) can observe ``module`` at ``min_coverage``.

    False when a required step is unobservable, when no step is observable, or when the
    observable steps are fewer than needed to reach ``min_coverage``.
    """
    observable = observable_steps(module, known)
    if not observable.any():
        return False
    if any(not observable[i] for i in module.required):
        return False
    return observable.sum() / len(module.steps) >= min_coverage


def check_missing(missing: str) -> None:
    if missing not in MISSING_POLICIES:
        raise InputError(
            f"unknown policy for KOs missing from the abundance table {missing!r}; use "
            "'unknown' (not a row = the reference cannot see it) or 'zero' (as Omixer-RPM)"
        )


def _median_score(column: np.ndarray, normalize_by_length: bool) -> float:
    observed = column if normalize_by_length else column[column > 0]
    if observed.size == 0:
        return 0.0
    score = float(np.median(observed))
    if score == 0.0:
        positive = observed[observed > 0]
        score = float(positive.min()) if positive.size else 0.0
    return score


def path_scores(values: np.ndarray, algorithm: str, normalize_by_length: bool) -> np.ndarray:
    """Score per sample from a (steps x samples) array of best step abundances."""
    algorithm = normalise_algorithm(algorithm)
    n_steps = values.shape[0]
    present = (values > 0).sum(axis=0)
    total = values.sum(axis=0)
    if algorithm == "ACR":
        denominator = np.full(values.shape[1], float(n_steps)) if normalize_by_length else present
        safe = np.where(denominator > 0, denominator, 1)
        return np.where(present > 0, total / safe, 0.0)
    if algorithm == "SUM":
        return total / n_steps if normalize_by_length else total
    if algorithm == "MIN":
        masked = np.where(values > 0, values, np.inf)
        return np.where(present > 0, masked.min(axis=0), 0.0)
    return np.array([_median_score(values[:, s], normalize_by_length)
                     for s in range(values.shape[1])])
