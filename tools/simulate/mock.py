"""The mock-community dataset: known amplicons in geometric fractions (``make_mock``)."""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd
from gutbrain.asv import asv_id
from gutbrain.errors import InputError
from gutbrain.io import write_text, write_tsv
from gutbrain.primers import PRIMER_PRESETS

from tools.simulate.dataset_files import (
    GENERATOR_VERSION,
    REPO_ROOT,
    fastq_paths,
    finish_truth,
    stamp_ok,
    write_fasta,
    write_stamp,
)
from tools.simulate.error_model import DEFAULT_ERROR_MODEL
from tools.simulate.reads import simulate_pairs
from tools.simulate.references import TEN_16S, amplicons_of, dada2_extdata_dir, read_references

DEFAULT_ZYMO_FASTA = REPO_ROOT.parent / "shared" / "data" / "zymo_mock_truth" / "Zymo_ASVs.fa"

#: Genera of the fallback mock community drawn from the DADA2 package's ten_16s reference.
DADA2_MOCK_GENERA = (
    "Bacteroides", "Escherichia", "Faecalibacterium", "Bifidobacterium",
    "Akkermansia", "Roseburia", "Alistipes", "Eggerthella",
)


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
    if not force and stamp_ok(out, params):
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
        fq1, fq2 = fastq_paths(sample)
        frames.append(simulate_pairs(named, abundances, n_pairs, out / fq1, out / fq2, sample,
                                     read_len=read_len, fwd_primer=fwd, rev_primer=rev,
                                     seed=seed))
        rows.append({"sample": sample, "fq1": fq1, "fq2": fq2, "group": "mock",
                     "source": "simulated"})
        files += [fq1, fq2]
    truth = finish_truth(frames, genus, taxonomy)
    write_tsv(pd.DataFrame(rows), out / "samples.tsv")
    write_tsv(truth, out / "truth.tsv")
    write_fasta({asv_id(named[n]): named[n] for n in names}, out / "expected_asvs.fasta")
    write_text(_mock_readme(source, len(names), n_samples, n_pairs, read_len, seed),
               out / "README.txt")
    write_stamp(out, params, [*files, "samples.tsv", "truth.tsv", "expected_asvs.fasta",
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
