"""Cheap checks of a sample's FASTQ files, run before any heavy job.

Each file is streamed once with dnaio (constant memory; gzip, bzip2, xz and zstd are handled
by its opener). The checks catch what would otherwise fail late or silently: missing, empty,
truncated or corrupt files, files that are not FASTQ (FASTA, BAM, SAM, text, zip),
quality encodings other than Phred+33, and R1/R2 files whose reads are not mates.
Every problem raises :class:`gutbrain.errors.InputError` naming the sample, the sheet column
and the file, and the record or line where there is one.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import TYPE_CHECKING

import dnaio
import numpy as np
from xopen import xopen

from gutbrain.errors import InputError
from gutbrain.io import write_rows

if TYPE_CHECKING:
    import pandas as pd

PHRED33_LOWEST = ord(";")
"""Phred+64 files (Illumina 1.3-1.7, Solexa) never hold quality characters below ';'."""

PHRED33_HIGHEST_ILLUMINA = ord("J")
"""Highest quality character of Illumina 1.8+ (Phred+33) reads: Q41."""

PHRED64_HIGHEST = ord("i")
"""Highest quality character of Phred+64 reads (Q41); PacBio HiFi Phred+33 reaches '~'."""

SUMMARY_COLUMNS: tuple[str, ...] = (
    "sample", "column", "path", "reads", "min_len", "max_len", "mean_len",
    "min_qual_char", "max_qual_char", "min_phred", "max_phred", "encoding",
)
"""Columns of the per-sample check report written by :func:`write_check_report`."""

_FLUSH_EVERY = 4096

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"PK\x03\x04", "zip"),
)


@dataclass(frozen=True)
class FastqSummary:
    """What one FASTQ file holds: read count, read lengths and the quality characters seen."""

    reads: int
    min_len: int
    max_len: int
    mean_len: float
    min_qual_char: str
    max_qual_char: str
    encoding: str
    path: str = ""
    column: str = ""

    @property
    def min_phred(self) -> int:
        """Lowest Phred score (Phred+33)."""
        return ord(self.min_qual_char) - 33 if self.min_qual_char else -1

    @property
    def max_phred(self) -> int:
        """Highest Phred score (Phred+33)."""
        return ord(self.max_qual_char) - 33 if self.max_qual_char else -1


@dataclass
class _Stats:
    """Running totals for one file, updated record by record (buffers flushed in blocks)."""

    reads: int = 0
    total_len: int = 0
    min_len: int = -1
    max_len: int = -1
    min_q: int = 256
    max_q: int = -1
    _lens: list[int] = field(default_factory=list)
    _quals: list[bytes] = field(default_factory=list)

    def add(self, record: dnaio.SequenceRecord) -> None:
        self.reads += 1
        self._lens.append(len(record.sequence))
        self._quals.append(record.qualities_as_bytes())
        if len(self._lens) >= _FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        if not self._lens:
            return
        lens = np.asarray(self._lens, dtype=np.int64)
        self.total_len += int(lens.sum())
        lo, hi = int(lens.min()), int(lens.max())
        self.min_len = lo if self.min_len < 0 else min(self.min_len, lo)
        self.max_len = max(self.max_len, hi)
        quals = np.frombuffer(b"".join(self._quals), dtype=np.uint8)
        if quals.size:
            self.min_q = min(self.min_q, int(quals.min()))
            self.max_q = max(self.max_q, int(quals.max()))
        self._lens.clear()
        self._quals.clear()


def _where(sample: str, column: str, path: Path | str) -> str:
    return f"sample '{sample}', column '{column}', file {path}"


def _sniff_raw(head: bytes) -> str:
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return "none"


def describe_content(head: bytes) -> str:
    """Say what (decompressed) bytes look like: 'FASTQ', 'FASTA', 'BAM', 'SAM', 'text' ..."""
    if not head:
        return "empty"
    if head.startswith(b"BAM\x01"):
        return "BAM"
    if head[:4] in (b"@HD\t", b"@SQ\t", b"@RG\t", b"@PG\t", b"@CO\t"):
        return "SAM"
    if head.startswith(b"@"):
        return "FASTQ"
    if head.startswith(b">"):
        return "FASTA"
    compression = _sniff_raw(head)
    if compression != "none":
        return f"{compression}-compressed data"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "binary data"
    return "text"


def _first_line(head: bytes) -> str:
    line = head.split(b"\n", 1)[0][:60].decode("utf-8", errors="replace").rstrip("\r")
    return repr(line)


_ADVICE = {
    "FASTA": "It has no quality scores; the pipeline needs the raw FASTQ reads from the sequencer",
    "BAM": "Convert it to FASTQ first, e.g. 'samtools fastq' (use -1/-2 for paired reads)",
    "SAM": "Convert it to FASTQ first, e.g. 'samtools fastq'",
    "zip": "Unzip it and give the FASTQ (or .fastq.gz) file inside",
}


def _check_format(path: Path, sample: str, column: str) -> None:
    """Refuse missing, unreadable and non-FASTQ files before parsing (by looking at the bytes)."""
    where = _where(sample, column, path)
    if not path.exists():
        raise InputError(f"{where}: file does not exist. Fix the path in the sample sheet")
    if not path.is_file():
        raise InputError(f"{where}: not a regular file. Point the sample sheet to a FASTQ file")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(8)
    except OSError as err:
        raise InputError(f"{where}: cannot be read ({err.strerror}). Fix its permissions") from err
    if not raw:
        raise InputError(f"{where}: the file is empty (0 bytes, no reads). Re-copy or drop it")
    compression = _sniff_raw(raw)
    if compression == "zip":
        raise InputError(f"{where}: this is a zip archive, not FASTQ. {_ADVICE['zip']}")
    if path.name.endswith(".gz") and compression != "gzip":
        try:
            with open(path, "rb") as fh:
                looks = describe_content(fh.read(4096)) if compression == "none" else compression
        except OSError:  # pragma: no cover (read just succeeded)
            looks = "unknown"
        raise InputError(
            f"{where}: the name ends in .gz but the file is not gzip-compressed (it looks like "
            f"{looks}). Compress it with gzip, or rename it without .gz"
        )
    try:
        with xopen(path, "rb", threads=0) as fh:
            head = fh.read(4096)
    except (EOFError, OSError, zlib.error) as err:
        raise InputError(
            f"{where}: the {compression} stream is truncated or corrupt at its start ({err}). "
            "Re-download or re-copy the file and compare its checksum"
        ) from err
    looks = describe_content(head)
    if looks == "empty":
        raise InputError(
            f"{where}: the file is empty ({compression}-compressed, 0 reads). Re-copy the file "
            "or drop the sample from the sheet"
        )
    if looks == "FASTQ":
        return
    advice = _ADVICE.get(looks, "Give the FASTQ file (records start with '@')")
    detail = f"; first line: {_first_line(head)}" if looks == "text" else ""
    raise InputError(f"{where}: not FASTQ: it looks like {looks}{detail}. {advice}")


def _records(path: Path, sample: str, column: str, stats: _Stats) -> Iterator[str]:
    """Stream the file's records into ``stats``; yield each read ID (up to the first space)."""
    _check_format(path, sample, column)
    where = _where(sample, column, path)
    try:
        with dnaio.open(path, fileformat="fastq", open_threads=0) as reader:
            for record in reader:
                stats.add(record)
                yield record.id
    except dnaio.FastqFormatError as err:
        if err.line is None:
            loc = f"after record {stats.reads}"
        else:
            loc = f"line {err.line + 1} (record {err.line // 4 + 1})"
        raise InputError(
            f"{where}: malformed FASTQ at {loc}: {err.message}. A truncated download, a "
            "broken conversion or a multi-line FASTQ can cause this: re-create the file"
        ) from err
    except (EOFError, OSError, zlib.error) as err:
        raise InputError(
            f"{where}: the compressed file is truncated or corrupt after record {stats.reads} "
            f"({err}). Re-download or re-copy it and compare its checksum"
        ) from err
    stats.flush()


def _encoding(stats: _Stats, where: str) -> str:
    """Return 'phred33' or raise for Phred+64 or out-of-range quality characters."""
    lo, hi = stats.min_q, stats.max_q
    if hi < 0:  # only zero-length reads: nothing to judge
        return "phred33"
    if lo < 33 or hi > 126:
        raise InputError(
            f"{where}: quality characters out of the printable range (codes {lo}-{hi}); the "
            "file is damaged or not FASTQ"
        )
    if lo >= PHRED33_LOWEST and PHRED33_HIGHEST_ILLUMINA < hi <= PHRED64_HIGHEST:
        raise InputError(
            f"{where}: quality scores look like Phred+64 (old Illumina/Solexa encoding): "
            f"characters range from {chr(lo)!r} to {chr(hi)!r}, none below ';'. The pipeline "
            "needs Phred+33: convert the file, e.g. 'seqtk seq -Q64 -V in.fq.gz | gzip > out.fq.gz'"
        )
    return "phred33"


def _summary(stats: _Stats, path: Path, sample: str, column: str) -> FastqSummary:
    where = _where(sample, column, path)
    if stats.reads == 0:
        raise InputError(
            f"{where}: the file contains no reads. Re-copy the file or drop the sample from the "
            "sample sheet"
        )
    encoding = _encoding(stats, where)
    return FastqSummary(
        reads=stats.reads,
        min_len=stats.min_len,
        max_len=stats.max_len,
        mean_len=stats.total_len / stats.reads,
        min_qual_char=chr(stats.min_q) if stats.max_q >= 0 else "",
        max_qual_char=chr(stats.max_q) if stats.max_q >= 0 else "",
        encoding=encoding,
        path=str(path),
        column=column,
    )


def check_fastq(path: str | os.PathLike[str], sample: str, column: str = "fq1") -> FastqSummary:
    """Check one FASTQ file (plain or compressed) and summarise it; raise InputError on problems."""
    file = Path(path)
    stats = _Stats()
    for _ in _records(file, sample, column, stats):
        pass
    return _summary(stats, file, sample, column)


def mate_id(read_id: str) -> str:
    """Read ID used to match mates: up to the first whitespace, without a trailing /1 or /2."""
    read_id = read_id.split(maxsplit=1)[0] if read_id.strip() else ""
    if read_id.endswith(("/1", "/2")):
        return read_id[:-2]
    return read_id


def check_fastq_pair(
    fq1: str | os.PathLike[str], fq2: str | os.PathLike[str], sample: str
) -> tuple[FastqSummary, FastqSummary]:
    """Check an R1/R2 pair: each file as :func:`check_fastq`, equal read counts, matching IDs."""
    path1, path2 = Path(fq1), Path(fq2)
    stats1, stats2 = _Stats(), _Stats()
    ids1 = _records(path1, sample, "fq1", stats1)
    ids2 = _records(path2, sample, "fq2", stats2)
    try:
        for number, (id1, id2) in enumerate(zip_longest(ids1, ids2), start=1):
            if id1 is None or id2 is None:
                continue  # one file ended: keep counting the other to report both counts
            if mate_id(id1) != mate_id(id2):
                raise InputError(
                    f"sample '{sample}': read IDs of fq1 and fq2 differ at record {number}: "
                    f"'{id1}' in {path1} vs '{id2}' in {path2}. The files are not mates or not "
                    "in the same order: check the sample sheet, or re-pair them "
                    "(e.g. 'seqkit pair')"
                )
    finally:
        ids1.close()
        ids2.close()
    summary1 = _summary(stats1, path1, sample, "fq1")
    summary2 = _summary(stats2, path2, sample, "fq2")
    if summary1.reads != summary2.reads:
        raise InputError(
            f"sample '{sample}': fq1 and fq2 hold different numbers of reads: {summary1.reads} "
            f"in {path1} vs {summary2.reads} in {path2}. One file is probably truncated or "
            "filtered on its own: re-copy or re-pair them"
        )
    return summary1, summary2


def check_sample(
    sample: str,
    reads: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    report: str | os.PathLike[str] | None = None,
) -> list[FastqSummary]:
    """Check a sample's reads (one file, or an R1/R2 pair); optionally write the TSV report.

    ``reads`` is a path or a list of one or two paths (an empty second path means single-end).
    """
    paths = [reads] if isinstance(reads, str | os.PathLike) else list(reads)
    paths = [p for p in paths if str(p).strip()]
    if len(paths) == 2:
        summaries = list(check_fastq_pair(paths[0], paths[1], sample))
    elif len(paths) == 1:
        summaries = [check_fastq(paths[0], sample, "fq1")]
    else:
        raise InputError(
            f"sample '{sample}': expected one or two FASTQ files (fq1, fq2), got {len(paths)}: "
            "check the sample's row in the sample sheet"
        )
    if report is not None:
        write_check_report(sample, summaries, report)
    return summaries


def summary_rows(sample: str, summaries: Sequence[FastqSummary]) -> list[dict]:
    """One dict per checked file with the keys in :data:`SUMMARY_COLUMNS`."""
    rows = []
    for summary in summaries:
        row = asdict(summary)
        row.update(
            sample=sample,
            min_phred=summary.min_phred,
            max_phred=summary.max_phred,
            mean_len=round(float(summary.mean_len), 2),
        )
        rows.append({col: row[col] for col in SUMMARY_COLUMNS})
    return rows


def summary_table(sample: str, summaries: Sequence[FastqSummary]) -> pd.DataFrame:
    """:func:`summary_rows` as a table (imports pandas; the pipeline's job does not need it)."""
    import pandas as pd

    return pd.DataFrame(summary_rows(sample, summaries), columns=list(SUMMARY_COLUMNS))


def write_check_report(
    sample: str, summaries: Sequence[FastqSummary], path: str | os.PathLike[str]
) -> list[dict]:
    """Write the :func:`summary_rows` of a sample as TSV to ``path`` and return them."""
    rows = summary_rows(sample, summaries)
    write_rows(rows, SUMMARY_COLUMNS, path)
    return rows
