"""Verdicts from figures and settings: QC statuses and confidence levels (facts, not words).

A verdict is decided here, once, from the report settings (:class:`Thresholds`); the sentences
that explain it are written afterwards by :mod:`gutbrain.report.wording` from the finished
facts, which record the limits used (``thresholds`` and ``confidence.thresholds``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gutbrain.report.settings import Thresholds

STATUS_ORDER = {"pass": 0, "warn": 1, "fail": 2}
LEVEL_ORDER = {"high": 0, "moderate": 1, "low": 2}


def worst_status(statuses: Iterable[str]) -> str:
    """The worst of pass / warn / fail (pass when there is nothing to judge)."""
    return max(statuses, key=lambda s: STATUS_ORDER[s], default="pass")


def qc_verdicts(
    reads_after_qc: int,
    fraction_retained: float | None,
    fraction_predicted: float | None,
    thresholds: Thresholds,
) -> list[dict[str, Any]]:
    """The three QC checks (reads after QC, fraction retained, fraction predicted).

    Each check: ``check`` (key), ``value`` and ``status`` (pass / warn / fail). Reads after QC
    below ``min_reads_warn`` fail, below ``min_reads_pass`` warn; a fraction at 0 (or missing)
    fails, below its minimum warns; a missing fraction predicted only warns when there are reads.
    """
    t = thresholds
    if reads_after_qc < t.min_reads_warn:
        reads_status = "fail"
    elif reads_after_qc < t.min_reads_pass:
        reads_status = "warn"
    else:
        reads_status = "pass"
    if fraction_retained is None or fraction_retained <= 0:
        retained_status = "fail"
    elif fraction_retained < t.min_fraction_retained:
        retained_status = "warn"
    else:
        retained_status = "pass"
    if fraction_predicted is None:
        predicted_status = "fail" if reads_after_qc == 0 else "warn"
    elif fraction_predicted <= 0:
        predicted_status = "fail"
    elif fraction_predicted < t.min_fraction_predicted:
        predicted_status = "warn"
    else:
        predicted_status = "pass"
    return [
        {"check": "min_reads_after_qc", "value": reads_after_qc, "status": reads_status},
        {"check": "min_fraction_retained", "value": fraction_retained,
         "status": retained_status},
        {"check": "min_fraction_predicted", "value": fraction_predicted,
         "status": predicted_status},
    ]


def confidence_limits(thresholds: Thresholds) -> dict[str, float]:
    """The confidence limits as recorded in a sample's facts (``confidence.thresholds``)."""
    return {
        "distance_high": thresholds.high_confidence_distance,
        "distance_moderate": thresholds.moderate_confidence_distance,
        "predicted_high": thresholds.high_confidence_fraction_predicted,
        "predicted_moderate": thresholds.min_fraction_predicted,
    }


def profile_based(
    weighted_distance: float | None,
    fraction_predicted: float | None,
    genomes_per_read: float | None,
) -> bool:
    """True when confidence rests on the fraction predicted alone: genus-profile predictions
    have no distance, but a fraction predicted and genomes behind the profiles (or nothing
    predicted at all)."""
    return weighted_distance is None and fraction_predicted is not None and (
        genomes_per_read is not None or fraction_predicted == 0
    )


def confidence_levels(
    weighted_distance: float | None,
    fraction_predicted: float | None,
    thresholds: Thresholds,
    genomes_per_read: float | None = None,
) -> dict[str, str]:
    """Confidence levels for the distance and the fraction predicted, and the overall level.

    Returns ``distance_level``, ``predicted_level`` and ``overall`` (each ``high``,
    ``moderate``, ``low`` or ``not available``): distance ``<= high_confidence_distance`` is
    high, ``<= moderate_confidence_distance`` moderate; fraction predicted
    ``>= high_confidence_fraction_predicted`` high, ``>= min_fraction_predicted`` moderate.
    The overall level is the lower of the two; genus-profile predictions
    (:func:`profile_based`) take the fraction predicted's.
    """
    t = thresholds
    if weighted_distance is None:
        distance_level = "not available"
    elif weighted_distance <= t.high_confidence_distance:
        distance_level = "high"
    elif weighted_distance <= t.moderate_confidence_distance:
        distance_level = "moderate"
    else:
        distance_level = "low"
    if fraction_predicted is None:
        predicted_level = "not available"
    elif fraction_predicted >= t.high_confidence_fraction_predicted:
        predicted_level = "high"
    elif fraction_predicted >= t.min_fraction_predicted:
        predicted_level = "moderate"
    else:
        predicted_level = "low"
    if profile_based(weighted_distance, fraction_predicted, genomes_per_read):
        overall = predicted_level
    elif weighted_distance is None or fraction_predicted is None:
        overall = "not available"
    else:
        overall = max((distance_level, predicted_level), key=lambda lv: LEVEL_ORDER[lv])
    return {"distance_level": distance_level, "predicted_level": predicted_level,
            "overall": overall}
