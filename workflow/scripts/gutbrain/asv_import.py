"""Start the pipeline from an existing ASV table (config keys ``input.asv_table``/``asv_seqs``).

The table is a BIOM file (HDF5 or JSON, read with biom-format) or a tab-separated table: the
TSV written by ``biom convert --to-tsv`` (``#`` comment lines, the last one starting with
``#OTU ID`` is the header) or a plain TSV whose first header is ``asv_id`` or ``#OTU ID`` (this
pipeline's ``results/asv/asv_table.tsv``). Columns after the ID are samples. The sequences are
a FASTA file (gzipped or not) whose record IDs are the table's feature IDs.

:func:`table_samples` reads only the header (cheap; used when the workflow is parsed). The
rule's step, :func:`gutbrain.steps.import_.import_asv_table`, reads the contents and checks them
with the functions here. Every problem raises :class:`gutbrain.errors.InputError` naming the
file and the line, ID or sample.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import InputError
from .io import open_text
from .samples import sample_id_problem

TABLE_KEY = "input.asv_table"
SEQS_KEY = "input.asv_seqs"

FEATURE_ID_ALLOWED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
"""Characters allowed in feature IDs: they end up in FASTA headers, Newick trees and TSVs."""

DNA_ALLOWED = set("ACGTRYSWKMBDHVN")
"""Upper-case DNA letters with IUPAC ambiguity codes."""

TSV_ID_HEADERS = ("asv_id", "#OTU ID")
"""First header of a plain (comment-free) TSV table."""

METADATA_COLUMNS = ("taxonomy",)
"""Trailing observation-metadata columns ``biom convert --header-key`` may add; dropped."""

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"

MAX_NAMED = 5
"""How many IDs or samples an error message lists before 'and N more'."""


def listed(items: Sequence[str], n: int = MAX_NAMED) -> str:
    """``'a', 'b', 'c' and 2 more``."""
    shown = ", ".join(f"'{i}'" for i in items[:n])
    return shown + (f" and {len(items) - n} more" if len(items) > n else "")


def table_format(path: str | os.PathLike[str]) -> str:
    """``'biom-hdf5'``, ``'biom-json'`` or ``'tsv'`` from the file's first bytes."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except FileNotFoundError as err:
        raise InputError(
            f"ASV table {path} not found (config key {TABLE_KEY}; relative paths are taken "
            "from the working directory)"
        ) from err
    except IsADirectoryError as err:
        raise InputError(
            f"ASV table {path} is a folder, not a file (config key {TABLE_KEY})"
        ) from err
    if head.startswith(HDF5_MAGIC):
        return "biom-hdf5"
    if head[:2] == b"\x1f\x8b":
        return "tsv"  # a gzip-compressed TSV table (BIOM files are HDF5 or JSON)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return "biom-json"
    return "tsv"


# ---------------------------------------------------------------- TSV


@dataclass(frozen=True)
class _TsvHeader:
    """Header of a TSV table: its 1-based line number and the column names after the ID."""

    line: int
    id_header: str
    samples: list[str]
    n_fields: int


def _clean(line: str) -> str:
    return line.rstrip("\r\n").lstrip("\ufeff")


def _tsv_header(path: Path, lines: Iterable[str]) -> _TsvHeader:
    """Find the header of a TSV table in its ``lines`` (read no further than the header)."""
    header: _TsvHeader | None = None
    try:
        for number, raw in enumerate(lines, start=1):
            line = _clean(raw)
            if not line.strip():
                continue
            fields = line.split("\t")
            if line.startswith("#"):
                if fields[0].strip() == "#OTU ID":
                    names = [f.strip() for f in fields[1:]]
                    header = _TsvHeader(number, "#OTU ID", names, len(fields))
                continue
            if header is not None:
                break
            first = fields[0].strip()
            if first not in TSV_ID_HEADERS:
                raise InputError(
                    f"ASV table {path}, line {number}: the header must start with 'asv_id' or "
                    f"'#OTU ID' (found '{first}'). Give a BIOM file, the TSV written by "
                    "'biom convert --to-tsv', or a TSV with the header asv_id<TAB>sample1..."
                )
            header = _TsvHeader(number, first, [f.strip() for f in fields[1:]], len(fields))
            break
    except UnicodeDecodeError as err:
        raise InputError(
            f"ASV table {path} is neither BIOM nor UTF-8 text (byte {err.start}): give a BIOM "
            "file or a tab-separated table"
        ) from err
    if header is None:
        raise InputError(
            f"ASV table {path} has no header line (a line starting with '#OTU ID' or 'asv_id'): "
            "is it empty?"
        )
    samples = list(header.samples)
    if samples and samples[-1].lower() in METADATA_COLUMNS:
        samples = samples[:-1]
    while samples and samples[-1] == "":
        samples = samples[:-1]  # trailing tabs
    return _TsvHeader(header.line, header.id_header, samples, header.n_fields)


# ---------------------------------------------------------------- BIOM


def _biom_hdf5_samples(path: Path) -> list[str]:
    import h5py

    try:
        with h5py.File(path, "r") as handle:
            ids = handle["sample/ids"][:]
    except Exception as err:
        raise InputError(
            f"ASV table {path} is HDF5 but not a readable BIOM 2 table ({err}); check the file"
        ) from err
    return [i.decode("utf-8") if isinstance(i, bytes) else str(i) for i in ids]


def _biom_json_samples(path: Path) -> list[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
        return [str(col["id"]) for col in data["columns"]]
    except (ValueError, KeyError, TypeError) as err:
        raise InputError(
            f"ASV table {path} looks like JSON but is not a BIOM 1.0 table ({type(err).__name__}: "
            f"{err}); check the file"
        ) from err


# ---------------------------------------------------------------- samples (parse time)


def check_sample_ids(path: str | os.PathLike[str], samples: Sequence[str], where: str) -> None:
    """Refuse an empty sample list, duplicate or unusable sample IDs, naming file and ID."""
    if not samples:
        raise InputError(
            f"ASV table {path}, {where}: no sample columns (only the feature ID column): a table "
            "needs one count column per sample"
        )
    seen: set[str] = set()
    for sample in samples:
        problem = sample_id_problem(sample)
        if problem:
            raise InputError(
                f"ASV table {path}, {where}: sample ID '{sample}' {problem}. Rename the sample "
                "column (sample IDs become file names and table headers)"
            )
        if sample in seen:
            raise InputError(
                f"ASV table {path}, {where}: sample '{sample}' appears twice: sample IDs must "
                "be unique"
            )
        seen.add(sample)


#: QIIME 2 artifact types read, and the file inside each artifact's data/ folder.
QZA_MEMBERS = {"FeatureTable[Frequency]": "feature-table.biom",
               "FeatureData[Sequence]": "dna-sequences.fasta"}


def qza_data(path: str | os.PathLike[str], semantic_type: str, dest: str | os.PathLike[str]
             ) -> tuple[Path, str]:
    """Extract the data file of a QIIME 2 artifact (``.qza``: a zip with ``<uuid>/metadata.yaml``
    and ``<uuid>/data/``) of ``semantic_type`` into folder ``dest``, without QIIME 2; return the
    file and the artifact's UUID. Errors name the file, its type and what was expected."""
    import zipfile

    import yaml

    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise InputError(f"{path}: not a QIIME 2 artifact (.qza is a zip file: {err})") from None
    with archive:
        names = archive.namelist()
        roots = {n.split("/")[0] for n in names if n.endswith("/metadata.yaml")
                 and n.count("/") == 1}
        if len(roots) != 1:
            raise InputError(f"{path}: not a QIIME 2 artifact (no <uuid>/metadata.yaml)")
        root = roots.pop()
        meta = yaml.safe_load(archive.read(f"{root}/metadata.yaml")) or {}
        found = str(meta.get("type", ""))
        if found != semantic_type:
            raise InputError(f"{path}: a QIIME 2 artifact of type {found or 'unknown'}; expected "
                             f"{semantic_type} (export other types with 'qiime tools export')")
        member = f"{root}/data/{QZA_MEMBERS[semantic_type]}"
        if member not in names:
            raise InputError(f"{path}: the {semantic_type} artifact holds no "
                             f"data/{QZA_MEMBERS[semantic_type]}")
        target = Path(dest) / f"{root}_{QZA_MEMBERS[semantic_type]}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(archive.read(member))
    return target, str(meta.get("uuid", root))


def table_samples(path: str | os.PathLike[str]) -> list[str]:
    """Sample IDs of an ASV table, in column order, reading only its header (or BIOM ids); a
    QIIME 2 ``.qza`` FeatureTable[Frequency] is read through its BIOM."""
    path = Path(path)
    if path.suffix == ".qza":
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            biom_file, _ = qza_data(path, "FeatureTable[Frequency]", folder)
            samples = table_samples(biom_file)
        return samples
    kind = table_format(path)
    if kind == "biom-hdf5":
        samples, where = _biom_hdf5_samples(path), "sample IDs"
    elif kind == "biom-json":
        samples, where = _biom_json_samples(path), "sample IDs"
    else:
        with open_text(path) as handle:
            header = _tsv_header(path, handle)
        samples, where = header.samples, f"line {header.line}"
    check_sample_ids(path, samples, where)
    return samples


def check_sheet_samples(
    table: str | os.PathLike[str], sheet: str | os.PathLike[str], table_ids: Sequence[str],
    sheet_ids: Sequence[str],
) -> None:
    """Every sample of the sample sheet must be a column of the table (metadata only)."""
    known = set(table_ids)
    missing = [s for s in sheet_ids if s not in known]
    if missing:
        raise InputError(
            f"sample sheet {sheet} lists {len(missing)} sample(s) that are not columns of the ASV "
            f"table {table}: {listed(missing)}. With {TABLE_KEY} set the sheet only adds metadata: "
            "remove those rows, fix the IDs, or set 'samples: \"\"' to run without metadata"
        )


# ---------------------------------------------------------------- contents


def _count(value: str, path: Path, line: int, column: str, feature: str) -> int:
    text = value.strip()
    where = f"ASV table {path}, line {line}, column '{column}' (feature '{feature}')"
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if text == "" or math.isnan(number) or math.isinf(number):
        raise InputError(
            f"{where}: '{value}' is not a number; counts must be whole numbers of reads"
        )
    if number < 0:
        raise InputError(
            f"{where}: negative count {text}; counts must be whole numbers of reads >= 0"
        )
    if number != int(number):
        raise InputError(
            f"{where}: {text} is not a whole number; give read counts, not relative abundances"
        )
    return int(number)


def _check_feature_id(path: Path, feature: str, where: str) -> None:
    if not feature:
        raise InputError(f"ASV table {path}, {where}: the feature ID is empty")
    bad = next((ch for ch in feature if ch not in FEATURE_ID_ALLOWED), None)
    if bad is not None:
        raise InputError(
            f"ASV table {path}, {where}: feature ID '{feature}' contains {bad!r}; only letters, "
            "digits, '_', '.' and '-' are allowed (IDs go into FASTA headers and trees). "
            "Rename the features in the table and the FASTA"
        )


def parse_tsv_table(path: str | os.PathLike[str], lines: list[str]) -> pd.DataFrame:
    """Parse the lines of a TSV ASV table (see the module docstring) into a feature x sample
    integer frame; ``path`` is the file the errors name."""
    path = Path(path)
    header = _tsv_header(path, lines)
    check_sample_ids(path, header.samples, f"line {header.line}")
    n_fields = 1 + len(header.samples)
    ids: list[str] = []
    rows: list[list[int]] = []
    first_line: dict[str, int] = {}
    for number in range(header.line + 1, len(lines) + 1):
        line = _clean(lines[number - 1])
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) > n_fields and (
            len(fields) == header.n_fields or not "".join(fields[n_fields:]).strip()
        ):
            fields = fields[:n_fields]  # a dropped metadata column or trailing tabs
        if len(fields) != n_fields:
            raise InputError(
                f"ASV table {path}, line {number}: {len(fields)} tab-separated fields, the header "
                f"(line {header.line}) has {n_fields}; every line needs the ID and one count per "
                "sample"
            )
        feature = fields[0].strip()
        _check_feature_id(path, feature, f"line {number}")
        if feature in first_line:
            raise InputError(
                f"ASV table {path}: feature ID '{feature}' appears twice (line "
                f"{first_line[feature]} and line {number}); IDs must be unique"
            )
        first_line[feature] = number
        ids.append(feature)
        rows.append(
            [
                _count(value, path, number, sample, feature)
                for value, sample in zip(fields[1:], header.samples, strict=True)
            ]
        )
    return pd.DataFrame(
        rows, index=pd.Index(ids, name="asv_id", dtype=str), columns=header.samples, dtype="int64"
    )


def biom_frame(path: str | os.PathLike[str], table) -> pd.DataFrame:
    """Check a loaded BIOM table (``biom.Table``) and return it as a feature x sample integer
    frame; ``path`` is the file the errors name."""
    path = Path(path)
    samples = [str(s) for s in table.ids(axis="sample")]
    check_sample_ids(path, samples, "sample IDs")
    features = [str(f) for f in table.ids(axis="observation")]
    seen: set[str] = set()
    for feature in features:
        _check_feature_id(path, feature, "observation IDs")
        if feature in seen:
            raise InputError(
                f"ASV table {path}: observation (feature) ID '{feature}' appears twice; IDs "
                "must be unique"
            )
        seen.add(feature)
    frame = table.to_dataframe(dense=True)
    frame.index = pd.Index(features, name="asv_id", dtype=str)
    frame.columns = samples
    values = frame.to_numpy(dtype=float)
    for problem, mask in (
        ("is not a number", ~pd.notna(values) | (abs(values) == math.inf)),
        ("is negative", values < 0),
        ("is not a whole number (give read counts, not relative abundances)", values % 1 != 0),
    ):
        if mask.any():
            row, col = (int(x[0]) for x in mask.nonzero())
            raise InputError(
                f"ASV table {path}: the count of feature '{features[row]}' in sample "
                f"'{samples[col]}' ({values[row, col]}) {problem}"
            )
    return frame.astype("int64")


def check_sequences(path: str | os.PathLike[str], seqs: dict[str, str], ids: Sequence[str]) -> None:
    """Every table ID must have a DNA sequence (IUPAC codes allowed) in the FASTA."""
    missing = [i for i in ids if i not in seqs]
    if missing:
        raise InputError(
            f"ASV sequences {path}: {len(missing)} feature ID(s) of the ASV table have no "
            f"sequence: {listed(missing)}. Give the FASTA exported with the same table (e.g. "
            "QIIME 2 dna-sequences.fasta)"
        )
    for ident in ids:
        seq = seqs[ident]
        if not seq:
            raise InputError(f"ASV sequences {path}: the sequence of '{ident}' is empty")
        bad = next(((pos, ch) for pos, ch in enumerate(seq, 1) if ch not in DNA_ALLOWED), None)
        if bad is not None:
            pos, ch = bad
            hint = " (alignment gap: give unaligned sequences)" if ch in "-." else ""
            raise InputError(
                f"ASV sequences {path}: the sequence of '{ident}' has {ch!r} at position {pos}"
                f"{hint}; only DNA letters A, C, G, T and IUPAC codes are allowed"
            )


def check_counts(path: str | os.PathLike[str], table: pd.DataFrame) -> pd.DataFrame:
    """Refuse an empty table and samples without reads; drop features without reads."""
    if table.empty or int(table.to_numpy().sum()) == 0:
        raise InputError(
            f"ASV table {path} is empty ({len(table)} feature(s), {table.shape[1]} sample(s), "
            "no reads): give a table with counts"
        )
    totals = table.sum(axis=0)
    empty = [str(s) for s in table.columns if int(totals[s]) == 0]
    if empty:
        raise InputError(
            f"ASV table {path}: {len(empty)} sample(s) have no reads (all counts 0): "
            f"{listed(empty)}. Remove those columns from the table (and rows from the sample "
            "sheet)"
        )
    return table[table.sum(axis=1) > 0]


def sample_metadata(samples: Sequence[str], sheet: pd.DataFrame | None) -> pd.DataFrame:
    """One row per table sample (table order) with the sheet's metadata; '' where absent."""
    if sheet is None:
        return pd.DataFrame({"sample": list(samples)})
    meta = sheet.drop(columns=[c for c in ("fq1", "fq2") if c in sheet.columns])
    meta = meta.reindex(list(samples)).fillna("")
    meta.index.name = "sample"
    return meta.reset_index()
