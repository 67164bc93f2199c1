"""The demo gut cohort (``make_demo``): the DADA2 package's real example reads plus simulated gut
samples described in resources/demo_cohort.yaml."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from gutbrain.errors import InputError
from gutbrain.io import atomic_path, write_text, write_tsv
from gutbrain.primers import primer_pair
from gutbrain.yaml_checks import read_yaml_mapping

from tools.simulate.dataset_files import (
    GENERATOR_VERSION,
    REPO_ROOT,
    fastq_paths,
    finish_truth,
    stamp_ok,
    write_stamp,
)
from tools.simulate.error_model import DEFAULT_ERROR_MODEL
from tools.simulate.reads import simulate_pairs
from tools.simulate.references import TEN_16S, Reference, amplicons_of, read_references

DEFAULT_DEMO_DESIGN = REPO_ROOT / "resources" / "demo_cohort.yaml"


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
    data = read_yaml_mapping(path, "demo design")

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
    if not force and stamp_ok(out, params):
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
        fq1, fq2 = fastq_paths(s.sample)
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
        fq1, fq2 = fastq_paths(s.sample)
        frames.append(simulate_pairs(amplicons, abundances, n_pairs, out / fq1, out / fq2,
                                     s.sample, read_len=d.read_len, fwd_primer=fwd,
                                     rev_primer=rev, include_primers=d.include_primers,
                                     seed=seed))
        rows.append({"sample": s.sample, "fq1": fq1, "fq2": fq2, "group": s.group,
                     "source": "simulated"})
        files += [fq1, fq2]
    write_tsv(pd.DataFrame(rows), out / "samples.tsv")
    write_tsv(finish_truth(frames, genus, taxonomy), out / "truth.tsv")
    write_text(_demo_readme(d, seed, n_pairs), out / "README.txt")
    write_stamp(out, params, [*files, "samples.tsv", "truth.tsv", "README.txt"])
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
