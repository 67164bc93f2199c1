"""The references step (``workflow/rules/references.smk``): checksummed downloads into the
reference cache, taxonomy references converted to the DADA2 and SINTAX formats
(:mod:`gutbrain.taxonomy`), and the provenance records of a run gathered into one table.

A download is verified against the sha256 given in the config; when none is given, the checksum
of the first download is written to a lock file beside it and every later download (for example
after the cache was cleared) must match it. The function step's downloads use the same rule
script (``download_reference.py``).
"""

from __future__ import annotations

import shutil
import sys
import urllib.request
import zlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import dnaio
import pandas as pd

from gutbrain import tables
from gutbrain.debian_package import read_member
from gutbrain.errors import InputError
from gutbrain.io import atomic_path, write_tsv
from gutbrain.reference_checks import (
    CheckMemo,
    check_file,
    check_readable,
    check_taxonomy_fasta,
    read_lock,
    write_lock,
)
from gutbrain.references import (
    PROVENANCE_COLUMNS,
    provenance_row,
    sha256sum,
    write_provenance,
)
from gutbrain.taxonomy import dada2_header, iter_reference, parse_dada2_header, sintax_header


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
    A gzip file is read to its end before it is kept, so that a truncated download is neither
    kept nor locked (the job fails and may be retried).
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
        if out.name.endswith(".gz"):
            try:
                check_readable(tmp)
            except InputError as err:
                raise InputError(f"download of {url} (saving to {out}): {err}") from None
    if not lock_path.exists():
        write_lock(lock_path, actual, url)
    return actual


def download_reference(source: Mapping[str, str], out: str) -> str:
    """Download the ``url`` of a config entry ``source`` to ``out``, checked against its
    ``sha256`` (or the lock file); see :func:`download`."""
    return download(source["url"], out, source.get("sha256", ""))


def fetch_reference_part(part: Mapping[str, str], out: str | Path) -> str:
    """Fetch a further part of a taxonomy reference (an ``extra`` entry) from its ``url`` into
    ``out``; return the part's sha256.

    The download is checked against ``url_sha256`` (or its lock file). With ``member``, the
    download is a Debian package and the part is that file inside it (Debian ships the gold
    16S set). The part itself must match ``sha256`` when given, the same checksum the installed
    file is checked against, so both routes give the same bytes.
    """
    out = Path(out)
    member = part.get("member", "")
    fetched = out.with_name(out.name + ".deb") if member else out
    download(part["url"], fetched, part.get("url_sha256", ""))
    if member:
        data = read_member(fetched, member)
        with atomic_path(out) as tmp:
            Path(tmp).write_bytes(data)
    actual = sha256sum(out)
    expected = part.get("sha256", "")
    if expected and actual != expected:
        out.unlink()
        raise InputError(
            f"{part['url']}{' (' + member + ')' if member else ''}: sha256 {actual} differs from "
            f"the part's sha256 {expected} in the config; the file was not kept"
        )
    return actual


def read_lineage_table(path: str) -> dict[str, list[str]]:
    """Read a two-column TSV (id, semicolon-separated lineage kingdom..genus[;species])."""
    table = pd.read_csv(path, sep="\t", header=None, dtype=str, comment="#", keep_default_na=False)
    if table.shape[1] < 2:
        raise InputError(f"{path}: expected two tab-separated columns (id, lineage)")
    out = {}
    for line, (ident, lineage) in enumerate(zip(table[0], table[1], strict=True), start=1):
        out[ident.strip()] = parse_dada2_header(lineage, path, f"line {line}")
    return out


def convert_reference(
    path: str, fmt: str, dada2_out: str, sintax_out: str, lineage_table: str | None = None,
    extra: Iterable[tuple[str, str]] = (),
) -> dict[str, int]:
    """Write a reference in both classifier formats; return counts (sequences, genera).

    ``extra`` adds further (path, format) parts after the main one; a ``gold`` part borrows
    genus lineages from the parts before it (see :func:`gutbrain.taxonomy.iter_gold`).
    """
    genera = set()
    lineages: dict[str, list[str]] = {}
    stats: dict[str, int] = {}
    n = 0
    parts = [(path, fmt, lineage_table), *((p, f, None) for p, f in extra)]

    def records() -> Iterator[tuple[str, list[str], str]]:
        for part_path, part_fmt, table in parts:
            known = read_lineage_table(table) if part_fmt == "fasta_tsv" and table else None
            try:
                with dnaio.open(part_path) as reader:
                    yield from iter_reference(
                        ((rec.name, rec.sequence) for rec in reader), part_fmt, part_path,
                        known, table, lineages, stats,
                    )
            except (EOFError, OSError, zlib.error, dnaio.exceptions.FileFormatError) as err:
                raise InputError(f"{part_path}: cannot be read as FASTA: the file is truncated "
                                 f"or corrupt ({type(err).__name__}: {err})") from None

    with atomic_path(dada2_out) as tmp_d, atomic_path(sintax_out) as tmp_s:
        with dnaio.FastaWriter(tmp_d) as wd, dnaio.FastaWriter(tmp_s) as ws:
            for ident, ranks, seq in records():
                if ranks[5] and all(ranks[:5]):
                    lineages.setdefault(ranks[5], list(ranks[:6]))
                n += 1
                wd.write(dnaio.SequenceRecord(dada2_header(ranks), seq))
                ws.write(dnaio.SequenceRecord(sintax_header(ident, ranks), seq))
                if ranks[5]:
                    genera.add(ranks[5])
    if n == 0:
        raise InputError(f"{path}: the reference holds no sequences")
    return {"sequences": n, "genera": len(genera), **stats}


def prepare_taxonomy_reference(
    name: str,
    entry: dict,
    fasta: str,
    lineages: str | None,
    dada2_out: str,
    sintax_out: str,
    provenance_out: str,
    checked_dir: str | None = None,
    extra_paths: Iterable[str] | None = None,
) -> dict[str, int]:
    """Check a registry reference (:func:`gutbrain.reference_checks.check_taxonomy_fasta`,
    remembered in ``checked_dir`` as the parse-time check does), convert it to both classifier
    formats and write its provenance row. ``extra_paths`` are where the entry's ``extra`` parts
    are (the installed file, or its download in the cache); default their ``fasta``."""
    parts = list(entry.get("extra", []))
    paths = list(extra_paths) if extra_paths is not None else [p["fasta"] for p in parts]
    if len(paths) != len(parts):
        raise InputError(f"reference {name}: {len(parts)} extra parts but {len(paths)} paths")
    memo = CheckMemo(checked_dir)
    accept = bool(entry.get("accept_implausible", False))
    table = lineages if entry["format"] == "fasta_tsv" else None
    check_file(fasta, lambda p: check_taxonomy_fasta(p, entry["format"], table, accept), memo,
               f"taxonomy:{entry['format']}:{accept}:{table or ''}")
    for part, path in zip(parts, paths, strict=True):
        check_file(path,
                   lambda p, f=part["format"]: check_taxonomy_fasta(p, f, None, accept),
                   memo, f"taxonomy:{part['format']}:{accept}:")
    extra = [(path, part["format"]) for part, path in zip(parts, paths, strict=True)]
    counts = convert_reference(fasta, entry["format"], dada2_out, sintax_out, lineages, extra)
    source = entry.get("url") or fasta
    rows = [
        provenance_row(
            name,
            "taxonomy_reference",
            entry.get("version", "unknown"),
            source,
            sha256sum(fasta),
            date=None,
        )
    ]
    rows += [
        provenance_row(
            f"{name}:{Path(part['fasta']).name}",
            "taxonomy_reference_part",
            part.get("version", entry.get("version", "unknown")),
            path if path == part["fasta"] else f"{part['url']} ({part.get('member') or 'file'})",
            sha256sum(path),
            date=None,
        )
        for part, path in zip(parts, paths, strict=True)
    ]
    write_provenance(rows, provenance_out)
    print(f"reference {name}: {counts}", file=sys.stderr)
    return counts


def collect_provenance(paths: Iterable[str | Path], out: str | Path) -> pd.DataFrame:
    """Concatenate provenance files into one sorted table."""
    parts = [tables.read("provenance", p, dtype=str, keep_default_na=False) for p in paths]
    table = (
        pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=PROVENANCE_COLUMNS)
    )
    table = table[PROVENANCE_COLUMNS].drop_duplicates().sort_values(["kind", "name", "source"])
    write_tsv(table.reset_index(drop=True), out)
    return table
