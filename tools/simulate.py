"""Simulated paired-end 16S amplicon reads with known truth.

Real 16S genes are cut to the amplicon between two PCR primers (``gutbrain.primers``), drawn
in known proportions, and turned into Illumina-like read pairs: R1 is forward primer + amplicon,
R2 is reverse primer + reverse complement of the amplicon, both truncated to the read length.
Base calls get a quality from a position-dependent error profile (rising toward the 3' end,
higher for R2, with occasional low-quality tails) and are substituted with exactly the
probability that their Phred score states; rare indels are added on top. Everything is drawn
from a seeded ``numpy.random.Generator``, so the same arguments give identical bytes.

Three datasets are built on this (see docs/simulation.md): a mock community with exact
expected amplicons (``make_mock``), the demo gut cohort (``make_demo``: the DADA2 package's
real example reads plus simulated gut samples described in resources/demo_cohort.yaml) and
scaling datasets for cluster benchmarks (``make_scale``). Run as
``python -m tools.simulate {demo,mock,scale} --out DIR`` from the repository root with
workflow/scripts on PYTHONPATH (a development tool: the pipeline never imports it).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import dnaio
import numpy as np
import pandas as pd
import yaml
from Bio.Data.IUPACData import ambiguous_dna_values
from gutbrain.asv import asv_id
from gutbrain.errors import InputError
from gutbrain.io import atomic_path, write_text, write_tsv
from gutbrain.primers import PRIMER_PRESETS, extract_amplicon, primer_pair, reverse_complement

#: Bump when the simulation algorithm changes, so existing stamps no longer count as complete.
GENERATOR_VERSION = 1
#: Written last into a dataset folder; lists the parameters and the files it made.
STAMP_NAME = ".simulation_complete.json"
#: Folder of the repository (…/tools/simulate.py -> parents[1]).
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DEMO_DESIGN = REPO_ROOT / "resources" / "demo_cohort.yaml"
DEFAULT_ZYMO_FASTA = REPO_ROOT.parent / "shared" / "data" / "zymo_mock_truth" / "Zymo_ASVs.fa"
TEN_16S = "ten_16s.100.fa.gz"

#: Genera of the fallback mock community drawn from the DADA2 package's ten_16s reference.
DADA2_MOCK_GENERA = (
    "Bacteroides", "Escherichia", "Faecalibacterium", "Bifidobacterium",
    "Akkermansia", "Roseburia", "Alistipes", "Eggerthella",
)

TRUTH_COLUMNS = [
    "sample", "name", "genus", "asv_id", "expected_fraction", "n_pairs", "taxonomy", "sequence",
]

_BASES = b"ACGT"
_DECODE = np.frombuffer(_BASES, dtype=np.uint8)
_ENCODE = np.full(256, 255, dtype=np.uint8)
for _i, _b in enumerate(_BASES):
    _ENCODE[_b] = _i
_PHRED_OFFSET = 33
_ERROR_PROB = 10.0 ** (-np.arange(94) / 10.0)  # Phred score -> probability of a wrong call


__all__ = [
    "DEFAULT_ERROR_MODEL", "ErrorModel", "Reference", "allocate_pairs", "amplicons_of",
    "asv_id", "extract_amplicon", "load_demo_design", "make_demo", "make_mock", "make_scale",
    "phred_to_prob", "read_references", "reverse_complement", "simulate_pairs",
]


# --------------------------------------------------------------------------- error model


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


# --------------------------------------------------------------------------- sequences


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


# --------------------------------------------------------------------------- references


@dataclass(frozen=True)
class Reference:
    """One reference 16S gene: identifier, genus, taxonomy string (SINTAX style) and sequence."""

    id: str
    genus: str
    taxonomy: str
    sequence: str


def parse_header(header: str) -> tuple[str, str, str]:
    """(id, genus, taxonomy) from a SINTAX header ``id;tax=d:X,...,g:Genus;`` or a
    ``Genus;size=N;`` header (as in the Zymo mock truth); taxonomy uses SINTAX notation."""
    name = header.split()[0] if header.strip() else header
    if ";tax=" in name:
        ident, _, tax = name.partition(";tax=")
        tax = tax.rstrip(";")
        ranks = dict(part.split(":", 1) for part in tax.split(",") if ":" in part)
        return ident, ranks.get("g", ""), tax
    genus = name.split(";")[0]
    return name.rstrip(";"), genus, f"g:{genus}"


def read_references(path: str | os.PathLike[str]) -> list[Reference]:
    """Reference 16S genes from a (gzipped) FASTA read with dnaio; InputError if unreadable."""
    try:
        with dnaio.open(path, fileformat="fasta") as reader:
            refs = []
            for rec in reader:
                ident, genus, tax = parse_header(rec.name)
                refs.append(Reference(ident, genus, tax, rec.sequence.upper()))
    except (OSError, dnaio.exceptions.FormatError) as exc:
        raise InputError(f"cannot read reference FASTA {path}: {exc}") from exc
    if not refs:
        raise InputError(f"reference FASTA {path} holds no sequences")
    return refs


def amplicons_of(
    refs: Sequence[Reference], fwd_primer: str, rev_primer: str,
    max_mismatch_frac: float = 0.1,
) -> list[tuple[Reference, str]]:
    """(reference, amplicon) for every reference whose amplicon can be cut and is pure ACGT."""
    out = []
    for ref in refs:
        amp = extract_amplicon(ref.sequence, fwd_primer, rev_primer, max_mismatch_frac)
        if amp is not None and is_acgt(amp):
            out.append((ref, amp))
    return out


def dada2_extdata_dir() -> Path:
    """The DADA2 R package's extdata folder (asks Rscript): the one place outside the workflow's
    own rule that looks it up (tests and benchmarks use it too). InputError when unavailable."""
    if shutil.which("Rscript") is None:
        raise InputError("Rscript not found: install R and the dada2 package "
                         "(Debian: r-bioc-dada2; make setup) or pass --dada2-extdata DIR")
    out = subprocess.run(
        ["Rscript", "-e", 'cat(system.file("extdata", package = "dada2"))'],
        capture_output=True, text=True, check=False,
    ).stdout.strip()
    if not out:
        raise InputError("R package dada2 is not installed: install it (Debian: r-bioc-dada2) "
                         "or pass --dada2-extdata DIR")
    return Path(out)


# --------------------------------------------------------------------------- datasets


def _stamp_ok(out_dir: Path, params: Mapping[str, object]) -> bool:
    """True when ``out_dir`` has a stamp with the same parameters and all its files intact."""
    stamp = out_dir / STAMP_NAME
    if not stamp.is_file():
        return False
    try:
        data = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    if data.get("params") != json.loads(json.dumps(params)):
        return False
    files = data.get("files", {})
    return all((out_dir / rel).is_file() and (out_dir / rel).stat().st_size == size
               for rel, size in files.items())


def _write_stamp(out_dir: Path, params: Mapping[str, object], files: Sequence[str]) -> None:
    """Record parameters and the sizes of the files made (relative paths), written last."""
    sizes = {rel: (out_dir / rel).stat().st_size for rel in sorted(files)}
    text = json.dumps({"params": params, "files": sizes}, indent=1, sort_keys=True) + "\n"
    write_text(text, out_dir / STAMP_NAME)


def _fastq_paths(sample: str) -> tuple[str, str]:
    """Relative paths of a sample's R1/R2 files inside a dataset folder."""
    return f"reads/{sample}_R1.fastq.gz", f"reads/{sample}_R2.fastq.gz"


def _write_fasta(seqs: Mapping[str, str], path: Path) -> None:
    """Write ``{name: sequence}`` as FASTA with dnaio, atomically."""
    with atomic_path(path) as tmp, dnaio.open(tmp, mode="w", fileformat="fasta") as writer:
        for name, seq in seqs.items():
            writer.write(dnaio.SequenceRecord(name, seq))


def _finish_truth(frames: Sequence[pd.DataFrame], genus: Mapping[str, str],
                  taxonomy: Mapping[str, str]) -> pd.DataFrame:
    """Concatenate per-sample truth rows and add genus and taxonomy by amplicon name."""
    truth = pd.concat(frames, ignore_index=True)
    truth["genus"] = truth["name"].map(genus)
    truth["taxonomy"] = truth["name"].map(taxonomy)
    return truth[TRUTH_COLUMNS]


def mock_fractions(n_taxa: int, max_to_min: float = 30.0) -> np.ndarray:
    """Geometric, unequal fractions (sum 1) whose largest is ``max_to_min`` times the smallest."""
    if n_taxa == 1:
        return np.ones(1)
    w = max_to_min ** (-np.arange(n_taxa) / (n_taxa - 1))
    return w / w.sum()


def _mock_amplicons(source: str, zymo_fasta: Path | None, dada2_extdata: Path | None,
                    fwd: str, rev: str) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Unique mock amplicons as ({name: amplicon}, {name: genus}, {name: taxonomy})."""
    if source == "zymo":
        path = Path(zymo_fasta) if zymo_fasta else DEFAULT_ZYMO_FASTA
        if not path.is_file():
            raise InputError(
                f"Zymo mock truth FASTA not found at {path}: pass its path (--zymo-fasta), "
                "or use the mock built from the DADA2 package (--source dada2)")
        pairs = amplicons_of(read_references(path), fwd, rev)
        genera_of: dict[str, list[str]] = {}
        for ref, amp in pairs:
            genera_of.setdefault(amp, [])
            if ref.genus not in genera_of[amp]:
                genera_of[amp].append(ref.genus)
        named: dict[str, str] = {}
        genus: dict[str, str] = {}
        for amp, genera in genera_of.items():
            base = "+".join(sorted(genera))
            k = sum(1 for g in genus.values() if g == base) + 1
            name = f"{base}_{k}"
            named[name], genus[name] = amp, base
        return named, genus, {n: f"g:{g}" for n, g in genus.items()}
    if source == "dada2":
        extdata = Path(dada2_extdata) if dada2_extdata else dada2_extdata_dir()
        pairs = amplicons_of(read_references(extdata / TEN_16S), fwd, rev)
        named, genus, taxonomy = {}, {}, {}
        for want in DADA2_MOCK_GENERA:
            for ref, amp in pairs:
                if ref.genus == want and amp not in named.values():
                    name = f"{want}_1"
                    named[name], genus[name], taxonomy[name] = amp, want, ref.taxonomy
                    break
        return named, genus, taxonomy
    raise InputError(f"unknown mock source {source!r}: use 'zymo' or 'dada2'")


def make_mock(
    out_dir: str | os.PathLike[str],
    source: str = "zymo",
    *,
    zymo_fasta: str | os.PathLike[str] | None = None,
    dada2_extdata: str | os.PathLike[str] | None = None,
    n_samples: int = 3,
    n_pairs: int = 4000,
    read_len: int = 250,
    seed: int = 1,
    force: bool = False,
) -> Path:
    """Write a mock-community dataset and return its ``samples.tsv``.

    ``source='zymo'`` cuts V4 amplicons from the ZymoBIOMICS mock's exact full-length 16S
    (shared data ``zymo_mock_truth/Zymo_ASVs.fa``); ``'dada2'`` uses one sequence per genus of
    ``DADA2_MOCK_GENERA`` from the DADA2 package's ten_16s reference. Unique amplicons are the
    truth; each sample holds all of them in geometric fractions (largest 30x the smallest,
    order rotated between samples). Writes ``reads/``, ``samples.tsv``, ``truth.tsv``,
    ``expected_asvs.fasta`` (``>asv_id``), ``README.txt`` and a completion stamp; does
    nothing when the stamp says the same dataset is already complete (unless ``force``).
    """
    out = Path(out_dir)
    fwd, rev = PRIMER_PRESETS["V4"]
    params = {"kind": "mock", "version": GENERATOR_VERSION, "source": source,
              "zymo_fasta": str(zymo_fasta) if zymo_fasta else None,
              "n_samples": n_samples, "n_pairs": n_pairs, "read_len": read_len, "seed": seed,
              "error_model": asdict(DEFAULT_ERROR_MODEL)}
    if not force and _stamp_ok(out, params):
        return out / "samples.tsv"
    named, genus, taxonomy = _mock_amplicons(
        source, Path(zymo_fasta) if zymo_fasta else None,
        Path(dada2_extdata) if dada2_extdata else None, fwd, rev)
    names = list(named)
    fractions = mock_fractions(len(names))
    frames, rows, files = [], [], []
    width = len(str(n_samples))
    for k in range(n_samples):
        sample = f"mock{k + 1:0{width}d}"
        order = np.roll(np.arange(len(names)), 3 * k)
        abundances = {names[j]: float(fractions[i]) for i, j in enumerate(order)}
        fq1, fq2 = _fastq_paths(sample)
        frames.append(simulate_pairs(named, abundances, n_pairs, out / fq1, out / fq2, sample,
                                     read_len=read_len, fwd_primer=fwd, rev_primer=rev,
                                     seed=seed))
        rows.append({"sample": sample, "fq1": fq1, "fq2": fq2, "group": "mock",
                     "source": "simulated"})
        files += [fq1, fq2]
    truth = _finish_truth(frames, genus, taxonomy)
    write_tsv(pd.DataFrame(rows), out / "samples.tsv")
    write_tsv(truth, out / "truth.tsv")
    _write_fasta({asv_id(named[n]): named[n] for n in names}, out / "expected_asvs.fasta")
    write_text(_mock_readme(source, len(names), n_samples, n_pairs, read_len, seed),
               out / "README.txt")
    _write_stamp(out, params, [*files, "samples.tsv", "truth.tsv", "expected_asvs.fasta",
                               "README.txt"])
    return out / "samples.tsv"


def _mock_readme(source: str, n_taxa: int, n_samples: int, n_pairs: int, read_len: int,
                 seed: int) -> str:
    origin = ("exact full-length 16S sequences of the ZymoBIOMICS microbial community standard "
              "(Callahan et al. 2019, Nucleic Acids Res, doi 10.1093/nar/gkz569)"
              if source == "zymo" else
              "one 16S sequence per genus from the DADA2 R package's ten_16s.100.fa.gz")
    return (
        "Simulated mock community (all samples are simulated).\n\n"
        f"Amplicons: V4 (515F/806R) cut by primer match from {origin};\n"
        f"{n_taxa} unique amplicons form the truth (expected_asvs.fasta, truth.tsv).\n"
        f"Reads: {n_samples} samples x {n_pairs} pairs, 2x{read_len}, primers included, "
        f"Illumina-like substitution errors and qualities, rare indels, seed {seed}.\n"
        "Expected: every amplicon in expected_asvs.fasta recovered exactly; "
        "no other ASV above 0.1 % of a sample's reads.\n"
        "Made by: python -m tools.simulate mock (see docs/simulation.md).\n"
    )


# --------------------------------------------------------------------------- demo cohort


@dataclass(frozen=True)
class DemoSample:
    """One sample of the demo cohort design."""

    sample: str
    group: str
    description: str
    composition: dict[str, float]  # genus -> percent of read pairs (simulated samples)
    fq1: str = ""  # DADA2 extdata file names (real samples)
    fq2: str = ""


@dataclass(frozen=True)
class DemoDesign:
    """The demo cohort design read from resources/demo_cohort.yaml."""

    seed: int
    primers: str
    read_len: int
    pairs_per_sample: int
    include_primers: bool
    variant_weights: tuple[float, ...]
    real_samples: tuple[DemoSample, ...]
    simulated_samples: tuple[DemoSample, ...]


def load_demo_design(path: str | os.PathLike[str] = DEFAULT_DEMO_DESIGN) -> DemoDesign:
    """Read and check the demo cohort design YAML; InputError naming the file and key."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read demo design {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(f"demo design {path}: expected a mapping at the top level")

    def need(mapping: Mapping[str, object], key: str, where: str) -> object:
        if key not in mapping:
            raise InputError(f"demo design {path}: {where} lacks key '{key}'")
        return mapping[key]

    primers = str(need(data, "primers", "top level"))
    if primer_pair(primers) is None:
        raise InputError(f"demo design {path}: 'primers' must name a primer pair, not 'none'")
    real, simulated, seen = [], [], set()
    for i, entry in enumerate(need(data, "real_samples", "top level") or []):
        where = f"real_samples[{i}]"
        s = DemoSample(str(need(entry, "sample", where)), str(need(entry, "group", where)),
                       str(entry.get("description", "")), {},
                       str(need(entry, "fq1", where)), str(need(entry, "fq2", where)))
        real.append(s)
    for i, entry in enumerate(need(data, "simulated_samples", "top level") or []):
        where = f"simulated_samples[{i}]"
        comp = need(entry, "composition", where)
        if not isinstance(comp, dict) or not comp:
            raise InputError(f"demo design {path}: {where}.composition must map genus to percent")
        comp = {str(g): float(v) for g, v in comp.items()}
        total = sum(comp.values())
        if any(v <= 0 for v in comp.values()) or abs(total - 100.0) > 0.5:
            raise InputError(f"demo design {path}: {where}.composition must hold positive "
                             f"percentages summing to 100 (sum is {total:g})")
        simulated.append(DemoSample(str(need(entry, "sample", where)),
                                    str(need(entry, "group", where)),
                                    str(entry.get("description", "")), comp))
    for s in [*real, *simulated]:
        if s.sample in seen:
            raise InputError(f"demo design {path}: sample '{s.sample}' appears twice")
        seen.add(s.sample)
    weights = tuple(float(w) for w in data.get("variant_weights", [1.0]))
    if not weights or any(w <= 0 for w in weights):
        raise InputError(f"demo design {path}: 'variant_weights' must be positive numbers")
    return DemoDesign(int(data.get("seed", 1)), primers, int(data.get("read_len", 250)),
                      int(data.get("pairs_per_sample", 4000)),
                      bool(data.get("include_primers", True)), weights, tuple(real),
                      tuple(simulated))


def genus_variants(
    pairs: Sequence[tuple[Reference, str]], genera: Sequence[str], per_genus: int
) -> dict[str, list[tuple[Reference, str]]]:
    """Up to ``per_genus`` distinct amplicons per genus, in reference order, never reusing an
    amplicon already taken by an earlier genus; KeyError-free (missing genera map to [])."""
    taken: set[str] = set()
    out: dict[str, list[tuple[Reference, str]]] = {g: [] for g in genera}
    for g in genera:
        for ref, amp in pairs:
            if len(out[g]) == per_genus:
                break
            if ref.genus == g and amp not in taken:
                out[g].append((ref, amp))
                taken.add(amp)
    return out


def make_demo(
    out_dir: str | os.PathLike[str],
    dada2_extdata: str | os.PathLike[str],
    seed: int | None = None,
    *,
    design: str | os.PathLike[str] = DEFAULT_DEMO_DESIGN,
    pairs_per_sample: int | None = None,
    force: bool = False,
) -> Path:
    """Write the demo gut cohort and return its ``samples.tsv``.

    Real samples (DADA2 package reads, primers already removed) are copied byte for byte;
    simulated samples are drawn from ten_16s 16S genes per the design's genus compositions
    (percent of read pairs, split over up to ``len(variant_weights)`` amplicon variants per
    genus). ``seed`` and ``pairs_per_sample`` override the design. Writes ``reads/``,
    ``samples.tsv`` (``sample, fq1, fq2, group, source``), ``truth.tsv`` (simulated samples),
    ``README.txt`` and a completion stamp; skips work when the stamp matches (unless ``force``).
    """
    out, extdata = Path(out_dir), Path(dada2_extdata)
    d = load_demo_design(design)
    seed = d.seed if seed is None else seed
    n_pairs = d.pairs_per_sample if pairs_per_sample is None else pairs_per_sample
    params = {"kind": "demo", "version": GENERATOR_VERSION, "seed": seed, "n_pairs": n_pairs,
              "design": asdict(d), "dada2_extdata": str(extdata),
              "error_model": asdict(DEFAULT_ERROR_MODEL)}
    if not force and _stamp_ok(out, params):
        return out / "samples.tsv"
    fwd, rev = primer_pair(d.primers)
    ref_path = extdata / TEN_16S
    if not ref_path.is_file():
        raise InputError(f"{ref_path} not found: point dada2_extdata at the DADA2 package's "
                         "extdata folder")
    genera = sorted({g for s in d.simulated_samples for g in s.composition})
    variants = genus_variants(amplicons_of(read_references(ref_path), fwd, rev), genera,
                              len(d.variant_weights))
    missing = [g for g in genera if not variants[g]]
    if missing:
        raise InputError(f"demo design {design}: no usable {d.primers} amplicon in {ref_path} "
                         f"for genera {missing}; choose genera present in the reference")
    amplicons = {ref.id: amp for g in genera for ref, amp in variants[g]}
    genus = {ref.id: g for g in genera for ref, _ in variants[g]}
    taxonomy = {ref.id: ref.taxonomy for g in genera for ref, _ in variants[g]}

    rows, frames, files = [], [], []
    for s in d.real_samples:
        fq1, fq2 = _fastq_paths(s.sample)
        for src, rel in ((s.fq1, fq1), (s.fq2, fq2)):
            if not (extdata / src).is_file():
                raise InputError(f"demo design {design}: sample {s.sample} file {extdata / src} "
                                 "not found")
            with atomic_path(out / rel) as tmp:
                shutil.copyfile(extdata / src, tmp)
        rows.append({"sample": s.sample, "fq1": fq1, "fq2": fq2, "group": s.group,
                     "source": "dada2_package_real"})
        files += [fq1, fq2]
    for s in d.simulated_samples:
        abundances: dict[str, float] = {}
        for g, pct in s.composition.items():
            w = np.array(d.variant_weights[: len(variants[g])])
            for (ref, _), share in zip(variants[g], w / w.sum(), strict=True):
                abundances[ref.id] = pct / 100.0 * float(share)
        fq1, fq2 = _fastq_paths(s.sample)
        frames.append(simulate_pairs(amplicons, abundances, n_pairs, out / fq1, out / fq2,
                                     s.sample, read_len=d.read_len, fwd_primer=fwd,
                                     rev_primer=rev, include_primers=d.include_primers,
                                     seed=seed))
        rows.append({"sample": s.sample, "fq1": fq1, "fq2": fq2, "group": s.group,
                     "source": "simulated"})
        files += [fq1, fq2]
    write_tsv(pd.DataFrame(rows), out / "samples.tsv")
    write_tsv(_finish_truth(frames, genus, taxonomy), out / "truth.tsv")
    write_text(_demo_readme(d, seed, n_pairs), out / "README.txt")
    _write_stamp(out, params, [*files, "samples.tsv", "truth.tsv", "README.txt"])
    return out / "samples.tsv"


def _demo_readme(d: DemoDesign, seed: int, n_pairs: int) -> str:
    fwd, rev = primer_pair(d.primers)
    lines = [
        "gutbrain16s demo cohort",
        "",
        "Real samples (copied unchanged from the DADA2 R package's extdata folder: real MiSeq",
        "V4 2x250 reads, primers already removed):",
    ]
    lines += [f"  {s.sample}: {s.fq1}, {s.fq2} (group {s.group})" for s in d.real_samples]
    lines += [
        "",
        "Simulated samples (NOT real people): real 16S genes from the DADA2 package's",
        f"ten_16s.100.fa.gz, {d.primers} amplicons cut by primer match ({fwd} / {rev}),",
        f"{n_pairs} read pairs each, 2x{d.read_len}, primers "
        f"{'included' if d.include_primers else 'not included'}, Illumina-like substitution",
        f"errors with matching qualities, low-quality tails, rare indels; seed {seed}.",
        "Genus compositions (percent of read pairs) are in resources/demo_cohort.yaml; the exact",
        "amplicons and pair counts are in truth.tsv. Group labels are illustrative only: they",
        "describe the simulated composition, not anyone's health. Function inferred from 16S is",
        "a predicted potential, never a diagnosis.",
    ]
    lines += [f"  {s.sample} ({s.group}): {s.description}" for s in d.simulated_samples]
    lines += ["", "Made by: python -m tools.simulate demo (see docs/simulation.md).", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- scaling


def make_scale(
    out_dir: str | os.PathLike[str],
    n_samples: int,
    n_pairs: int,
    *,
    reference: str | os.PathLike[str] | None = None,
    pool_size: int = 60,
    taxa_per_sample: tuple[int, int] = (15, 40),
    read_len: int = 250,
    seed: int = 1,
    force: bool = False,
) -> Path:
    """Write a scaling dataset of ``n_samples`` x ``n_pairs`` simulated pairs; return samples.tsv.

    A pool of ``pool_size`` distinct V4 amplicons is drawn (seeded) from ``reference`` (a 16S
    FASTA; default the DADA2 package's ten_16s); each sample takes a random subset of
    ``taxa_per_sample`` of them with Dirichlet(0.5) weights, recorded exactly in truth.tsv.
    Writes ``reads/``, ``samples.tsv``, ``truth.tsv``, ``README.txt`` and a stamp.
    """
    out = Path(out_dir)
    ref_path = Path(reference) if reference else dada2_extdata_dir() / TEN_16S
    params = {"kind": "scale", "version": GENERATOR_VERSION, "n_samples": n_samples,
              "n_pairs": n_pairs, "reference": str(ref_path), "pool_size": pool_size,
              "taxa_per_sample": list(taxa_per_sample), "read_len": read_len, "seed": seed,
              "error_model": asdict(DEFAULT_ERROR_MODEL)}
    if not force and _stamp_ok(out, params):
        return out / "samples.tsv"
    fwd, rev = PRIMER_PRESETS["V4"]
    rng = np.random.default_rng(seed)
    refs = read_references(ref_path)
    pool: dict[str, str] = {}
    genus: dict[str, str] = {}
    taxonomy: dict[str, str] = {}
    for i in rng.permutation(len(refs)):
        ref = refs[int(i)]
        amp = extract_amplicon(ref.sequence, fwd, rev)
        if amp is None or not is_acgt(amp) or amp in pool.values():
            continue
        pool[ref.id], genus[ref.id], taxonomy[ref.id] = amp, ref.genus, ref.taxonomy
        if len(pool) == pool_size:
            break
    names = list(pool)
    lo, hi = min(taxa_per_sample[0], len(names)), min(taxa_per_sample[1], len(names))
    width = len(str(n_samples))
    rows, frames, files = [], [], []
    for k in range(n_samples):
        sample = f"S{k + 1:0{width}d}"
        n_taxa = int(rng.integers(lo, hi + 1))
        chosen = rng.choice(len(names), size=n_taxa, replace=False)
        weights = rng.dirichlet(np.full(n_taxa, 0.5))
        abundances = {names[int(j)]: float(w) for j, w in zip(chosen, weights, strict=True)}
        fq1, fq2 = _fastq_paths(sample)
        frames.append(simulate_pairs(pool, abundances, n_pairs, out / fq1, out / fq2, sample,
                                     read_len=read_len, fwd_primer=fwd, rev_primer=rev,
                                     seed=seed))
        rows.append({"sample": sample, "fq1": fq1, "fq2": fq2, "group": "scale",
                     "source": "simulated"})
        files += [fq1, fq2]
    write_tsv(pd.DataFrame(rows), out / "samples.tsv")
    write_tsv(_finish_truth(frames, genus, taxonomy), out / "truth.tsv")
    write_text(
        f"Scaling dataset (all simulated): {n_samples} samples x {n_pairs} read pairs, 2x"
        f"{read_len}, V4 amplicons with primers from {ref_path.name}, pool of {len(names)} "
        f"amplicons, seed {seed}. Compositions in truth.tsv. Made by: python -m "
        "tools.simulate scale (see docs/simulation.md).\n", out / "README.txt")
    _write_stamp(out, params, [*files, "samples.tsv", "truth.tsv", "README.txt"])
    return out / "samples.tsv"


# --------------------------------------------------------------------------- command line


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tools.simulate",
        description="Simulated 16S amplicon read datasets with known truth.")
    sub = p.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--out", required=True, type=Path, help="output folder")
    common.add_argument("--seed", type=int, default=None, help="random seed")
    common.add_argument("--force", action="store_true", help="rebuild even if complete")
    common.add_argument("--dada2-extdata", type=Path, default=None,
                        help="DADA2 package extdata folder (default: ask Rscript)")
    demo = sub.add_parser("demo", parents=[common], help="demo gut cohort")
    demo.add_argument("--design", type=Path, default=DEFAULT_DEMO_DESIGN)
    demo.add_argument("--pairs", type=int, default=None, help="pairs per simulated sample")
    mock = sub.add_parser("mock", parents=[common], help="mock community")
    mock.add_argument("--source", choices=["zymo", "dada2"], default="zymo")
    mock.add_argument("--zymo-fasta", type=Path, default=None,
                      help=f"Zymo_ASVs.fa (default {DEFAULT_ZYMO_FASTA})")
    mock.add_argument("--samples", type=int, default=3)
    mock.add_argument("--pairs", type=int, default=4000)
    scale = sub.add_parser("scale", parents=[common], help="scaling benchmark dataset")
    scale.add_argument("--samples", type=int, required=True)
    scale.add_argument("--pairs", type=int, required=True)
    scale.add_argument("--reference", type=Path, default=None,
                       help="16S FASTA to draw from (default: DADA2 ten_16s.100.fa.gz)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; prints the path of the dataset's samples.tsv."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            extdata = args.dada2_extdata or dada2_extdata_dir()
            sheet = make_demo(args.out, extdata, args.seed, design=args.design,
                              pairs_per_sample=args.pairs, force=args.force)
        elif args.command == "mock":
            extdata = args.dada2_extdata
            if args.source == "dada2" and extdata is None:
                extdata = dada2_extdata_dir()
            sheet = make_mock(args.out, args.source, zymo_fasta=args.zymo_fasta,
                              dada2_extdata=extdata, n_samples=args.samples,
                              n_pairs=args.pairs, seed=1 if args.seed is None else args.seed,
                              force=args.force)
        else:
            reference = args.reference
            if reference is None:
                reference = (args.dada2_extdata or dada2_extdata_dir()) / TEN_16S
            sheet = make_scale(args.out, args.samples, args.pairs, reference=reference,
                               seed=1 if args.seed is None else args.seed, force=args.force)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(sheet)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

