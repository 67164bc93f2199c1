"""The report settings (:class:`Thresholds`: the config's ``report:`` section) and fixed report
constants. Compound names, labels and panel families are data (:mod:`gutbrain.report.vocabulary`,
``resources/compounds.yaml``); status words are in :mod:`gutbrain.report.wording`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from gutbrain.errors import InputError
from gutbrain.tracking import STEPS

SCHEMA_VERSION = "1"
TRACKING_STEPS = tuple(STEPS)
SHEET_FIXED_COLUMNS = ("sample", "fq1", "fq2")
#: A scored synthesis key score below this percentile of the run's scored samples is "low" ...
LOW_PERCENTILE = 25.0
#: ... when at least this many samples of the run have a scored key score for the compound.
MIN_SAMPLES_FOR_LOW = 4


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
    route_present_share: float = 0.01
    route_min_resolved: float = 0.5

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None, where: str = "config") -> Thresholds:
        """Build from the config's ``report`` mapping; unknown keys or bad values raise
        InputError naming ``where`` and the key."""
        values = dict(values or {})
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
