"""Report vocabulary (compounds, labels, status words) and the report settings.

:class:`Thresholds` holds the settings of the config's ``report:`` section.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from gutbrain.errors import InputError
from gutbrain.tracking import STEPS

SCHEMA_VERSION = "1"
TRACKING_STEPS = tuple(STEPS)
SHEET_FIXED_COLUMNS = ("sample", "fq1", "fq2")
SCFA_COMPOUNDS = ("acetate", "propionate", "butyrate")
NEURO_COMPOUNDS = (
    "gaba",
    "glutamate",
    "serotonin",
    "tryptophan",
    "kynurenine",
    "dopamine",
    "histamine",
    "acetylcholine",
    "noradrenaline",
)
COMPOUND_LABELS = {
    "acetate": "Acetate",
    "propionate": "Propionate",
    "butyrate": "Butyrate",
    "gaba": "GABA",
    "glutamate": "Glutamate",
    "serotonin": "Serotonin",
    "tryptophan": "Tryptophan",
    "kynurenine": "Kynurenine",
    "dopamine": "Dopamine",
    "dopac": "DOPAC",
    "histidine": "Histidine",
    "tryptamine": "Tryptamine",
    "indole": "Indole",
    "histamine": "Histamine",
    "acetylcholine": "Acetylcholine",
    "noradrenaline": "Noradrenaline",
    "adrenaline": "Adrenaline",
    "melatonin": "Melatonin",
    "quinolinic_acid": "Quinolinic acid",
    "p_cresol": "p-Cresol",
    "nitric_oxide": "Nitric oxide",
}
MODULE_STATUS_TEXT = {
    "scored": "scored",
    "below_coverage": "pathway incomplete in the predicted genes (below the coverage threshold)",
    "absent": "no predicted genes for this pathway",
    "required_step_absent": "defining enzyme not predicted (pathway not counted)",
    "not_measurable": "not measurable: the functional reference cannot see these genes",
    "not_predictable": "not predictable from 16S",
}
#: Module directions (catalog key ``direction``) and the verb used for each in the reports.
DIRECTION_VERBS = {"synthesis": "make", "conversion": "convert", "degradation": "degrade"}
DIRECTION_ORDER = {d: i for i, d in enumerate(DIRECTION_VERBS)}
#: Compound families of the first-screen panel, in page order; compounds of the catalog not
#: named here are added to the last family.
PANEL_FAMILIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Short-chain fatty acids", ("acetate", "propionate", "butyrate")),
    ("GABA and glutamate", ("gaba", "glutamate")),
    ("Tryptophan and its products", ("tryptophan", "serotonin", "kynurenine",
                                     "quinolinic_acid", "indole", "tryptamine")),
    ("Catecholamines", ("dopamine", "noradrenaline")),
    ("Histamine", ("histamine",)),
    ("Other compounds", ("acetylcholine", "nitric_oxide", "p_cresol", "isovalerate")),
)
#: A scored synthesis key score below this percentile of the run's scored samples is "low" ...
LOW_PERCENTILE = 25.0
#: ... when at least this many samples of the run have a scored key score for the compound.
MIN_SAMPLES_FOR_LOW = 4
#: Route statuses (gutbrain.routes.sample_route_measures) as the pages word them.
ROUTE_STATUS_TEXT = {
    "present": "present",
    "low": "low",
    "absent": "absent in the genera this reference resolves",
    "unresolved": "cannot be judged (too few predicted cells in genera with enough genomes)",
    "not_measurable": "not measurable with this reference",
    "not_predictable": "not predictable from 16S",
}
POTENTIAL_TEXT = {
    "present": "present",
    "lowest_quarter": "in this run's lowest quarter",
    "incomplete": "incomplete (pathway partly predicted)",
    "absent": "absent",
    "not_measurable": "not measurable",
    "not_predictable": "not predictable from 16S",
}
SCFA_TRAIT = re.compile(r"^(acetate|propionate|butyrate)", re.IGNORECASE)


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
