"""UNOISE3 denoising with vsearch: merging, filtering, dereplication, denoising, chimera removal.

Commands are built as argument lists (never shell strings). Per sample, reads are merged
(paired-end), quality-filtered and dereplicated, and the read counts are taken from vsearch's
own reports (the files are never read again to count them); the run's uniques are pooled,
denoised with ``--cluster_unoise`` and checked with ``--uchime3_denovo``; the uniques of all
samples, labelled with their sample, are then mapped back to the denoised sequences in one
``--usearch_global --otutabout`` call (97 % identity as in Edgar 2016, bioRxiv 081257) to count
reads per ASV and sample. The per-sample steps import neither pandas nor numpy.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import dnaio

from .io import atomic_path, write_rows

if TYPE_CHECKING:
    import pandas as pd

PREPARE_COLUMNS = ["sample", "merged", "filtered"]
"""Columns of a sample's UNOISE3 preparation counts (``counts/<sample>.tsv``)."""

_MERGED = re.compile(r"^\s*(\d+)\s+Merged\b", re.M)
_KEPT = re.compile(
    r"^(\d+) sequences kept \(of which \d+ truncated\), (\d+) sequences discarded", re.M
)


@dataclass(frozen=True)
class FilterParams:
    """Read merging and filtering settings (from config keys qc.* and denoise.*)."""

    min_overlap: int = 12
    max_ee: float = 1.0
    min_len: int = 50
    trunc_q: int = 2


def run(cmd: Sequence[str], log) -> str:
    """Run a command, appending its output to the open log; raise with the log's tail on failure.

    Returns the command's output (stdout and stderr), e.g. for vsearch's read counts."""
    log.write("$ " + " ".join(cmd) + "\n")
    log.flush()
    proc = subprocess.run(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log.write(proc.stdout)
    log.flush()
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-10:])
        raise RuntimeError(f"command failed ({proc.returncode}): {cmd[0]} {cmd[1]}\n{tail}")
    return proc.stdout


def _reported(pattern: re.Pattern, output: str, what: str) -> tuple[int, ...]:
    """Counts vsearch printed (``pattern``'s groups); RuntimeError naming ``what`` if absent."""
    match = pattern.search(output)
    if match is None:
        raise RuntimeError(f"vsearch did not report {what}; its output was:\n{output[-2000:]}")
    return tuple(int(group) for group in match.groups())


def count_fastx(path: str | Path) -> int:
    """Number of records in a FASTA/FASTQ file (gzip allowed); 0 for a missing or empty file."""
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return 0
    with dnaio.open(path) as reader:
        return sum(1 for _ in reader)


def _size(label: str) -> int:
    for field in label.split(";"):
        if field.startswith("size="):
            return int(field[5:])
    return 1


def merge_filter_derep(
    reads: Sequence[str], out_fasta: str, params: FilterParams, threads: int, log
) -> dict[str, int]:
    """Merge (when paired), filter and dereplicate one sample's reads into ``out_fasta``.

    Returns the read counts ``merged`` (pairs merged; for single-end reads, the reads entering
    the filter) and ``filtered``, as vsearch reports them. A sample without reads yields an empty
    output file, never an error.
    """
    with tempfile.TemporaryDirectory(dir=Path(out_fasta).parent) as tmp:
        filtered = Path(tmp) / "filtered.fasta"
        if len(reads) == 2:
            merged = Path(tmp) / "merged.fastq"
            output = run(
                [
                    "vsearch",
                    "--fastq_mergepairs",
                    reads[0],
                    "--reverse",
                    reads[1],
                    "--fastq_minovlen",
                    str(params.min_overlap),
                    "--fastq_allowmergestagger",
                    "--threads",
                    str(threads),
                    "--fastqout",
                    str(merged),
                ],
                log,
            )
            (n_merged,) = _reported(_MERGED, output, "the number of merged pairs")
            to_filter = str(merged)
        else:
            n_merged = -1  # single-end: the reads entering the filter, counted by the filter
            to_filter = reads[0]
        n_filtered = 0
        if n_merged:
            output = run(
                [
                    "vsearch",
                    "--fastq_filter",
                    to_filter,
                    "--fastq_maxee",
                    str(params.max_ee),
                    "--fastq_maxns",
                    "0",
                    "--fastq_minlen",
                    str(params.min_len),
                    "--fastq_truncqual",
                    str(params.trunc_q),
                    "--fastaout",
                    str(filtered),
                ],
                log,
            )
            n_filtered, discarded = _reported(_KEPT, output, "the number of filtered reads")
            if n_merged < 0:
                n_merged = n_filtered + discarded
        with atomic_path(out_fasta) as tmp_out:
            if n_filtered:
                run(
                    [
                        "vsearch",
                        "--derep_fulllength",
                        str(filtered),
                        "--sizeout",
                        "--relabel",
                        "u",
                        "--output",
                        str(tmp_out),
                    ],
                    log,
                )
            else:
                tmp_out.write_text("")
    return {"merged": max(n_merged, 0), "filtered": n_filtered}


def denoise_run(
    sample_uniques: Mapping[str, str],
    workdir: str | Path,
    minsize: int,
    alpha: float,
    threads: int,
    log,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pool the samples' uniques, denoise with UNOISE3, remove chimeras, count reads per sample.

    vsearch's files live in a temporary folder inside ``workdir``. Returns a sequence x sample
    table (column ``sequence`` then samples) and per-sample counts ``sample, denoised,
    nonchimeric`` (reads mapped to any denoised / to non-chimeric sequences).
    """
    import pandas as pd

    samples = list(sample_uniques)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        tmp = Path(tmp)
        pooled = tmp / "pooled.fasta"
        labelled = tmp / "labelled.fasta"  # the same reads, labelled with their sample
        with dnaio.FastaWriter(pooled) as writer, dnaio.FastaWriter(labelled) as by_sample:
            n = 0
            for sample in samples:
                with dnaio.open(sample_uniques[sample]) as reader:
                    for rec in reader:
                        n += 1
                        size = _size(rec.name)
                        writer.write(dnaio.SequenceRecord(f"{n};size={size}", rec.sequence))
                        by_sample.write(
                            dnaio.SequenceRecord(
                                f"{n};size={size};sample={sample};", rec.sequence
                            )
                        )
        uniques = tmp / "uniques.fasta"
        zotus = tmp / "zotus.fasta"
        nonchim = tmp / "nonchim.fasta"
        if n:
            run(
                [
                    "vsearch",
                    "--derep_fulllength",
                    str(pooled),
                    "--sizein",
                    "--sizeout",
                    "--minuniquesize",
                    "1",
                    "--output",
                    str(uniques),
                ],
                log,
            )
            run(
                [
                    "vsearch",
                    "--cluster_unoise",
                    str(uniques),
                    "--minsize",
                    str(minsize),
                    "--unoise_alpha",
                    str(alpha),
                    "--sizein",
                    "--sizeout",
                    "--threads",
                    str(threads),
                    "--centroids",
                    str(zotus),
                ],
                log,
            )
        sequences: list[str] = []
        if count_fastx(zotus):
            with dnaio.open(zotus) as reader:
                sequences = [rec.sequence.upper() for rec in reader]
            with dnaio.FastaWriter(zotus) as writer:
                for i, seq in enumerate(sequences):
                    writer.write(dnaio.SequenceRecord(f"z{i}", seq))
            run(
                ["vsearch", "--uchime3_denovo", str(zotus), "--nonchimeras", str(nonchim)],
                log,
            )
        with dnaio.open(nonchim) if count_fastx(nonchim) else _empty() as reader:
            keep = {rec.name.split(";")[0] for rec in reader}
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        if sequences and n:
            otutab = tmp / "otutab.tsv"
            run(
                [
                    "vsearch",
                    "--usearch_global",
                    str(labelled),
                    "--db",
                    str(zotus),
                    "--id",
                    "0.97",
                    "--strand",
                    "plus",
                    "--sizein",
                    "--threads",
                    str(threads),
                    "--otutabout",
                    str(otutab),
                ],
                log,
            )
            counts = _read_otutab(otutab)
    names = [f"z{i}" for i in range(len(sequences))]
    matrix = pd.DataFrame(
        [[counts.get(s, {}).get(z, 0) for s in samples] for z in names],
        columns=samples,
        dtype="int64",
    )
    tracking = pd.DataFrame(
        {
            "sample": samples,
            "denoised": [int(matrix[s].sum()) for s in samples],
            "nonchimeric": [
                int(sum(matrix.at[i, s] for i, z in enumerate(names) if z in keep)) for s in samples
            ],
        }
    )
    seqtab = matrix[[z in keep for z in names]].copy()
    seqtab.insert(
        0, "sequence", [seq for seq, z in zip(sequences, names, strict=True) if z in keep]
    )
    return seqtab, tracking


def _read_otutab(path: Path) -> dict[str, dict[str, int]]:
    """Reads per sample and target from a vsearch ``--otutabout`` table (sample -> {target: n})."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    if not path.exists() or path.stat().st_size == 0:
        return counts
    with open(path, encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")[1:]
        for line in handle:
            target, *values = line.rstrip("\n").split("\t")
            for sample, value in zip(header, values, strict=True):
                if int(value):
                    counts[sample][target] = int(value)
    return counts


class _empty:
    """An empty record iterator usable as a context manager."""

    def __enter__(self):
        return iter(())

    def __exit__(self, *exc) -> None:
        return None


def prepare_sample(
    sample: str,
    reads: Sequence[str],
    uniques_out: str,
    counts_out: str,
    *,
    min_overlap: int,
    max_ee: float,
    min_len: int,
    trunc_q: int,
    threads: int,
    log,
) -> dict[str, int]:
    """Merge/filter/dereplicate one sample and write its counts (``sample, merged, filtered``)."""
    params = FilterParams(min_overlap=min_overlap, max_ee=max_ee, min_len=min_len, trunc_q=trunc_q)
    counts = merge_filter_derep(reads, uniques_out, params, threads, log)
    write_rows([{"sample": sample, **counts}], PREPARE_COLUMNS, counts_out)
    return counts
