"""Small I/O helpers shared by the library: atomic writes and table writing.

A file is written under a temporary name in the same folder and renamed into place only
when complete, so an interrupted job never leaves a partial file that looks finished.
pandas is never imported here (:func:`write_tsv` takes a frame); light jobs write their small
tables with :func:`write_rows` and never pay its import.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` if the block succeeds."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    # The temporary name ends with the target's name so that tools which pick a format from the
    # extension (gzip for .gz) write the same bytes they would write to the target.
    fd, tmp = tempfile.mkstemp(prefix=".tmp.", suffix=f".{target.name}", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    tmp_path.chmod(0o666 & ~umask)  # mkstemp creates 0600; give the usual permissions
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_tsv(df: pd.DataFrame, path: str | os.PathLike[str], index: bool = False) -> None:
    """Write ``df`` as a tab-separated table atomically, with stable float formatting."""
    with atomic_path(path) as tmp:
        df.to_csv(tmp, sep="\t", index=index, float_format="%.6g", lineterminator="\n")


def _cell(value: object) -> str:
    """A value as :func:`write_tsv` writes it: floats with ``%.6g``, missing values empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.6g}"
    return str(value)


def write_rows(
    rows: Iterable[Mapping[str, object]], columns: Sequence[str], path: str | os.PathLike[str]
) -> None:
    """Write dict rows as a tab-separated table atomically, formatted as :func:`write_tsv` does
    (for str, int and float cells), without importing pandas."""
    lines = ["\t".join(columns)]
    lines += ["\t".join(_cell(row.get(col)) for col in columns) for row in rows]
    write_text("\n".join(lines) + "\n", path)


def write_text(text: str, path: str | os.PathLike[str]) -> None:
    """Write ``text`` to ``path`` atomically (UTF-8)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
