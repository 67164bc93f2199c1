"""Read tracking: reads per sample at every step that can lose them, with flags.

Columns: ``input`` (raw reads or pairs), ``primer_trimmed`` (after cutadapt), ``filtered``
(quality filter), ``denoised`` (reads assigned to denoised sequences), ``merged`` (read pairs
merged; for UNOISE3, merging precedes filtering), ``nonchimeric`` (after chimera removal and the
ASV length/abundance filters' input), ``taxonomy_kept`` (reads of on-target ASVs after all
filters). ``primer_fraction`` is the fraction of reads in which cutadapt found the forward primer.
Whether that fraction is too low is decided once, by the primer check (:func:`primer_check_rows`,
``primer_check.tsv``); the read tracking flags the samples it marked. The files are read and
written by the steps (:func:`gutbrain.steps.qc.check_primers`,
:func:`gutbrain.steps.report.track_reads`); this module works on their contents.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .errors import InputError
from .tables import TRACKING_STEPS, columns

if TYPE_CHECKING:
    import pandas as pd

PRIMER_CHECK_COLUMNS = columns("primer_check")
"""Columns of ``primer_check.tsv`` (rows from :func:`primer_check_rows`)."""

STEPS = list(TRACKING_STEPS)


def cutadapt_counts(report: Mapping[str, Any]) -> dict[str, float]:
    """Input/output reads and the fraction with the forward primer from a parsed cutadapt JSON
    report."""
    counts = report["read_counts"]
    total = counts.get("input") or 0
    with_primer = counts.get("read1_with_adapter")
    return {
        "input": int(total),
        "primer_trimmed": int(counts.get("output") or 0),
        "primer_fraction": (with_primer / total)
        if total and with_primer is not None
        else float("nan"),
    }


def primer_fraction_low(fraction: float, primers: str, min_fraction: float) -> bool:
    """True when primers were expected and fewer reads than ``min_fraction`` carried one."""
    return primers != "none" and fraction == fraction and fraction < min_fraction


def primer_problem(
    sample: str, cutadapt_json: str, counts: dict[str, float], primers: str, min_fraction: float
) -> str:
    """Message when too few of a sample's reads carried the forward primer ('' when fine)."""
    fraction = counts["primer_fraction"]
    if not primer_fraction_low(fraction, primers, min_fraction):
        return ""
    return (
        f"sample '{sample}': the forward primer was found in {fraction:.1%} of "
        f"{counts['input']} reads ({cutadapt_json}), below qc.min_primer_fraction "
        f"{min_fraction:.0%}. Check qc.primers ('{primers}') or whether the primers were "
        "already removed (then set qc.primers: none)."
    )


def primer_check_rows(
    samples: Sequence[str],
    counts: Sequence[Mapping[str, float]],
    sources: Sequence[str],
    primers: str,
    require: bool,
    min_fraction: float,
) -> tuple[list[dict], list[str]]:
    """Rows of ``primer_check.tsv`` and the warnings, from each sample's cutadapt counts.

    A sample where fewer than ``min_fraction`` of the reads carried the forward primer is a
    warning (``sources`` names its cutadapt report in the message); with ``require`` (config
    key qc.require_primers) any such sample is an error naming the samples and fractions.
    """
    rows, problems = [], []
    for sample, sample_counts, source in zip(samples, counts, sources, strict=True):
        message = primer_problem(sample, source, dict(sample_counts), primers, min_fraction)
        if message:
            problems.append(message)
        rows.append({"sample": sample, **sample_counts, "status": "warning" if message else "ok"})
    if require and problems:
        raise InputError(" ".join(problems) + " qc.require_primers is true, so the run stops here.")
    for row in rows:
        row["primer_fraction"] = round(row["primer_fraction"], 4)
    return rows, problems


def primer_verdicts(
    table: Mapping[str, Sequence[str]], path: str, samples: Sequence[str]
) -> dict[str, str]:
    """Sample -> status ('ok' or 'warning') from the columns of ``primer_check.tsv`` (read from
    ``path``); InputError naming the file when it lacks a sample (another sample sheet's)."""
    verdicts = dict(zip(table["sample"], table["status"], strict=True))
    missing = [sample for sample in samples if sample not in verdicts]
    if missing:
        raise InputError(
            f"{path}: no primer check for sample(s) {missing}; rerun the primer check "
            "(rule check_primers)"
        )
    return verdicts


def flags_for(row: dict, primer_status: str) -> str:
    """Semicolon-separated flags for one sample ('' when nothing is wrong); ``primer_status``
    is the sample's verdict of the primer check ('warning': too few reads carried the primer).
    """
    flags = []
    if row["input"] == 0:
        flags.append("no_input_reads")
    elif row["filtered"] == 0:
        flags.append("no_reads_after_filtering")
    elif row["taxonomy_kept"] == 0:
        flags.append("no_reads_in_final_table")
    if primer_status == "warning":
        flags.append(f"primer_found_in_{row['primer_fraction']:.0%}_of_reads")
    return ";".join(flags)


def build_tracking(
    samples: Sequence[str],
    cutadapt: Sequence[Mapping[str, float]],
    denoise: pd.DataFrame,
    prepare: pd.DataFrame | None,
    final_table: pd.DataFrame,
    primer_status: Mapping[str, str],
) -> pd.DataFrame:
    """Combine the per-step counts into one table (one row per sample, sheet order).

    ``cutadapt`` holds each sample's :func:`cutadapt_counts`; ``primer_status`` maps each
    sample to its primer-check verdict (:func:`primer_verdicts`).
    """
    import pandas as pd

    denoise = denoise.set_index("sample")
    if prepare is not None and not prepare.empty:
        denoise = denoise.join(prepare.set_index("sample"), how="left")
    rows = []
    for sample, cut in zip(samples, cutadapt, strict=True):
        row: dict = {"sample": sample, **cut}
        for step in ("filtered", "denoised", "merged", "nonchimeric"):
            value = denoise.at[sample, step] if sample in denoise.index else 0
            row[step] = int(value) if value == value else 0
        row["taxonomy_kept"] = int(final_table[sample].sum()) if sample in final_table else 0
        row["flag"] = flags_for(row, primer_status[sample])
        rows.append(row)
    table = pd.DataFrame(rows)
    table["primer_fraction"] = table["primer_fraction"].round(4)
    return table[["sample", *STEPS, "primer_fraction", "flag"]]


TRACKING_DESCRIPTION = (
    "Reads kept at each step of gutbrain16s (input to final on-target ASV table)."
)
IMPORTED_DESCRIPTION = (
    "Run started from an existing ASV table (input.asv_table): input is the total in the "
    "table per sample; read-level steps did not run here and are empty."
)


def build_imported_tracking(
    samples: Sequence[str], imported: pd.DataFrame, final_table: pd.DataFrame
) -> pd.DataFrame:
    """Read tracking of a run started from an ASV table (config key input.asv_table).

    ``input`` is the sample's total in the imported table; the read-level steps
    (``primer_trimmed`` to ``nonchimeric``) did not run in this pipeline and stay empty, as does
    ``primer_fraction``; ``taxonomy_kept`` counts the on-target reads as usual.
    """
    import pandas as pd

    rows = []
    for sample in samples:
        row: dict = {"sample": sample, "input": int(imported[sample].sum())}
        for step in STEPS[1:-1]:
            row[step] = pd.NA
        row["taxonomy_kept"] = int(final_table[sample].sum()) if sample in final_table else 0
        row["primer_fraction"] = float("nan")
        row["flag"] = "no_reads_in_final_table" if row["taxonomy_kept"] == 0 else ""
        rows.append(row)
    table = pd.DataFrame(rows)
    for step in STEPS:
        table[step] = table[step].astype("Int64")
    return table[["sample", *STEPS, "primer_fraction", "flag"]]


def read_cutadapt_counts(path: str | os.PathLike[str]) -> dict[str, float]:
    """:func:`cutadapt_counts` of a cutadapt JSON report file."""
    with open(path, encoding="utf-8") as handle:
        return cutadapt_counts(json.load(handle))
