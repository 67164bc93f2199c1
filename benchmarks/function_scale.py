"""Scale benchmark of the nearest-genome functional predictor.

Setup (not timed, cached in benchmarks/output/function_scale/): a synthetic 26,868-genome bundle
built from real data: the 1,002 archaeal PICRUSt2 16S sequences mutated at 1-10 % (substitutions)
give 26,868 genome 16S; genome IDs and 16S copy numbers are PICRUSt2's real bacterial
``16S.txt.gz`` (read in place); a KO table of ~10,000 real KO IDs with realistic sparsity
(parent profiles with a Beta-distributed KO prevalence, mean ~25 % present, children diverging
with their 16S) is written as ``ko.txt.gz``. 10,000 ASVs are 253-nt windows of random genomes
with 0-3 % extra mutations; 500 samples get sparse negative-binomial counts (~300 ASVs each).

Timed: load the bundle restricted to the KOs of interest (``--kos`` file: any text/YAML whose
K##### IDs are used, e.g. resources/module_catalog.yaml; default a fixed seeded list of 300 KOs
from the table), write the search database, vsearch search, parse, predict, ko_abundance,
ko_contributions, sample_confidence, and write the output tables.

Last line: ``function-scale: seconds=S peak_rss_mb=M`` (M = peak RSS of this process + the
largest child, i.e. vsearch; targets S <= 120, M <= 2048 on 2 cores).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import re
from pathlib import Path

import numpy as np
from _common import Stopwatch, output_dir, peak_rss_mb, require_shared, result_line

N_GENOMES = 26_868
N_KOS = 10_000
N_ASVS = 10_000
N_SAMPLES = 500
ASV_LEN = 253
SEED = 20240611
BASES = np.frombuffer(b"ACGT", dtype=np.uint8)


def _mutate(seq: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Substitute a fraction ``rate`` of positions with a different base."""
    out = seq.copy()
    n = rng.binomial(len(seq), rate)
    pos = rng.choice(len(seq), size=n, replace=False)
    for p in pos:
        choices = BASES[BASES != out[p]]
        out[p] = choices[rng.integers(len(choices))]
    return out


def build_dataset(shared: Path, out: Path) -> dict[str, Path]:
    """Create (or reuse) the synthetic bundle, ASV FASTA and ASV table under ``out``."""
    import dnaio
    import pandas as pd
    from gutbrain.bundle import iter_reference_fasta

    files = {
        "fasta": out / "16S.fna",
        "ko": out / "ko.txt.gz",
        "copies": shared / "picrust2" / "bacteria" / "16S.txt.gz",
        "asvs": out / "asvs.fasta",
        "table": out / "asv_table.tsv",
        "kos": out / "default_kos.txt",
    }
    if all(p.exists() for p in files.values()):
        return files
    rng = np.random.default_rng(SEED)
    parents = [np.frombuffer(s.encode(), dtype=np.uint8).copy() for _, s in
               iter_reference_fasta(shared / "picrust2" / "archaea" / "arc_ref" / "arc_ref.fna")]
    genomes = pd.read_csv(files["copies"], sep="\t", dtype={"assembly": str})["assembly"]
    assert len(genomes) == N_GENOMES
    parent_of = rng.integers(len(parents), size=N_GENOMES)
    rates = rng.uniform(0.01, 0.10, size=N_GENOMES)
    seqs: list[np.ndarray] = []
    with dnaio.open(files["fasta"], mode="w", fileformat="fasta") as writer:
        for gid, par, rate in zip(genomes, parent_of, rates, strict=True):
            seq = _mutate(parents[par], rate, rng)
            seqs.append(seq)
            writer.write(dnaio.SequenceRecord(gid, seq.tobytes().decode()))
    # KO table: real KO identifiers, parent profiles, children diverge with their 16S.
    ko_info = pd.read_csv(shared / "picrust2" / "description_mapfiles" / "ko_info.tsv.gz",
                          sep="\t", header=None, dtype=str)
    all_kos = sorted({k for k in ko_info.iloc[:, 0] if re.fullmatch(r"K\d{5}", str(k))})
    kos = sorted(rng.choice(all_kos, size=min(N_KOS, len(all_kos)), replace=False))
    prevalence = rng.beta(0.35, 1.0, size=len(kos))
    parent_profile = rng.random((len(parents), len(kos))) < prevalence
    tab = np.full((1, 2 * len(kos)), ord("\t"), dtype=np.uint8)
    tab[0, -1] = ord("\n")
    with gzip.open(files["ko"], "wb", compresslevel=1) as fh:
        fh.write(("assembly\t" + "\t".join(f"ko:{k}" for k in kos) + "\n").encode())
        for start in range(0, N_GENOMES, 1000):
            stop = min(start + 1000, N_GENOMES)
            present = parent_profile[parent_of[start:stop]].copy()
            flip = rng.random(present.shape) < (rates[start:stop, None] * 1.5)
            present ^= flip
            copies = 1 + (rng.random(present.shape) < 0.12) + (rng.random(present.shape) < 0.03)
            digits = (present * copies).astype(np.uint8) + ord("0")
            block = np.repeat(tab, stop - start, axis=0)
            block[:, 0::2] = digits
            for i, row in enumerate(block):
                fh.write(genomes.iloc[start + i].encode() + b"\t" + row.tobytes())
    files["kos"].write_text("\n".join(sorted(rng.choice(kos, size=300, replace=False))) + "\n")
    # ASVs: V4-length windows of random genomes, 0-3 % extra mutations.
    asv_ids: list[str] = []
    seen: set[str] = set()
    with dnaio.open(files["asvs"], mode="w", fileformat="fasta") as writer:
        while len(asv_ids) < N_ASVS:
            g = int(rng.integers(N_GENOMES))
            source = seqs[g]
            start = int(rng.integers(0, max(1, len(source) - ASV_LEN)))
            window = _mutate(source[start:start + ASV_LEN], rng.uniform(0, 0.03), rng)
            text = window.tobytes().decode()
            asv = "ASV_" + hashlib.sha1(text.encode()).hexdigest()[:12]
            if asv in seen:
                continue
            seen.add(asv)
            asv_ids.append(asv)
            writer.write(dnaio.SequenceRecord(asv, text))
    # Counts: each sample holds ~300 ASVs drawn by a Zipf-like popularity, NB counts.
    popularity = rng.pareto(1.2, size=N_ASVS) + 1e-3
    popularity /= popularity.sum()
    counts = np.zeros((N_ASVS, N_SAMPLES), dtype=np.int64)
    for s in range(N_SAMPLES):
        present = rng.choice(N_ASVS, size=int(rng.integers(150, 450)), replace=False, p=popularity)
        means = rng.lognormal(3.0, 1.5, size=len(present))
        counts[present, s] = rng.negative_binomial(2, 2 / (2 + means))
    table = pd.DataFrame(counts, columns=[f"S{s:03d}" for s in range(N_SAMPLES)])
    table.insert(0, "asv_id", asv_ids)
    table.to_csv(files["table"], sep="\t", index=False)
    return files


def read_kos(path: Path) -> list[str]:
    """KO identifiers (K#####) found anywhere in a text or YAML file, in first-seen order."""
    return list(dict.fromkeys(re.findall(r"K\d{5}", path.read_text(encoding="utf-8"))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kos", type=Path, default=None,
                        help="file whose K##### IDs are the KOs of interest (default: 300 fixed)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--min-identity", type=float, default=0.75)
    parser.add_argument("--max-distance", type=float, default=0.15)
    parser.add_argument("--min-share", type=float, default=0.0,
                        help="drop contribution rows below this share (default 0: all rows)")
    args = parser.parse_args()

    shared = require_shared("picrust2/archaea/arc_ref/arc_ref.fna",
                            "picrust2/bacteria/16S.txt.gz",
                            "picrust2/description_mapfiles/ko_info.tsv.gz",
                            name="function-scale")
    out = output_dir("function_scale")
    files = build_dataset(shared, out)
    kos = read_kos(args.kos or files["kos"])
    print(f"setup ready in {out} ({len(kos)} KOs of interest)", flush=True)

    import pandas as pd
    from gutbrain.bundle import load_bundle, write_search_db
    from gutbrain.io import write_tsv
    from gutbrain.predict import (
        ko_abundance,
        ko_contributions,
        parse_hits,
        predict_asvs,
        run_vsearch_search,
        sample_confidence,
        summarise_status,
    )

    watch = Stopwatch()
    with watch.lap("load bundle"):
        bundle = load_bundle(fasta=files["fasta"], ko=files["ko"], copies=files["copies"],
                             kos=kos, name="synthetic")
    with watch.lap("write search db"):
        write_search_db(bundle, out / "db.fasta")
    with watch.lap("vsearch"):
        run_vsearch_search(files["asvs"], out / "db.fasta", out / "hits.tsv", k=args.k,
                           min_identity=args.min_identity, threads=args.threads)
    with watch.lap("read asv table"):
        table = pd.read_csv(files["table"], sep="\t", dtype={"asv_id": str})
    with watch.lap("predict"):
        hits = parse_hits(out / "hits.tsv")
        preds, asv_ko = predict_asvs(hits, bundle, table["asv_id"], args.max_distance, k=args.k)
    with watch.lap("ko_abundance"):
        abundance = ko_abundance(table, preds, asv_ko)
    with watch.lap("ko_contributions"):
        genus = {a: f"G{i % 50}" for i, a in enumerate(table["asv_id"])}
        contrib = ko_contributions(table, preds, asv_ko, genus, kos, min_share=args.min_share)
    with watch.lap("sample_confidence"):
        confidence = sample_confidence(table, preds)
    with watch.lap("write outputs"):
        write_tsv(preds, out / "asv_predictions.tsv")
        write_tsv(asv_ko, out / "asv_ko_copies.tsv", index=True)
        write_tsv(abundance, out / "ko_abundance.tsv", index=True)
        write_tsv(contrib, out / "ko_contributions.tsv")
        write_tsv(confidence, out / "sample_confidence.tsv")
    rss = peak_rss_mb()
    print(watch.report())
    print(f"  bundle {bundle.ko.shape}, ASVs {summarise_status(preds)}, "
          f"contribution rows {len(contrib):,}, "
          f"median fraction predicted {confidence['fraction_reads_predicted'].median():.3f}")
    print(f"  peak RSS self {rss['self']:.0f} MiB, largest child {rss['children']:.0f} MiB")
    result_line("function-scale", seconds=round(watch.total, 1),
                peak_rss_mb=round(rss["total"]))


if __name__ == "__main__":
    main()
