"""The report settings (:class:`Thresholds`: the config's ``report:`` section) and fixed report
constants. Compound names, labels and panel families are data (:mod:`gutbrain.report.vocabulary`,
``resources/compounds.yaml``); status words are in :mod:`gutbrain.report.wording`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from gutbrain.errors import InputError

SCHEMA_VERSION = "1"
SHEET_FIXED_COLUMNS = ("sample", "fq1", "fq2")
#: A scored synthesis key score below this percentile of the run's scored samples is "low" ...
LOW_PERCENTILE = 25.0
#: ... when at least this many samples of the run have a scored key score for the compound.
MIN_SAMPLES_FOR_LOW = 4
#: The config schema: the one source of the report settings' defaults.
SCHEMA_PATH = Path(__file__).resolve().parents[3] / "schemas" / "config.schema.yaml"
#: Report settings read from the function section (they judge route measures).
FUNCTION_SETTINGS = ("route_present_share", "route_min_resolved")


def _schema_defaults() -> dict[str, Any]:
    """The ``default`` of every report setting in the config schema (``report`` section, and
    the route settings of the ``function`` section)."""
    schema = yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))["properties"]
    defaults = {k: v["default"] for k, v in schema["report"]["properties"].items()
                if "default" in v}
    defaults.update({k: schema["function"]["properties"][k]["default"]
                     for k in FUNCTION_SETTINGS})
    return defaults


_DEFAULTS = _schema_defaults()


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

    min_reads_pass: int = _DEFAULTS["min_reads_pass"]
    min_reads_warn: int = _DEFAULTS["min_reads_warn"]
    min_fraction_retained: float = _DEFAULTS["min_fraction_retained"]
    min_fraction_predicted: float = _DEFAULTS["min_fraction_predicted"]
    high_confidence_distance: float = _DEFAULTS["high_confidence_distance"]
    moderate_confidence_distance: float = _DEFAULTS["moderate_confidence_distance"]
    high_confidence_fraction_predicted: float = _DEFAULTS["high_confidence_fraction_predicted"]
    metadata_columns: tuple[str, ...] = tuple(_DEFAULTS["metadata_columns"])
    top_genera: int = _DEFAULTS["top_genera"]
    top_contributors: int = _DEFAULTS["top_contributors"]
    route_present_share: float = _DEFAULTS["route_present_share"]
    route_min_resolved: float = _DEFAULTS["route_min_resolved"]

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
