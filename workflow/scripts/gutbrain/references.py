"""Reference files: checksums and provenance records.

Provenance rows (name, kind, version, source, sha256, date) are written next to each prepared
reference and gathered into ``results/provenance.tsv``; downloads with their lock file of
checksums are :mod:`gutbrain.steps.references`.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .errors import InputError
from .io import write_tsv
from .tables import columns

PROVENANCE_COLUMNS = columns("provenance")


def extra_part_path(cache: str, ref: str, index: int, part: dict) -> str | None:
    """Where further part ``index`` of taxonomy reference ``ref`` (an ``extra`` entry) is read
    from: its installed ``fasta`` when that exists, else its download in the cache when it has
    a ``url``, else None (missing)."""
    if Path(part["fasta"]).is_file():
        return part["fasta"]
    if not part.get("url"):
        return None
    name = Path(part.get("member") or part["url"].split("?")[0]).name or "part.fa"
    return f"{cache}/taxonomy/{ref}/extra/{index}/{name}"


def sha256sum(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def verify(path: str | Path, expected_sha256: str) -> str:
    """Check a file against an expected sha256 (if given); return the actual checksum."""
    actual = sha256sum(path)
    if expected_sha256 and actual != expected_sha256:
        raise InputError(f"checksum mismatch for {path}: expected {expected_sha256}, got {actual}")
    return actual


def provenance_row(
    name: str, kind: str, version: str, source: str, sha256: str, date: str | None = None
) -> dict[str, str]:
    """One provenance record; ``date`` defaults to today (UTC, ISO format)."""
    return {
        "name": name,
        "kind": kind,
        "version": version,
        "source": source,
        "sha256": sha256,
        "date": date or _dt.datetime.now(_dt.UTC).date().isoformat(),
    }


def write_provenance(rows: Iterable[dict[str, str]], path: str | Path) -> None:
    """Write provenance rows as TSV (sorted by kind and name)."""
    table = pd.DataFrame(list(rows), columns=PROVENANCE_COLUMNS)
    write_tsv(table.sort_values(["kind", "name"]).reset_index(drop=True), path)
