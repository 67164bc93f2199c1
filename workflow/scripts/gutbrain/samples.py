"""Load and check the sample sheet (``config/samples.tsv``) before any job runs.

The sheet is a tab-separated table with the required columns ``sample``, ``fq1`` and ``fq2``
(``fq2`` empty for single-end samples); every other column is metadata and is kept as text.
Every problem raises :class:`gutbrain.errors.InputError` naming the sheet, the line, the
sample and the column, and saying what to do.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from gutbrain.errors import InputError

REQUIRED_COLUMNS: tuple[str, ...] = ("sample", "fq1", "fq2")
"""Columns every sample sheet must have (``fq2`` may be empty: single-end)."""

SAMPLE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
"""Allowed sample IDs: safe in file names, wildcards and table headers."""

MIXED_CONFIG_KEY = "input: allow_mixed_pairing"
"""Configuration key named in the message that refuses mixed single- and paired-end sheets."""

Pairing = Literal["paired", "single", "mixed"]

_SAMPLE_ID_RE = re.compile(SAMPLE_ID_PATTERN)
_ALLOWED_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_ALNUM = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_CHAR_NAMES = {
    " ": "a space",
    "\t": "a tab",
    "/": "a slash '/'",
    "\\": "a backslash '\\'",
    ";": "a semicolon ';'",
    ",": "a comma ','",
    ":": "a colon ':'",
    "|": "a pipe '|'",
    "*": "an asterisk '*'",
    "?": "a question mark '?'",
    "'": "a quote \"'\"",
    '"': "a double quote '\"'",
    "{": "a brace '{'",
    "}": "a brace '}'",
}


@dataclass(frozen=True)
class _Sheet:
    """The sheet's path and the physical line number (1-based) of its header and data rows."""

    path: Path
    header_line: int | None
    row_lines: list[int] | None

    def where(self, row: int | None = None) -> str:
        """Describe the location of data row ``row`` (0-based) or of the header."""
        if row is None:
            return f"{self.path}, line {self.header_line}" if self.header_line else str(self.path)
        if self.row_lines is not None and row < len(self.row_lines):
            return f"{self.path}, line {self.row_lines[row]}"
        return f"{self.path}, data row {row + 1}"


def describe_char(ch: str) -> str:
    """Name a character for an error message (``' '`` -> ``'a space'``)."""
    if ch in _CHAR_NAMES:
        return _CHAR_NAMES[ch]
    return f"{ch!r} ({unicodedata.name(ch, f'U+{ord(ch):04X}')})"


def sample_id_problem(sample: str) -> str | None:
    """Say what is wrong with a sample ID, or return None when it matches SAMPLE_ID_PATTERN."""
    if _SAMPLE_ID_RE.match(sample):
        return None
    if not sample:
        return "is empty"
    if sample[0] not in _ALNUM:
        return f"starts with {describe_char(sample[0])}; it must start with a letter or digit"
    for pos, ch in enumerate(sample, start=1):
        if ch not in _ALLOWED_CHARS:
            return (
                f"contains {describe_char(ch)} at position {pos}; only letters, digits, "
                "'_', '.' and '-' are allowed"
            )
    return "does not match " + SAMPLE_ID_PATTERN  # pragma: no cover (e.g. a trailing newline)


def _read_text(path: Path) -> str:
    """Read the sheet as UTF-8 text (a byte-order mark is accepted and dropped)."""
    if not path.exists():
        raise InputError(f"sample sheet {path} not found: check the 'samples' path in the config")
    if not path.is_file():
        raise InputError(f"sample sheet {path} is not a file: point 'samples' to a TSV file")
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            f"sample sheet {path} is not UTF-8 text (byte {err.start}): save it as UTF-8 "
            "tab-separated text"
        ) from err
    except OSError as err:
        raise InputError(f"sample sheet {path} cannot be read ({err.strerror})") from err


#: Sample-ID headers of QIIME 2 metadata files (docs.qiime2.org, "Metadata in QIIME 2"):
#: compared case-insensitively, then the case-sensitive ones, which start with '#'.
QIIME2_ID_HEADERS = ("id", "sampleid", "sample id", "sample-id", "featureid", "feature id",
                     "feature-id")
QIIME2_HASH_ID_HEADERS = ("#SampleID", "#Sample ID", "#OTUID", "#OTU ID", "sample_name")


def _content_lines(text: str) -> tuple[str, list[int]]:
    """Drop blank and whole-line comment lines (QIIME 2's ``#q2:types`` row too, but not a
    first line that is a QIIME 2 header such as ``#SampleID``); return the rest and their
    1-based line numbers."""
    kept: list[str] = []
    numbers: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        first = stripped.split("\t")[0].strip()
        if not kept and first in QIIME2_HASH_ID_HEADERS:
            # The ID column of a QIIME 2 metadata file names the samples.
            kept.append("sample" + line.lstrip()[len(first):])
            numbers.append(number)
            continue
        if not stripped or stripped.startswith("#"):
            continue
        kept.append(line)
        numbers.append(number)
    return "\n".join(kept) + "\n", numbers


def _parse(path: Path) -> tuple[pd.DataFrame, _Sheet]:
    """Parse the sheet into a frame of stripped strings with stripped headers."""
    text, numbers = _content_lines(_read_text(path))
    if not numbers:
        raise InputError(
            f"sample sheet {path} is empty: add a header line 'sample<TAB>fq1<TAB>fq2' and one "
            "line per sample"
        )
    try:
        raw = pd.read_csv(
            io.StringIO(text), sep="\t", header=None, dtype=str, comment="#",
            keep_default_na=False, skip_blank_lines=True,
        )
    except (pd.errors.ParserError, ValueError) as err:
        msg = " ".join(str(err).split())
        found = re.search(r"line (\d+)", msg)
        if found and 0 < int(found.group(1)) <= len(numbers):
            msg = re.sub(r"line \d+", f"line {numbers[int(found.group(1)) - 1]}", msg, count=1)
        raise InputError(
            f"sample sheet {path} cannot be parsed as tab-separated text ({msg}): every line "
            "needs the same number of tab-separated fields as the header"
        ) from err
    raw = raw.fillna("")
    for col in raw.columns:
        raw[col] = raw[col].astype(str).str.strip()
    header = [str(h) for h in raw.iloc[0].tolist()]
    row_lines = numbers[1:] if len(numbers) == len(raw) else None
    sheet = _Sheet(path, numbers[0], row_lines)
    data = raw.iloc[1:].reset_index(drop=True)
    keep: list[int] = []
    for pos, name in enumerate(header):
        if name == "":
            if (data.iloc[:, pos] != "").any():
                raise InputError(
                    f"sample sheet {sheet.where()}: column {pos + 1} has values but no header: "
                    "give it a name or delete it"
                )
            continue  # an unnamed all-empty column (e.g. trailing tabs): ignore it
        keep.append(pos)
    data = data.iloc[:, keep]
    names = [header[pos] for pos in keep]
    seen: dict[str, int] = {}
    for pos, name in zip(keep, names, strict=True):
        if name in seen:
            raise InputError(
                f"sample sheet {sheet.where()}: column '{name}' appears twice (columns "
                f"{seen[name] + 1} and {pos + 1}): rename or delete one of them"
            )
        seen[name] = pos
    if "sample" not in names and names and (names[0].lower() in QIIME2_ID_HEADERS
                                             or names[0] in QIIME2_HASH_ID_HEADERS):
        names[0] = "sample"  # a QIIME 2 metadata file: its ID column names the samples
    data.columns = names
    return data, sheet


def _check_columns(data: pd.DataFrame, sheet: _Sheet) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in data.columns]
    if missing:
        raise InputError(
            f"sample sheet {sheet.where()}: required column(s) {', '.join(missing)} missing "
            f"(found: {', '.join(map(str, data.columns)) or 'none'}). The header must contain "
            "sample, fq1 and fq2 separated by tabs (fq2 may be left empty for single-end)"
        )
    if data.empty:
        raise InputError(
            f"sample sheet {sheet.path} lists no samples: add one line per sample below the header"
        )


def _check_ids(data: pd.DataFrame, sheet: _Sheet) -> None:
    first_row: dict[str, int] = {}
    for row, sample in enumerate(data["sample"]):
        if sample == "":
            raise InputError(
                f"sample sheet {sheet.where(row)}: column 'sample' is empty: give every row a "
                "sample ID (or delete the row)"
            )
        problem = sample_id_problem(sample)
        if problem:
            raise InputError(
                f"sample sheet {sheet.where(row)}: sample ID '{sample}' in column 'sample' "
                f"{problem}. Rename the sample (e.g. replace the character with '_')"
            )
        if sample in first_row:
            earlier = sheet.where(first_row[sample]).rsplit(", ", 1)[-1]
            later = sheet.where(row).rsplit(", ", 1)[-1]
            raise InputError(
                f"sample sheet {sheet.path}: sample '{sample}' appears twice in column 'sample' "
                f"({earlier} and {later}): sample IDs must be unique; rename one or merge the rows"
            )
        first_row[sample] = row


def _resolve(value: str, base: Path) -> Path:
    """Make a sheet path absolute: ``~`` expanded, relative paths taken from the sheet's folder."""
    path = Path(value).expanduser()
    return Path(os.path.abspath(path if path.is_absolute() else base / path))


def _check_file(path: Path, value: str, sample: str, column: str, where: str) -> None:
    shown = f"'{value}'" if value == str(path) else f"'{value}' (resolved to {path})"
    if not path.exists():
        raise InputError(
            f"sample sheet {where}: sample '{sample}', column '{column}': file {shown} does not "
            "exist. Fix the path (relative paths are taken from the sheet's folder)"
        )
    if not path.is_file():
        raise InputError(
            f"sample sheet {where}: sample '{sample}', column '{column}': {shown} is not a "
            "regular file. Point it to a FASTQ file"
        )
    if not os.access(path, os.R_OK):
        raise InputError(
            f"sample sheet {where}: sample '{sample}', column '{column}': file {shown} is not "
            "readable. Fix its permissions"
        )


def _check_files(data: pd.DataFrame, sheet: _Sheet) -> tuple[list[str], list[str]]:
    base = sheet.path.resolve().parent
    fq1_abs: list[str] = []
    fq2_abs: list[str] = []
    for row, (sample, fq1, fq2) in enumerate(
        zip(data["sample"], data["fq1"], data["fq2"], strict=True)
    ):
        where = sheet.where(row)
        if fq1 == "":
            raise InputError(
                f"sample sheet {where}: sample '{sample}', column 'fq1' is empty: give the path "
                "of the forward (or single-end) FASTQ file"
            )
        p1 = _resolve(fq1, base)
        _check_file(p1, fq1, sample, "fq1", where)
        fq1_abs.append(str(p1))
        if fq2 == "":
            fq2_abs.append("")
            continue
        p2 = _resolve(fq2, base)
        _check_file(p2, fq2, sample, "fq2", where)
        if os.path.samefile(p1, p2):
            raise InputError(
                f"sample sheet {where}: sample '{sample}': columns 'fq1' and 'fq2' name the same "
                f"file ({p1}). Give the reverse reads in fq2, or leave fq2 empty for single-end"
            )
        fq2_abs.append(str(p2))
    return fq1_abs, fq2_abs


def pairing(sheet: pd.DataFrame) -> Pairing:
    """Return ``"paired"``, ``"single"`` or ``"mixed"`` from the sheet's ``fq2`` column."""
    if len(sheet) == 0:
        raise ValueError("pairing() needs a sample sheet with at least one sample")
    has_fq2 = sheet["fq2"].astype(str).str.strip() != ""
    if has_fq2.all():
        return "paired"
    if not has_fq2.any():
        return "single"
    return "mixed"


def _check_mixed(data: pd.DataFrame, sheet: _Sheet) -> None:
    single_rows = [row for row, fq2 in enumerate(data["fq2"]) if fq2 == ""]
    names = [
        f"'{data['sample'].iloc[row]}' ({sheet.where(row).rsplit(', ', 1)[-1]})"
        for row in single_rows[:5]
    ]
    more = f" and {len(single_rows) - 5} more" if len(single_rows) > 5 else ""
    raise InputError(
        f"sample sheet {sheet.path} mixes single-end and paired-end samples: "
        f"{len(data) - len(single_rows)} sample(s) have fq2, {len(single_rows)} have column 'fq2' "
        f"empty: {', '.join(names)}{more}. Fill in fq2 for those samples, run the two layouts "
        f"as separate sheets, or set '{MIXED_CONFIG_KEY}: true' in the config file to process "
        "each sample in its own layout"
    )


def load_sample_sheet(path: str | os.PathLike[str], allow_mixed: bool = False) -> pd.DataFrame:
    """Load and check a sample sheet; return it indexed by ``sample`` with absolute FASTQ paths.

    The frame holds only strings (``fq2`` is ``""`` for single-end samples), keeps metadata
    columns, and adds ``fq1_raw``/``fq2_raw`` with the paths as written in the sheet. Validate
    it with Snakemake as ``validate(sheet.reset_index(), schema)`` so ``sample`` is a column.
    Raises :class:`InputError` on any problem; mixed single-/paired-end sheets are refused
    unless ``allow_mixed`` is true.
    """
    sheet_path = Path(path)
    data, sheet = _parse(sheet_path)
    _check_columns(data, sheet)
    _check_ids(data, sheet)
    fq1_abs, fq2_abs = _check_files(data, sheet)
    if not allow_mixed and pairing(data) == "mixed":
        _check_mixed(data, sheet)
    out = data.copy()
    out.insert(list(out.columns).index("fq1"), "fq1_raw", out["fq1"])
    out.insert(list(out.columns).index("fq2"), "fq2_raw", out["fq2"])
    out["fq1"] = fq1_abs
    out["fq2"] = fq2_abs
    ordered = ["fq1", "fq2", "fq1_raw", "fq2_raw"]
    index = pd.Index(out["sample"].tolist(), name="sample", dtype=str)
    out = out[ordered + [c for c in out.columns if c not in ordered and c != "sample"]]
    out.index = index
    return out


def load_metadata_sheet(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Load a sample sheet used for metadata only (runs started from an ASV table).

    Only the ``sample`` column is required and checked (IDs valid and unique); ``fq1``/``fq2``
    may be absent and are not checked. Returns the sheet indexed by ``sample``, all text.
    """
    sheet_path = Path(path)
    data, sheet = _parse(sheet_path)
    if "sample" not in data.columns:
        raise InputError(
            f"sample sheet {sheet.where()}: column 'sample' missing (found: "
            f"{', '.join(map(str, data.columns)) or 'none'}); the first line must name the "
            "columns, one of them 'sample'"
        )
    if data.empty:
        raise InputError(
            f"sample sheet {sheet.path} lists no samples: add one line per sample below the header"
        )
    _check_ids(data, sheet)
    index = pd.Index(data["sample"].tolist(), name="sample", dtype=str)
    out = data.drop(columns=["sample"])
    out.index = index
    return out


#: Optional sheet column naming each sample's sequencing run (DADA2 learns error rates per run).
RUN_COLUMN = "run"


def sample_runs(sheet: pd.DataFrame) -> list[str]:
    """Each sample's sequencing run, in sheet order: the ``run`` column, or one run ("1") for
    all when the sheet has none. A sample without a run value is an error naming it."""
    if RUN_COLUMN not in sheet.columns:
        return ["1"] * len(sheet)
    runs = sheet[RUN_COLUMN].fillna("").astype(str).str.strip()
    empty = [str(s) for s, r in zip(sheet.index, runs, strict=True) if not r]
    if empty:
        raise InputError(
            f"sample sheet: column 'run' has no value for sample(s) {', '.join(empty[:6])}: give "
            "every sample its sequencing run (DADA2 learns error rates per run), or drop the "
            "column for one run"
        )
    return runs.tolist()


def sample_table(sheet: pd.DataFrame) -> pd.DataFrame:
    """The sheet of :func:`load_sample_sheet` as the table later steps read.

    Columns: ``sample``, ``fq1``, ``fq2`` (absolute paths) and the metadata columns, values
    stripped as :func:`load_sample_sheet` leaves them; the ``*_raw`` path columns are left out.
    """
    table = sheet.reset_index()
    return table[[c for c in table.columns if c not in ("fq1_raw", "fq2_raw")]]
