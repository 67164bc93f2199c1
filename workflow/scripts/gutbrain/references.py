"""Reference files: checksummed downloads, a lock file of checksums, and provenance records.

A download is verified against the sha256 given in the config; when none is given, the checksum
of the first download is written to a lock file beside it and every later download (for example
after the cache was cleared) must match it. Provenance rows (name, kind, version, source, sha256,
date) are written next to each prepared reference and gathered into ``results/provenance.tsv``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import shutil
import urllib.request
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .errors import InputError
from .io import atomic_path, write_tsv

PROVENANCE_COLUMNS = ["name", "kind", "version", "source", "sha256", "date"]


def sha256sum(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def read_lock(lock: Path) -> str:
    """The sha256 recorded in a lock file ('' when there is none)."""
    return lock.read_text(encoding="utf-8").split()[0] if lock.exists() else ""


def download(
    url: str,
    out: str | Path,
    expected_sha256: str = "",
    lock: str | Path | None = None,
    timeout: int = 600,
) -> str:
    """Download ``url`` to ``out`` atomically and verify its sha256; return the checksum.

    The expected checksum is the configured one, else the one in ``lock`` (written on the first
    download). A mismatch removes the download and raises an error naming the file and both sums.
    """
    out = Path(out)
    lock_path = Path(lock) if lock else out.with_name(out.name + ".sha256")
    with atomic_path(out) as tmp:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(tmp, "wb") as handle:
            shutil.copyfileobj(response, handle)
        actual = sha256sum(tmp)
        expected = expected_sha256 or read_lock(lock_path)
        if expected and actual != expected:
            source = "the config" if expected_sha256 else f"the lock file {lock_path}"
            raise InputError(
                f"checksum mismatch for {url} (saving to {out}): "
                f"expected {expected} from {source}, "
                f"got {actual}. The file was not kept. If the upstream file changed on purpose, "
                f"update the sha256 in the config or delete {lock_path}."
            )
    if not lock_path.exists():
        with atomic_path(lock_path) as tmp:
            tmp.write_text(f"{actual}  {out.name}  {url}\n", encoding="utf-8")
    return actual


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


def gather_provenance(paths: Iterable[str | Path], out: str | Path) -> pd.DataFrame:
    """Concatenate provenance files into one sorted table."""
    tables = [pd.read_csv(p, sep="\t", dtype=str, keep_default_na=False) for p in paths]
    table = (
        pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=PROVENANCE_COLUMNS)
    )
    table = table[PROVENANCE_COLUMNS].drop_duplicates().sort_values(["kind", "name", "source"])
    write_tsv(table.reset_index(drop=True), out)
    return table
