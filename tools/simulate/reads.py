"""Read pairs of one sample: primers, amplicons and errors turned into R1/R2 FASTQ.gz.

R1 is forward primer + amplicon, R2 is reverse primer + reverse complement of the amplicon,
both truncated to the read length; qualities and substitutions follow
:mod:`tools.simulate.error_model`, and rare indels are added on top. Everything is drawn from a
seeded ``numpy.random.Generator``, so the same arguments give identical bytes.
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Mapping, Sequence

import dnaio
import numpy as np
import pandas as pd
from Bio.Data.IUPACData import ambiguous_dna_values
from gutbrain.asv import asv_id
from gutbrain.errors import InputError
from gutbrain.io import atomic_path
from gutbrain.primers import PRIMER_PRESETS, reverse_complement

from tools.simulate.error_model import (
    DEFAULT_ERROR_MODEL,
    ErrorModel,
    apply_substitutions,
    simulate_qualities,
)

_BASES = b"ACGT"
_DECODE = np.frombuffer(_BASES, dtype=np.uint8)
_ENCODE = np.full(256, 255, dtype=np.uint8)
for _i, _b in enumerate(_BASES):
    _ENCODE[_b] = _i
_PHRED_OFFSET = 33


def encode(seq: str) -> np.ndarray:
    """Bases A, C, G, T as codes 0-3 (uint8); ValueError for any other character."""
    codes = _ENCODE[np.frombuffer(seq.upper().encode("ascii"), dtype=np.uint8)]
    if (codes == 255).any():
        raise ValueError(f"sequence has characters other than A, C, G, T: {seq[:40]}...")
    return codes


def is_acgt(seq: str) -> bool:
    """True when ``seq`` is non-empty and made only of A, C, G, T (any case)."""
    return bool(seq) and not set(seq.upper()) - set("ACGT")


def resolve_primer(rng: np.random.Generator, primer: str, n: int) -> np.ndarray:
    """``n`` concrete copies of a degenerate primer (codes, n x len): every IUPAC position gets
    one of its bases at random, as in a primer mixture."""
    out = np.empty((n, len(primer)), dtype=np.uint8)
    for j, code in enumerate(primer.upper()):
        options = np.frombuffer(ambiguous_dna_values[code].encode("ascii"), dtype=np.uint8)
        choice = options[0] if len(options) == 1 else options[rng.integers(len(options), size=n)]
        out[:, j] = _ENCODE[choice]
    return out


def allocate_pairs(fractions: Sequence[float], n_pairs: int) -> np.ndarray:
    """Split ``n_pairs`` into integer counts proportional to ``fractions`` (largest remainder,
    ties to the earlier entry); the counts always sum to ``n_pairs``."""
    f = np.asarray(fractions, dtype=float)
    f = f / f.sum()
    raw = f * n_pairs
    counts = np.floor(raw).astype(np.int64)
    short = n_pairs - int(counts.sum())
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[:short]] += 1
    return counts


def _template_matrix(seqs: Sequence[str], width: int) -> tuple[np.ndarray, np.ndarray]:
    """Encoded sequences padded with A to at least ``width`` columns, and their lengths."""
    lens = np.array([len(s) for s in seqs], dtype=np.int64)
    mat = np.zeros((len(seqs), max(width, int(lens.max()))), dtype=np.uint8)
    for i, s in enumerate(seqs):
        mat[i, : len(s)] = encode(s)
    return mat, lens


def _mate_reads(
    rng: np.random.Generator,
    templates: np.ndarray,
    template_lens: np.ndarray,
    which: np.ndarray,
    primer: str | None,
    read_len: int,
    mate: int,
    model: ErrorModel,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Base codes, Phred scores and lengths of one mate for reads of ``templates[which]``."""
    n = which.size
    head = resolve_primer(rng, primer, n) if primer else np.zeros((n, 0), dtype=np.uint8)
    p = head.shape[1]
    codes = np.zeros((n, read_len), dtype=np.uint8)
    codes[:, : min(p, read_len)] = head[:, :read_len]
    if p < read_len:
        codes[:, p:] = templates[which, : read_len - p]
    lengths = np.minimum(read_len, p + template_lens[which])
    n_indels = rng.poisson(model.indel_rate * lengths)
    for i in np.flatnonzero(n_indels):
        full = np.concatenate([head[i], templates[which[i], : template_lens[which[i]]]])
        for _ in range(int(n_indels[i])):
            pos = int(rng.integers(full.size))
            if rng.random() < 0.5:
                full = np.delete(full, pos)
            else:
                full = np.insert(full, pos, rng.integers(4))
        row = full[:read_len]
        codes[i, : row.size] = row
        lengths[i] = row.size
    quals = simulate_qualities(rng, n, read_len, mate, model)
    return apply_substitutions(rng, codes, quals), quals, lengths


def _records(
    sample: str, mate: int, codes: np.ndarray, quals: np.ndarray, lengths: np.ndarray
) -> list[dnaio.SequenceRecord]:
    """FASTQ records ``<sample>_<n> <mate>:N:0:1`` from code and quality matrices."""
    width = codes.shape[1]
    seq_bytes = _DECODE[codes].tobytes()
    qual_bytes = (quals + _PHRED_OFFSET).astype(np.uint8).tobytes()
    out = []
    for i, length in enumerate(lengths.tolist()):
        lo = i * width
        out.append(
            dnaio.SequenceRecord(
                f"{sample}_{i + 1} {mate}:N:0:1",
                seq_bytes[lo : lo + length].decode("ascii"),
                qual_bytes[lo : lo + length].decode("ascii"),
            )
        )
    return out


def write_fastq_gz(
    records: Sequence[dnaio.SequenceRecord], path: str | os.PathLike[str], compresslevel: int = 1
) -> None:
    """Write FASTQ records gzip-compressed (dnaio), atomically and byte-reproducibly (mtime 0,
    no file name in the gzip header)."""
    with atomic_path(path) as tmp, open(tmp, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                           compresslevel=compresslevel) as gz:
            with dnaio.open(gz, mode="w", fileformat="fastq") as writer:
                for rec in records:
                    writer.write(rec)


def simulate_pairs(
    amplicons: Mapping[str, str],
    abundances: Mapping[str, float],
    n_pairs: int,
    r1_path: str | os.PathLike[str],
    r2_path: str | os.PathLike[str],
    sample: str,
    *,
    read_len: int = 250,
    fwd_primer: str | None = PRIMER_PRESETS["V4"][0],
    rev_primer: str | None = PRIMER_PRESETS["V4"][1],
    include_primers: bool = True,
    error_model: ErrorModel = DEFAULT_ERROR_MODEL,
    seed: int = 0,
) -> pd.DataFrame:
    """Simulate ``n_pairs`` read pairs of one sample and write them as R1/R2 FASTQ.gz.

    ``amplicons`` maps a name to its amplicon (A/C/G/T only, primers excluded);
    ``abundances`` maps names (a subset) to relative weights (normalised here). Pairs are
    allocated by largest remainder, so the simulated counts are exact, then shuffled. R1 is
    ``fwd_primer`` + amplicon and R2 is ``rev_primer`` + reverse complement of the amplicon
    (degenerate primer bases resolved at random per read; primers left out when
    ``include_primers`` is false), each truncated to ``read_len``; a read whose template is
    shorter than ``read_len`` is shorter (no adapter run-through). Read IDs are
    ``<sample>_<n>`` with ``1:N:0:1`` / ``2:N:0:1``. The random stream depends only on
    ``seed`` and ``sample``.

    Returns the truth rows of the sample: ``sample, name, asv_id, expected_fraction, n_pairs,
    sequence``.
    """
    if n_pairs < 0:
        raise ValueError(f"sample {sample}: n_pairs must be >= 0, got {n_pairs}")
    names = list(abundances)
    unknown = [n for n in names if n not in amplicons]
    if unknown:
        raise InputError(f"sample {sample}: abundances name unknown amplicons: {unknown}")
    weights = np.array([abundances[n] for n in names], dtype=float)
    if not names or (weights < 0).any() or weights.sum() <= 0:
        raise InputError(f"sample {sample}: abundances must be >= 0 with a positive sum")
    bad = [n for n in names if not is_acgt(amplicons[n])]
    if bad:
        raise InputError(f"sample {sample}: amplicons with bases other than ACGT: {bad}")
    fractions = weights / weights.sum()
    counts = allocate_pairs(fractions, n_pairs)

    rng = np.random.default_rng([seed, zlib.crc32(sample.encode("utf-8"))])
    which = rng.permutation(np.repeat(np.arange(len(names)), counts))
    fwd = fwd_primer if include_primers else None
    rev = rev_primer if include_primers else None
    seqs = [amplicons[n].upper() for n in names]
    fwd_t, fwd_lens = _template_matrix(seqs, read_len)
    rev_t, rev_lens = _template_matrix([reverse_complement(s) for s in seqs], read_len)
    c1, q1, l1 = _mate_reads(rng, fwd_t, fwd_lens, which, fwd, read_len, 1, error_model)
    c2, q2, l2 = _mate_reads(rng, rev_t, rev_lens, which, rev, read_len, 2, error_model)
    write_fastq_gz(_records(sample, 1, c1, q1, l1), r1_path)
    write_fastq_gz(_records(sample, 2, c2, q2, l2), r2_path)
    return pd.DataFrame({
        "sample": sample,
        "name": names,
        "asv_id": [asv_id(s) for s in seqs],
        "expected_fraction": fractions,
        "n_pairs": counts,
        "sequence": seqs,
    })
