"""The ``pcoa_<metric>.tsv`` format of the diversity step: written by the diversity rule, read
by the report rules. Kept apart from :mod:`gutbrain.diversity` so that reading it needs no
scikit-bio (whose import alone takes about a second)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from gutbrain import tables
from gutbrain.errors import InputError

PCOA_AXES = tables.TABLES["pcoa"].columns[1:]


def format_pcoa_tsv(
    coords: pd.DataFrame | None, proportions: pd.Series | None, metric: str, note: str = ""
) -> str:
    """Text of a ``pcoa_<metric>.tsv`` file: ``#`` header lines then ``sample, PC1, PC2, PC3``.

    Header lines: ``# metric: <metric>``, ``# proportion_explained: PC1=<p>\\tPC2=<p>\\tPC3=<p>``
    (absent when no PCoA) and ``# note: <why no PCoA>`` (absent when there is one).
    """
    lines = [f"# metric: {metric}"]
    if proportions is not None and len(proportions):
        joined = "\t".join(f"{axis}={float(proportions[axis]):.6g}" for axis in PCOA_AXES)
        lines.append(f"# proportion_explained: {joined}")
    if note:
        lines.append(f"# note: {' '.join(note.split())}")
    lines.append("\t".join(("sample",) + PCOA_AXES))
    if coords is not None:
        for row in coords.itertuples(index=False):
            values = "\t".join(f"{float(getattr(row, axis)):.6g}" for axis in PCOA_AXES)
            lines.append(f"{row.sample}\t{values}")
    return "\n".join(lines) + "\n"


def read_pcoa_tsv(path: str | os.PathLike[str]) -> tuple[pd.DataFrame, pd.Series, str]:
    """Read a file written by :func:`format_pcoa_tsv`: coordinates, proportions and note."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise InputError(f"{path}: PCoA table not found; run the diversity step first") from err
    proportions: dict[str, float] = {}
    note = ""
    n_header = 0
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        n_header += 1
        key, _, value = line[1:].strip().partition(":")
        if key == "proportion_explained":
            for item in value.split():
                axis, _, number = item.partition("=")
                try:
                    proportions[axis] = float(number)
                except ValueError as err:
                    raise InputError(
                        f"{path}, line {n_header}: bad proportion '{item}'; rerun diversity"
                    ) from err
        elif key == "note":
            note = value.strip()
    coords = tables.read("pcoa", path, skiprows=n_header, keep_default_na=False)
    return coords, pd.Series(proportions, dtype=float), note
