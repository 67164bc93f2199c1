"""Small I/O helpers shared by the library: reading text tables, atomic writes, table writing
(TSV and MultiQC custom content).

A file is written under a temporary name in the same folder and renamed into place only
when complete, so an interrupted job never leaves a partial file that looks finished.
pandas is never imported here (:func:`write_tsv` takes a frame); light jobs write their small
tables with :func:`write_rows` and never pay its import.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import math
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

from gutbrain.errors import InputError


def read_text_table(
    path: str | os.PathLike[str],
    required: Iterable[str] = (),
    *,
    not_found: str = "run the step that makes it first",
    hint: str = "check the file's header row",
    comment: str | None = None,
) -> pd.DataFrame:
    """Read a tab-separated table with a header row, every cell as text (empty = '').

    Errors are InputError naming the file: not found (then ``not_found``, what to do), not
    a table, or (line 1) a missing ``required`` column (then ``hint``).
    """
    import pandas as pd  # here, so that light jobs importing this module do not load pandas

    path = Path(path)
    try:
        table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, na_filter=False,
                            comment=comment)
    except FileNotFoundError as err:
        raise InputError(f"{path}: file not found; {not_found}") from err
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise InputError(
            f"{path}: not a tab-separated table with a header row ({err}); every line needs "
            "as many tab-separated fields as the header"
        ) from err
    required = list(required)
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise InputError(
            f"{path}: line 1: missing column(s) {missing} (found {list(table.columns)}); {hint}"
        )
    return table


def open_text(path: str | os.PathLike[str]):
    """Open a text file as UTF-8 (BOM stripped, line ends kept), gzip-compressed or not."""
    with open(path, "rb") as handle:
        gzipped = handle.read(2) == b"\x1f\x8b"
    if gzipped:
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


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
    """Write ``df`` as a tab-separated table atomically, with stable float formatting.

    The bytes are those of ``df.to_csv(sep="\\t", float_format="%.6g")``; frames of plain
    columns (numbers, booleans, text) are formatted here, column by column, which is several
    times faster than pandas' per-cell formatter on large tables.
    """
    with atomic_path(path) as tmp:
        if index or not _plain(df):
            df.to_csv(tmp, sep="\t", index=index, float_format=FLOAT_FORMAT, lineterminator="\n")
            return
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter="\t", lineterminator="\n",
                                quoting=csv.QUOTE_MINIMAL)
            writer.writerow(df.columns)
            # In blocks of rows, so that the formatted cells of a large table (every ASV x
            # every KO) are never all in memory at once.
            rows = max(1, _BLOCK_CELLS // df.shape[1])
            for start in range(0, len(df), rows):
                writer.writerows(zip(*_csv_columns(df.iloc[start:start + rows]), strict=True))


FLOAT_FORMAT = "%.6g"
_BLOCK_CELLS = 100_000


def _plain(df: pd.DataFrame) -> bool:
    """Whether :func:`_csv_columns` covers the frame: text labels and columns of numbers,
    booleans or text (pandas writes other labels, dates, categories and special dtypes)."""
    import numpy as np
    import pandas as pd

    if df.shape[1] == 0 or not all(isinstance(c, str) for c in df.columns):
        return False  # pandas formats other labels (numbers with the float format, tuples)
    return all(
        (isinstance(dtype, np.dtype) and dtype.kind in "fiubO") or isinstance(dtype, pd.StringDtype)
        for dtype in df.dtypes
    )


def _csv_columns(df: pd.DataFrame) -> list[list[object]]:
    """Each column's cells as ``to_csv`` hands them to the csv writer (floats formatted with
    :data:`FLOAT_FORMAT`, missing values empty), for a frame that :func:`_plain` accepts."""
    columns: list[list[object]] = []
    for j in range(df.shape[1]):
        column = df.iloc[:, j]
        kind = getattr(column.dtype, "kind", "O")
        if kind == "f":
            columns.append([FLOAT_FORMAT % v if v == v else "" for v in column.to_numpy().tolist()])
        elif kind in "iub":
            columns.append([str(v) for v in column.to_numpy().tolist()])
        else:  # text (object or string dtype)
            values = column.to_numpy(dtype=object)
            missing = column.isna().to_numpy()
            columns.append(["" if m else v for v, m in zip(values.tolist(), missing.tolist(),
                                                         strict=True)])
    return columns


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


def write_mqc_table(
    table: pd.DataFrame,
    path: str | os.PathLike[str],
    section_id: str,
    name: str,
    description: str,
    *,
    index: bool = True,
    float_format: str | None = "%.4g",
) -> None:
    """Write a per-sample table as MultiQC custom content: a TSV under a YAML comment header
    (``id``, ``section_name``, ``description``, ``plot_type: table``), atomically."""
    quoted = description.replace("'", "''")
    header = (
        f"# id: '{section_id}'\n# section_name: '{name}'\n"
        f"# description: '{quoted}'\n# plot_type: 'table'\n"
    )
    body = table.to_csv(sep="\t", index=index, lineterminator="\n", float_format=float_format)
    write_text(header + body, path)
