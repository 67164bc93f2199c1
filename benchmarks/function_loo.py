"""Leave-one-genome-out accuracy of the nearest-genome predictor on the archaeal PICRUSt2 bundle.

For every genome of ``../shared/data/picrust2/archaea`` (1,002 genomes, all of them by
default; ``--n`` draws a seeded random subset), its full-length reference 16S is searched with
vsearch against all reference 16S, hits to the genome itself are dropped, and its KO vector is
predicted from the remaining genomes with :func:`gutbrain.predict.predict_asvs`. The prediction
is compared with the genome's true KO copies over all KO columns of the table:

- Spearman correlation per genome (NaN, and left out of the median, if either vector is
  constant);
- KO presence precision and recall, pooled over genomes (predicted copies >= 0.5 = present,
  true copies > 0 = present);
- by distance to the nearest other genome (1 - vsearch identity): <=0.03, 0.03-0.06,
  0.06-0.15, >0.15.

Baseline: the mean KO vector of all other genomes. Genomes with no hit at ``--min-identity``
are counted and left out of the figures. Last line:
``function-loo: median_spearman=X baseline_spearman=Y precision=P recall=R``.
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import Stopwatch, output_dir, require_shared, result_line

BINS = [(0.0, 0.03, "<=0.03"), (0.03, 0.06, "0.03-0.06"), (0.06, 0.15, "0.06-0.15"),
        (0.15, 1.01, ">0.15")]


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman correlation; NaN when either vector is constant (no warning)."""
    from scipy.stats import spearmanr

    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    return float(spearmanr(x, y).statistic)


def presence(truth: np.ndarray, pred: np.ndarray) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) of KO presence, pooled."""
    t = truth > 0
    p = pred >= 0.5
    return int((t & p).sum()), int((~t & p).sum()), int((t & ~p).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=0, help="random subset size (0 = all genomes)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--window", type=float, default=0.005,
                        help="keep hits within this identity of the best (negative = no limit)")
    parser.add_argument("--min-identity", type=float, default=0.70)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    shared = require_shared("picrust2/archaea/ko.txt.gz", "picrust2/archaea/16S.txt.gz",
                            "picrust2/archaea/arc_ref/arc_ref.fna", name="function-loo")
    arc = shared / "picrust2" / "archaea"
    out = output_dir("function_loo")

    import dnaio
    import pandas as pd
    from gutbrain.bundle import load_bundle, write_search_db
    from gutbrain.predict import parse_hits, predict_asvs, run_vsearch_search

    watch = Stopwatch()
    with watch.lap("load bundle"):
        bundle = load_bundle(fasta=arc / "arc_ref" / "arc_ref.fna", ko=arc / "ko.txt.gz",
                             copies=arc / "16S.txt.gz", metadata=arc / "archaea_metadata.csv.gz",
                             name="picrust2-archaea")
        db = out / "db.fasta"
        write_search_db(bundle, db)
    genomes = list(bundle.genomes)
    if args.n and args.n < len(genomes):
        rng = np.random.default_rng(args.seed)
        genomes = sorted(rng.choice(genomes, size=args.n, replace=False))
        print(f"random subset of {len(genomes)} genomes (seed {args.seed})")
    chosen = set(genomes)
    queries = out / "queries.fasta"
    per_genome = 0
    with dnaio.open(db) as reader, dnaio.open(queries, mode="w", fileformat="fasta") as writer:
        counts: dict[str, int] = {}
        for record in reader:
            genome = record.name.split("|", 1)[0]
            counts[genome] = counts.get(genome, 0) + 1
            if genome in chosen:
                writer.write(record)
        per_genome = max(counts.values())
    with watch.lap("vsearch"):
        run_vsearch_search(queries, db, out / "hits.tsv", k=args.k, min_identity=args.min_identity,
                           threads=args.threads, maxaccepts=args.k + per_genome)
    with watch.lap("predict"):
        hits = parse_hits(out / "hits.tsv")
        hits["query"] = hits["query"].str.split("|", n=1, regex=False).str[0]
        hits = hits[hits["query"] != hits["genome"]]
        window = None if args.window < 0 else args.window
        preds, asv_ko = predict_asvs(hits, bundle, genomes, max_distance=1.0, k=args.k,
                                     window=window)
    with watch.lap("compare"):
        ko = bundle.ko.to_numpy(np.float64)
        total = ko.sum(axis=0)
        n = len(bundle.genomes)
        rows = []
        for rec in preds.itertuples(index=False):
            if rec.status != "predicted":
                continue
            truth = ko[bundle.genomes.get_loc(rec.asv_id)]
            pred = asv_ko.loc[rec.asv_id].to_numpy(np.float64)
            base = (total - truth) / (n - 1)
            tp, fp, fn = presence(truth, pred)
            btp, bfp, bfn = presence(truth, base)
            rows.append({"genome": rec.asv_id, "distance": rec.distance,
                         "spearman": spearman(truth, pred), "baseline": spearman(truth, base),
                         "tp": tp, "fp": fp, "fn": fn, "btp": btp, "bfp": bfp, "bfn": bfn})
        res = pd.DataFrame(rows)
    res.to_csv(out / "per_genome.tsv", sep="\t", index=False)

    def summary(part: pd.DataFrame) -> dict[str, float]:
        return {
            "n": len(part),
            "median_spearman": float(part["spearman"].median()),
            "baseline_spearman": float(part["baseline"].median()),
            "precision": part["tp"].sum() / max(1, part["tp"].sum() + part["fp"].sum()),
            "recall": part["tp"].sum() / max(1, part["tp"].sum() + part["fn"].sum()),
            "baseline_precision": part["btp"].sum() / max(1, part["btp"].sum() + part["bfp"].sum()),
            "baseline_recall": part["btp"].sum() / max(1, part["btp"].sum() + part["bfn"].sum()),
        }

    no_hit = int((preds["status"] == "no_hit").sum())
    print(watch.report())
    print(f"genomes evaluated {len(res)} of {len(genomes)} (no hit at id >= "
          f"{args.min_identity}: {no_hit}); k={args.k}, window={window}; "
          f"undefined Spearman (constant prediction): {int(res['spearman'].isna().sum())}")
    print(f"{'distance':<10s} {'n':>5s} {'spearman':>9s} {'baseline':>9s} {'precision':>9s} "
          f"{'recall':>7s} {'base_P':>7s} {'base_R':>7s}")
    for lo, hi, label in BINS:
        low_ok = res["distance"] >= lo if lo == 0 else res["distance"] > lo
        part = res[low_ok & (res["distance"] <= hi)]
        if part.empty:
            print(f"{label:<10s} {0:>5d}")
            continue
        s = summary(part)
        print(f"{label:<10s} {s['n']:>5d} {s['median_spearman']:>9.3f} "
              f"{s['baseline_spearman']:>9.3f} {s['precision']:>9.3f} {s['recall']:>7.3f} "
              f"{s['baseline_precision']:>7.3f} {s['baseline_recall']:>7.3f}")
    s = summary(res)
    print(f"{'all':<10s} {s['n']:>5d} {s['median_spearman']:>9.3f} {s['baseline_spearman']:>9.3f} "
          f"{s['precision']:>9.3f} {s['recall']:>7.3f} {s['baseline_precision']:>7.3f} "
          f"{s['baseline_recall']:>7.3f}")
    if not s["median_spearman"] > s["baseline_spearman"]:
        print("WARNING: nearest-genome prediction does not beat the mean-genome baseline")
    result_line("function-loo", median_spearman=s["median_spearman"],
                baseline_spearman=s["baseline_spearman"], precision=s["precision"],
                recall=s["recall"])


if __name__ == "__main__":
    main()
