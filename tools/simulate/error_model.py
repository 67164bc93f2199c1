"""The Illumina-like error and quality model of the simulated reads.

Base calls get a quality from a position-dependent error profile (rising toward the 3' end,
higher for R2, with occasional low-quality tails) and are substituted with exactly the
probability that their Phred score states.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_ERROR_PROB = 10.0 ** (-np.arange(94) / 10.0)  # Phred score -> probability of a wrong call


@dataclass(frozen=True)
class ErrorModel:
    """Illumina-like (MiSeq 2x250) error and quality model.

    The nominal error probability at read position ``i`` of ``L`` rises from ``*_start`` to
    ``*_end`` as ``start + (end - start) * (i / (L - 1)) ** shape``. Qualities scatter around the
    Phred value of that probability (per-read offset and per-base noise, both normal, rounded,
    clipped to ``q_min..q_max``); a fraction of reads gets a low-quality tail (Phred
    ``tail_q``) from a random point in the last quarter. Each base is then substituted by one
    of the three other bases with the probability its own quality states, so qualities and
    errors agree. Independent insertions or deletions hit each base with ``indel_rate``.
    """

    r1_start: float = 0.001
    r1_end: float = 0.01
    r2_start: float = 0.002
    r2_end: float = 0.02
    shape: float = 2.0
    read_q_sd: float = 1.0
    base_q_sd: float = 2.0
    tail_frac_r1: float = 0.03
    tail_frac_r2: float = 0.08
    tail_start: tuple[float, float] = (0.75, 0.95)
    tail_q: tuple[int, int] = (2, 12)
    indel_rate: float = 0.0001
    q_min: int = 2
    q_max: int = 40

    def error_profile(self, read_len: int, mate: int) -> np.ndarray:
        """Nominal substitution probability per position (length ``read_len``) of mate 1 or 2."""
        start, end = (self.r1_start, self.r1_end) if mate == 1 else (self.r2_start, self.r2_end)
        x = np.linspace(0.0, 1.0, read_len) if read_len > 1 else np.zeros(read_len)
        return start + (end - start) * x**self.shape

    def tail_fraction(self, mate: int) -> float:
        """Fraction of reads of mate 1 or 2 that get a low-quality tail."""
        return self.tail_frac_r1 if mate == 1 else self.tail_frac_r2

DEFAULT_ERROR_MODEL = ErrorModel()


def phred_to_prob(q: np.ndarray | int) -> np.ndarray | float:
    """Probability of a wrong base call for Phred score(s) ``q`` (10 ** (-q / 10))."""
    return 10.0 ** (-np.asarray(q, dtype=float) / 10.0)


def simulate_qualities(
    rng: np.random.Generator, n_reads: int, read_len: int, mate: int, model: ErrorModel
) -> np.ndarray:
    """Phred scores (uint8, ``n_reads`` x ``read_len``) drawn from ``model`` for mate 1 or 2."""
    q_mean = -10.0 * np.log10(model.error_profile(read_len, mate))
    q = (
        q_mean[None, :]
        + rng.normal(0.0, model.read_q_sd, size=(n_reads, 1))
        + rng.normal(0.0, model.base_q_sd, size=(n_reads, read_len))
    )
    tails = np.flatnonzero(rng.random(n_reads) < model.tail_fraction(mate))
    if tails.size:
        lo, hi = model.tail_start
        starts = np.floor(rng.uniform(lo, hi, size=tails.size) * read_len).astype(np.int64)
        low = rng.integers(model.tail_q[0], model.tail_q[1] + 1, size=(tails.size, read_len))
        in_tail = np.arange(read_len)[None, :] >= starts[:, None]
        q[tails] = np.where(in_tail, low, q[tails])
    return np.clip(np.rint(q), model.q_min, model.q_max).astype(np.uint8)


def apply_substitutions(
    rng: np.random.Generator, codes: np.ndarray, quals: np.ndarray
) -> np.ndarray:
    """Copy of base ``codes`` (0-3 = ACGT) with each base replaced by a different base with the
    probability its Phred score in ``quals`` states."""
    wrong = rng.random(codes.shape) < _ERROR_PROB[quals]
    out = codes.copy()
    out[wrong] = (out[wrong] + rng.integers(1, 4, size=int(wrong.sum()))) % 4
    return out
