"""Group comparison against paired metagenomes: do group differences in predicted potential
agree with the differences the metagenomes of the same samples show?

For each contrast the same comparison is computed three ways on the same samples: from our
prediction (route carrier shares, and our EC table per cell), from PICRUSt2's prediction (route
copies and ECs per cell) and from the paired metagenome (HUMAnN2 ECs per cell, route copies per
cell: the truth). Features are the routes of ``benchmarks/modules_vs_metagenome.py`` (kept where
the truth varies) and every EC the three tables share. The effect of a feature is the
rank-biserial correlation of Mann-Whitney's test (2U / (n1 n2) - 1, test group over reference),
the scale-free effect of the rank test the pipeline runs without covariates, so that carrier
shares and copies per cell rank on one scale; truth significance is Mann-Whitney's p with
Benjamini-Hochberg q <= 0.1.

Because prediction and metagenome describe the same samples, their effects agree under any
split of the samples; every figure is therefore calibrated against label permutations (group
sizes kept): ``_null95`` is the 95th percentile of the figure over 100 shuffled labelings, for
which both the predicted and the truth effects are recomputed.

Contrasts: Cameroon, each site against YAE (``groups.tsv``, column ``site``); HMP, its two main
metagenome clusters (average linkage of the metagenomes' per-cell EC profiles on correlation;
the labels come from the truth, never from the prediction; see modules_vs_metagenome.py for the
cut). Any other folder with ``--dataset-dir DIR --groups FILE --column C --reference LEVEL``.
Prints per contrast, last:

``compare-mgs: dataset=D contrast=A_vs_B features=F truth_significant=T effect_rho=E
effect_rho_null95=N sign_agree=S sign_agree_null95=M precision=P recall=R
picrust2_effect_rho=E2 picrust2_sign_agree=S2``

and writes ``resources/compare_validation.tsv`` (with the default datasets), which the cohort
page quotes beside every comparison.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from _common import REPO, SHARED_DATA, result_line
from gutbrain.routes import CORE_AARS, ec_route_copies
from modules_vs_metagenome import (
    MAIN_CLUSTER_SHARE,
    Dataset,
    declared_routes,
    drop_reason,
    find_dataset,
    metagenome_clusters,
    read_predictions,
    run_pipeline,
    transfers,
)
from scipy.stats import rankdata, spearmanr

NAME = "compare-mgs"
VALIDATION = "picrust2_validation"
PERMUTATIONS = 100
SEED = 20261207
FDR = 0.1
#: Share of features with the largest truth effects whose sign is checked.
TOP_SHARE = 0.1
#: Precision and recall are printed only when the truth has at least this many hits.
MIN_TRUTH_HITS = 10
VALIDATION_TSV = REPO / "resources" / "compare_validation.tsv"
COLUMNS = ["dataset", "contrast", "samples_test", "samples_reference", "features",
           "truth_significant", "effect_rho", "effect_rho_null95", "sign_agree",
           "sign_agree_null95", "precision", "recall", "picrust2_effect_rho",
           "picrust2_sign_agree"]


# --------------------------------------------------------------------------- features


def per_cell(table: pd.DataFrame) -> pd.DataFrame:
    """An EC x sample table divided by the cells (median of the single-copy CORE_AARS)."""
    cells = table.loc[[e for e in CORE_AARS if e in table.index]].median(axis=0)
    return table.div(cells.replace(0, np.nan), axis=1)


def feature_tables(data: Dataset, samples: list[str] | None = None
                   ) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Feature x sample tables of ours, PICRUSt2's and the truth, on the shared samples and
    features (routes first, then ECs)."""
    workdir = run_pipeline(data, cores=2)
    tables = read_predictions(data, workdir, transfers())
    if tables["picrust2"] is None:
        raise SystemExit(f"{NAME}: {data.name} has no PICRUSt2 table to compare with")
    shared = [s for s in tables["mgs"].columns
              if s in tables["ours"].columns and s in tables["picrust2"].columns]
    if samples is not None:
        shared = [s for s in shared if s in set(samples)]
    routes = declared_routes()
    truth_routes = ec_route_copies(tables["mgs"][shared], routes)
    kept = [r for r in routes if drop_reason(r, truth_routes.loc[r.id], tables["mgs"]) is None]
    ids = [r.id for r in kept]
    measures = pd.read_csv(workdir / "results/function/route_measures.tsv", sep="\t",
                           dtype={"sample": str})
    ours_routes = measures.pivot(index="route", columns="sample", values="carrier_share")
    ecs = sorted(set(tables["mgs"].index) & set(tables["ours"].index)
                 & set(tables["picrust2"].index))
    ecs = [e for e in ecs if e.startswith("EC:")]
    sources = {
        "ours": pd.concat([ours_routes.reindex(index=ids, columns=shared),
                           per_cell(tables["ours"][shared]).reindex(ecs)]),
        "picrust2": pd.concat([ec_route_copies(tables["picrust2"][shared], kept),
                               per_cell(tables["picrust2"][shared]).reindex(ecs)]),
        "truth": pd.concat([truth_routes.loc[ids], per_cell(tables["mgs"][shared]).reindex(ecs)]),
    }
    return sources, shared


# --------------------------------------------------------------------------- statistics


def rank_biserial(ranks: np.ndarray, test: np.ndarray) -> np.ndarray:
    """Per feature (rows of within-feature ranks), 2U / (n1 n2) - 1 of the ``test`` columns
    over the others (NaN where a feature has a missing value)."""
    n1 = int(test.sum())
    n2 = ranks.shape[1] - n1
    u = ranks[:, test].sum(axis=1) - n1 * (n1 + 1) / 2
    return 2 * u / (n1 * n2) - 1


def ranks_of(table: pd.DataFrame) -> np.ndarray:
    """Within-feature ranks (ties averaged); features with a missing value become NaN rows."""
    values = table.to_numpy(dtype=float)
    out = rankdata(np.nan_to_num(values, nan=0.0), axis=1)
    out[np.isnan(values).any(axis=1)] = np.nan
    return out


def truth_hits(table: pd.DataFrame, test: np.ndarray) -> np.ndarray:
    """Features whose Mann-Whitney q (BH) is at most FDR."""
    from scipy.stats import mannwhitneyu
    from statsmodels.stats.multitest import multipletests

    values = table.to_numpy(dtype=float)
    varied = ~np.isnan(values).any(axis=1) & (np.nanstd(values, axis=1) > 0)
    p = np.ones(len(values))
    if varied.any():
        p[varied] = mannwhitneyu(values[varied][:, test], values[varied][:, ~test],
                                 axis=1).pvalue
    return multipletests(p, method="fdr_bh")[1] <= FDR


def figures(pred_ranks: np.ndarray, truth_ranks: np.ndarray, test: np.ndarray
            ) -> tuple[float, float]:
    """(effect rho, sign agreement on the top tenth of truth effects) for one labeling."""
    pred = rank_biserial(pred_ranks, test)
    truth = rank_biserial(truth_ranks, test)
    ok = ~np.isnan(pred) & ~np.isnan(truth)
    pred, truth = pred[ok], truth[ok]
    rho = spearmanr(pred, truth).statistic if len(pred) > 2 else np.nan
    top = np.argsort(-np.abs(truth), kind="stable")[:max(1, int(TOP_SHARE * len(truth)))]
    top = top[truth[top] != 0]
    agree = float(np.mean(np.sign(pred[top]) == np.sign(truth[top]))) if len(top) else np.nan
    return float(rho), agree


def evaluate(name: str, contrast: str, sources: dict[str, pd.DataFrame], labels: pd.Series,
             test_level: str, reference_level: str) -> dict:
    """Figures of one contrast (samples of the two levels only)."""
    samples = [s for s in labels.index if labels[s] in (test_level, reference_level)]
    test = np.array([labels[s] == test_level for s in samples])
    tables = {k: v[samples] for k, v in sources.items()}
    keep = tables["truth"].notna().all(axis=1) & (tables["truth"].std(axis=1) > 0)
    for key in ("ours", "picrust2"):
        keep &= tables[key].notna().all(axis=1)
    tables = {k: v[keep] for k, v in tables.items()}
    ranks = {k: ranks_of(v) for k, v in tables.items()}
    rho, agree = figures(ranks["ours"], ranks["truth"], test)
    p_rho, p_agree = figures(ranks["picrust2"], ranks["truth"], test)
    rng = np.random.default_rng(SEED)
    null_rho, null_agree = [], []
    for _ in range(PERMUTATIONS):
        shuffled = rng.permutation(test)
        r, a = figures(ranks["ours"], ranks["truth"], shuffled)
        null_rho.append(r)
        null_agree.append(a)
    truth_sig = truth_hits(tables["truth"], test)
    precision = recall = float("nan")
    if truth_sig.sum() >= MIN_TRUTH_HITS:
        ours_sig = truth_hits(tables["ours"], test)
        hits = (ours_sig & truth_sig).sum()
        precision = hits / ours_sig.sum() if ours_sig.sum() else float("nan")
        recall = hits / truth_sig.sum()
    return {"dataset": name, "contrast": contrast, "samples_test": int(test.sum()),
            "samples_reference": int((~test).sum()), "features": int(keep.sum()),
            "truth_significant": int(truth_sig.sum()), "effect_rho": rho,
            "effect_rho_null95": float(np.nanpercentile(null_rho, 95)), "sign_agree": agree,
            "sign_agree_null95": float(np.nanpercentile(null_agree, 95)),
            "precision": precision, "recall": recall, "picrust2_effect_rho": p_rho,
            "picrust2_sign_agree": p_agree}


# --------------------------------------------------------------------------- datasets


def cluster_labels(data: Dataset) -> tuple[pd.Series, str, str]:
    """HMP's two main metagenome clusters (labels from the truth only)."""
    moved = transfers()
    from function_vs_metagenome import read_ec_table

    mgs = read_ec_table(data.files["mgs"], moved)
    cuts = metagenome_clusters(mgs, list(mgs.columns))
    label, clusters = cuts[-1]
    sizes = clusters.value_counts()
    main = [c for c in sizes.index if sizes[c] >= MAIN_CLUSTER_SHARE * len(mgs.columns)][:2]
    chosen = clusters[clusters.isin(main)]
    names = {main[0]: f"cluster{main[0]}", main[1]: f"cluster{main[1]}"}
    print(f"  {data.name}: metagenome clusters ({label}): "
          + ", ".join(f"{names[c]} {sizes[c]} samples" for c in main))
    return chosen.map(names), names[main[0]], names[main[1]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset-dir", type=Path, default=None)
    parser.add_argument("--groups", type=Path, default=None, help="TSV: sample + group column")
    parser.add_argument("--column", default="site")
    parser.add_argument("--reference", default="YAE")
    args = parser.parse_args()
    base = SHARED_DATA / VALIDATION
    rows = []
    if args.dataset_dir is not None:
        jobs = [(args.dataset_dir, args.groups, args.column, args.reference)]
    else:
        jobs = [(base / "cameroon", base / "cameroon" / "groups.tsv", "site", "YAE"),
                (base / "hmp", None, "", "")]
    for folder, groups, column, reference in jobs:
        data = find_dataset(folder.resolve())
        if groups is not None:
            sheet = pd.read_csv(groups, sep="\t", dtype=str).set_index("sample")
            labels = sheet[column]
            levels = sorted(set(labels) - {reference})
            pairs = [(lvl, reference) for lvl in levels]
        else:
            labels, first, second = cluster_labels(data)
            pairs = [(first, second)]
        sources, shared = feature_tables(data)
        labels = labels[labels.index.isin(shared)]
        for test_level, ref_level in pairs:
            contrast = f"{test_level}_vs_{ref_level}"
            row = evaluate(data.name, contrast, sources, labels, test_level, ref_level)
            rows.append(row)
            print(f"  {data.name} {contrast}: {row['samples_test']} vs "
                  f"{row['samples_reference']} samples, {row['features']} features, "
                  f"{row['truth_significant']} significant in the metagenomes")
    if args.dataset_dir is None:
        table = pd.DataFrame(rows, columns=COLUMNS)
        table.to_csv(VALIDATION_TSV, sep="\t", index=False, float_format="%.4g",
                     lineterminator="\n")
        print(f"  wrote {VALIDATION_TSV.relative_to(REPO)}")
    for row in rows:  # one line per contrast, the last lines of the output
        result_line(NAME, **{k: row[k] for k in (
            "dataset", "contrast", "features", "truth_significant", "effect_rho",
            "effect_rho_null95", "sign_agree", "sign_agree_null95", "precision", "recall",
            "picrust2_effect_rho", "picrust2_sign_agree")})


if __name__ == "__main__":
    main()
