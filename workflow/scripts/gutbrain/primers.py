"""16S primer presets and IUPAC-aware primer matching (amplicon extraction from 16S genes).

The primer pairs live here and nowhere else; the pipeline's primer trimming and the read
simulator both take them from ``PRIMER_PRESETS``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PRIMER_PRESETS: dict[str, tuple[str, str] | None] = {
    # V4, 515F-Y / 806RB (Earth Microbiome Project primers):
    # 515F-Y  Parada, Needham & Fuhrman 2016, Environ Microbiol 18:1403, doi 10.1111/1462-2920.13023
    # 806RB   Apprill, McNally, Parsons & Weber 2015, Aquat Microb Ecol 75:129, doi 10.3354/ame01753
    "V4": ("GTGYCAGCMGCCGCGGTAA", "GGACTACNVGGGTWTCTAAT"),
    # V3-V4, S-D-Bact-0341-b-S-17 / S-D-Bact-0785-a-A-21 (Herlemann et al. 2011, ISME J),
    # the pair recommended by Klindworth et al. 2013, Nucleic Acids Res 41:e1,
    # doi 10.1093/nar/gks808
    "V3V4": ("CCTACGGGNGGCWGCAG", "GACTACHVGGGTATCTAATCC"),
    # reads whose primers were already removed (e.g. the DADA2 package's example reads)
    "none": None,
}

_BIT = {"A": 1, "C": 2, "G": 4, "T": 8}
#: The IUPAC nucleotide codes (Cornish-Bowden 1985, Nucleic Acids Res 13:3021) and the bases
#: each stands for. Written out here rather than taken from Biopython, so that Snakemake can
#: parse the workflow (which reads the primer presets) with pandas as its only extra package.
IUPAC_BASES: dict[str, str] = {
    "A": "A", "C": "C", "G": "G", "T": "T", "M": "AC", "R": "AG", "W": "AT", "S": "CG",
    "Y": "CT", "K": "GT", "V": "ACG", "H": "ACT", "D": "AGT", "B": "CGT", "X": "GATC",
    "N": "GATC",
}
#: IUPAC code -> 4-bit mask of the bases it stands for (A=1, C=2, G=4, T=8); U reads as T.
IUPAC_MASK: dict[str, int] = {
    code: sum(_BIT[b] for b in bases) for code, bases in IUPAC_BASES.items()
}
IUPAC_MASK["U"] = IUPAC_MASK["T"]
_COMPLEMENT = str.maketrans("ACGTUMRWSYKVHDBXNacgtumrwsykvhdbxn",
                            "TGCAAKYWSRMBDHVXNtgcaakywsrmbdhvxn")

_LUT = np.zeros(256, dtype=np.uint8)
for _code, _mask in IUPAC_MASK.items():
    _LUT[ord(_code)] = _mask
    _LUT[ord(_code.lower())] = _mask


@dataclass(frozen=True)
class PrimerHit:
    """Where a primer matched: 0-based ``start``/``end`` (end exclusive) and mismatch count."""

    start: int
    end: int
    mismatches: int


def reverse_complement(seq: str) -> str:
    """Reverse complement of a DNA sequence, IUPAC codes included (U complements to A)."""
    return seq.translate(_COMPLEMENT)[::-1]


def iupac_mask(seq: str) -> np.ndarray:
    """Encode ``seq`` as 4-bit IUPAC masks (uint8); characters outside IUPAC become 0."""
    return _LUT[np.frombuffer(seq.encode("ascii"), dtype=np.uint8)]


def mismatch_profile(seq: str, primer: str) -> np.ndarray:
    """Number of mismatches of ``primer`` at every start position of ``seq``.

    Two positions match when their IUPAC base sets overlap (so ``Y`` matches ``C`` and ``T``,
    and ``N`` matches anything). Returns an int array of length ``len(seq) - len(primer) + 1``
    (empty when the primer is longer than the sequence).
    """
    n, k = len(seq), len(primer)
    if k == 0:
        raise ValueError("primer must not be empty")
    if n < k:
        return np.zeros(0, dtype=np.int64)
    s = iupac_mask(seq)
    p = iupac_mask(primer)
    windows = np.lib.stride_tricks.sliding_window_view(s, k)
    return ((windows & p) == 0).sum(axis=1)


def find_primer(
    seq: str, primer: str, max_mismatch_frac: float = 0.1, start: int = 0
) -> PrimerHit | None:
    """Best match of ``primer`` in ``seq`` at or after ``start``, or None.

    At most ``floor(max_mismatch_frac * len(primer))`` mismatches are allowed; among equally
    good hits the leftmost wins.
    """
    profile = mismatch_profile(seq[start:], primer)
    if profile.size == 0:
        return None
    best = int(np.argmin(profile))
    mismatches = int(profile[best])
    if mismatches > int(max_mismatch_frac * len(primer)):
        return None
    return PrimerHit(start + best, start + best + len(primer), mismatches)


def extract_amplicon(
    seq16s: str, fwd_primer: str, rev_primer: str, max_mismatch_frac: float = 0.1
) -> str | None:
    """The region of a 16S gene between two PCR primers, primers excluded, or None.

    ``fwd_primer`` is matched on the given strand and the reverse complement of ``rev_primer``
    downstream of it (both 5'->3' as ordered). Returns None when either primer has no match
    within ``max_mismatch_frac`` mismatches (e.g. a partial 16S sequence). The amplicon is
    returned in upper case.
    """
    seq = seq16s.upper()
    fwd = find_primer(seq, fwd_primer.upper(), max_mismatch_frac)
    if fwd is None:
        return None
    rev = find_primer(seq, reverse_complement(rev_primer.upper()), max_mismatch_frac, fwd.end)
    if rev is None:
        return None
    return seq[fwd.end : rev.start]


def primer_pair(preset: str) -> tuple[str, str] | None:
    """The (forward, reverse) primers of a ``PRIMER_PRESETS`` name; KeyError if unknown."""
    if preset not in PRIMER_PRESETS:
        known = ", ".join(sorted(PRIMER_PRESETS))
        raise KeyError(f"unknown primer preset {preset!r}; known presets: {known}")
    return PRIMER_PRESETS[preset]
