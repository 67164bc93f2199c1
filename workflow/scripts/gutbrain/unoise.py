"""UNOISE3 denoising with vsearch: merging, filtering, dereplication, denoising, chimera removal.

Commands are built as argument lists (never shell strings). Per sample, reads are merged
(paired-end), quality-filtered and dereplicated; the run's uniques are pooled, denoised with
``--cluster_unoise`` and checked with ``--uchime3_denovo``; each sample's uniques are then mapped
back to the denoised sequences (``--usearch_global``, 97 % identity as in Edgar 2016, bioRxiv
081257) to count reads per ASV.
"""

from __future__ import annotations

import gzip
import subprocess
import tempfile
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import dnaio
import pandas as pd

from .io import atomic_path, write_tsv


@dataclass(frozen=True)
class FilterParams:
    """Read merging and filtering settings (from config keys qc.* and denoise.*)."""

    min_overlap: int = 12
    max_ee: float = 1.0
    min_len: int = 50
    trunc_q: int = 2


def run(cmd: Sequence[str], log) -> None:
    """Run a command, appending its output to the open log; raise with the log's tail on failure."""
    log.write("$ " + " ".join(cmd) + "\n")
    log.flush()
    proc = subprocess.run(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log.write(proc.stdout)
    log.flush()
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-10:])
        raise RuntimeError(f"command failed ({proc.returncode}): {cmd[0]} {cmd[1]}\n{tail}")


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

    Returns the read counts ``merged`` and ``filtered``. A sample without reads yields an empty
    output file, never an error.
    """
    with tempfile.TemporaryDirectory(dir=Path(out_fasta).parent) as tmp:
        merged = Path(tmp) / "merged.fastq"
        if len(reads) == 2:
            run(
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
        else:
            with gzip.open(reads[0], "rb") as src, open(merged, "wb") as dst:
                dst.write(src.read())
        n_merged = count_fastx(merged)
        filtered = Path(tmp) / "filtered.fasta"
        if n_merged:
            run(
                [
                    "vsearch",
                    "--fastq_filter",
                    str(merged),
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
        n_filtered = count_fastx(filtered)
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
    return {"merged": n_merged, "filtered": n_filtered}


def denoise_run(
    sample_uniques: Mapping[str, str],
    out_seqtab: str,
    out_tracking: str,
    minsize: int,
    alpha: float,
    threads: int,
    log,
) -> pd.DataFrame:
    """Pool the samples' uniques, denoise with UNOISE3, remove chimeras, count reads per sample.

    Writes a sequence x sample table (column ``sequence`` then samples) and per-sample counts
    ``sample, denoised, nonchimeric`` (reads mapped to any denoised / to non-chimeric sequences).
    """
    samples = list(sample_uniques)
    with tempfile.TemporaryDirectory(dir=Path(out_seqtab).parent) as tmp:
        tmp = Path(tmp)
        pooled = tmp / "pooled.fasta"
        with dnaio.FastaWriter(pooled) as writer:
            n = 0
            for sample in samples:
                with dnaio.open(sample_uniques[sample]) as reader:
                    for rec in reader:
                        n += 1
                        writer.write(
                            dnaio.SequenceRecord(f"{n};size={_size(rec.name)}", rec.sequence)
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
        for sample in samples:
            if not sequences or not count_fastx(sample_uniques[sample]):
                continue
            hits = tmp / f"hits_{len(counts)}.tsv"
            run(
                [
                    "vsearch",
                    "--usearch_global",
                    sample_uniques[sample],
                    "--db",
                    str(zotus),
                    "--id",
                    "0.97",
                    "--strand",
                    "plus",
                    "--threads",
                    str(threads),
                    "--userout",
                    str(hits),
                    "--userfields",
                    "query+target",
                ],
                log,
            )
            per = defaultdict(int)
            if hits.stat().st_size:
                table = pd.read_csv(
                    hits, sep="\t", header=None, names=["query", "target"], dtype=str
                )
                for query, target in zip(table["query"], table["target"], strict=True):
                    per[target] += _size(query)
            counts[sample] = dict(per)
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
    write_tsv(seqtab, out_seqtab)
    write_tsv(tracking, out_tracking)
    return seqtab


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
    write_tsv(pd.DataFrame([{"sample": sample, **counts}]), counts_out)
    return counts
