"""Scaling datasets for benchmarks (``make_scale``): many samples drawn from a pool of amplicons."""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd
from gutbrain.io import write_text, write_tsv
from gutbrain.primers import PRIMER_PRESETS, extract_amplicon

from tools.simulate.dataset_files import (
    GENERATOR_VERSION,
    fastq_paths,
    finish_truth,
    stamp_ok,
    write_stamp,
)
from tools.simulate.error_model import DEFAULT_ERROR_MODEL
from tools.simulate.reads import is_acgt, simulate_pairs
from tools.simulate.references import TEN_16S, dada2_extdata_dir, read_references


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
    if not force and stamp_ok(out, params):
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
        fq1, fq2 = fastq_paths(sample)
        frames.append(simulate_pairs(pool, abundances, n_pairs, out / fq1, out / fq2, sample,
                                     read_len=read_len, fwd_primer=fwd, rev_primer=rev,
                                     seed=seed))
        rows.append({"sample": sample, "fq1": fq1, "fq2": fq2, "group": "scale",
                     "source": "simulated"})
        files += [fq1, fq2]
    write_tsv(pd.DataFrame(rows), out / "samples.tsv")
    write_tsv(finish_truth(frames, genus, taxonomy), out / "truth.tsv")
    write_text(
        f"Scaling dataset (all simulated): {n_samples} samples x {n_pairs} read pairs, 2x"
        f"{read_len}, V4 amplicons with primers from {ref_path.name}, pool of {len(names)} "
        f"amplicons, seed {seed}. Compositions in truth.tsv. Made by: python -m "
        "tools.simulate scale (see docs/simulation.md).\n", out / "README.txt")
    write_stamp(out, params, [*files, "samples.tsv", "truth.tsv", "README.txt"])
    return out / "samples.tsv"
