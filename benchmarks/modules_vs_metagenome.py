"""Genome-resolved routes against paired shotgun metagenomes, with PICRUSt2, a null and baselines.

Data: ``../shared/data/picrust2_validation/<dataset>/`` (Douglas et al. 2020, Nat Biotechnol
38:685): a 16S ASV table with its sequences, the paired metagenomes' HUMAnN2 EC abundances (the
measured truth), PICRUSt2's EC predictions for the same samples (NSTI <= 2) and the paper's null
(reference 16S labels scrambled). The pipeline runs from its ASV-table entry point with the
shipped configuration and writes ``results/function/ec_abundance.tsv`` and
``results/function/route_measures.tsv`` (``score_routes``).

Routes, declared before looking at any result: every route of ``resources/routes.tsv`` with role
``headline`` or ``detail``, direction ``synthesis`` and measurable ``yes``; a route is kept for a
dataset when its metagenome truth varies across the samples (the others are printed with the
reason they were dropped).

Per route, across the samples present in our output, the metagenome, PICRUSt2 and the null:

- truth: route copies per cell in the metagenome, :func:`gutbrain.routes.ec_route_copies` (the
  smallest over the route's specific steps of the step's summed alternatives, divided by the
  cells, counted as the median of the near-single-copy aminoacyl-tRNA synthetase ECs). HUMAnN2
  names some enzymes by EC numbers since transferred; every table is renamed with the genus
  profile reference's ``ec_transferred.tsv`` first;
- ours (headline): the route's carrier share of predicted cells (``route_measures.tsv``; a
  sample without a value is left out for that route);
- ours (gene), PICRUSt2 (gene), null (gene): ``ec_route_copies`` of our EC table, PICRUSt2's
  and the null's;
- baselines: *shuffled carriers* (the carrier share recomputed with the reference's carrier
  fractions permuted across genera within the route, 100 seeded permutations, median rho;
  checked first to reproduce the pipeline's carrier share unpermuted) and *family* (cell share
  of Lachnospiraceae + Oscillospiraceae/Ruminococcaceae for butyrate routes; for the other
  routes, of the families of the genera present in the data whose carrier fraction is at least
  0.5);
- depth: rho of our carrier share with the sample's total reads in the 16S table (should be
  near 0: the measure is per cell).

Every figure is Spearman's rho across samples against the truth (NaN when either side is
constant). Medians over routes count a constant prediction as rho 0 (it cannot rank people), as
``function_vs_metagenome.py`` does for its focus enzymes; the depth median leaves NaN out. A
paired bootstrap over samples (``--bootstrap`` resamples, fixed seed) gives 95 % intervals of
the difference in median rho (ours headline minus PICRUSt2 gene, ours gene minus PICRUSt2 gene)
and of each route's headline rho. For HMP, which mixes body sites, the medians are repeated
within metagenome clusters (average-linkage clustering of the per-cell EC profiles on
correlation distance): k = 2, and, when k = 2 only splits off a small group, the two largest
clusters of the smallest cut where two clusters each hold a quarter of the samples.

``--write-validation`` (default when the default datasets run) writes
``resources/route_validation.tsv``: one row per route and dataset, dropped routes with empty
figures. Last line per dataset:
``module-mgs: dataset=D samples=N routes=R median_rho=A gene_median_rho=G picrust2_median_rho=B
null_median_rho=C depth_rho=E``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from _common import (
    REPO,
    SHARED_DATA,
    output_dir,
    result_line,
    snakemake_cmd,
    tool_env,
    write_config,
)
from function_vs_metagenome import read_ec_table, spearman
from gutbrain.routes import (
    CORE_AARS,
    Route,
    RouteReference,
    ec_route_copies,
    load_route_reference,
    load_routes,
    sample_route_measures,
)

NAME = "module-mgs"
VALIDATION = "picrust2_validation"
DEFAULT_DATASETS = ("cameroon", "hmp")
#: Datasets that mix body sites: their figures are repeated within metagenome clusters.
CLUSTERED = ("hmp",)
#: A cluster holding at least this share of the samples counts as a main cluster.
MAIN_CLUSTER_SHARE = 0.25
MAX_CLUSTERS = 10
REFERENCE = REPO / "resources" / "genus_profile"
ROUTES_TSV = REPO / "resources" / "routes.tsv"
GENUS_COPIES = REPO / "resources" / "genus_16s_copies.tsv"
VALIDATION_TSV = REPO / "resources" / "route_validation.tsv"
TARGETS = ("results/function/ec_abundance.tsv", "results/function/route_measures.tsv")
SEED = 20201
PERMUTATIONS = 100
#: Butyrate producers' families (Ruminococcaceae is the older name of Oscillospiraceae).
BUTYRATE_FAMILIES = ("Lachnospiraceae", "Oscillospiraceae", "Ruminococcaceae")
#: The family baseline of a non-butyrate route uses the families of the genera whose carrier
#: fraction for it is at least this.
FAMILY_CARRIER_MIN = 0.5
#: Columns of route_validation.tsv.
VALIDATION_COLUMNS = ["route", "dataset", "samples", "rho", "rho_low", "rho_high", "gene_rho",
                      "picrust2_rho", "null_rho", "shuffled_rho", "family_rho", "depth_rho"]
#: Methods compared with the truth, in table order.
METHODS = ("headline", "gene", "picrust2", "null", "shuffled", "family")
#: File patterns of a dataset folder and whether each is required. The metagenomes' KO table
#: is recognised but not used: cells are counted from EC tables, which every dataset has.
PATTERNS = {
    "table": ("*16S*.biom.tsv.gz", True),
    "seqs": ("*_rep_seqs.fasta.gz", True),
    "mgs": ("mgs_humann2_ec_unstrat.tsv.gz", True),
    "mgs_ko": ("mgs_humann2_ko_unstrat.tsv.gz", False),
    "picrust2": ("*_picrust2_ec_nsti2.0.tsv.gz", False),
    "null": ("picrust2_null_*_ec_mean.tsv.gz", False),
}


# --------------------------------------------------------------------------- inputs


@dataclass
class Dataset:
    """The files of one dataset folder (optional ones may be None)."""

    name: str
    files: dict[str, Path | None]


def find_dataset(folder: Path) -> Dataset:
    """Recognise a dataset folder by its file names; print the skip line and exit 0 when a
    required file is absent."""
    files: dict[str, Path | None] = {}
    for key, (pattern, required) in PATTERNS.items():
        found = sorted(folder.glob(pattern))
        if not found and required:
            print(f"{NAME}: skipped (shared data {folder / pattern} not found)")
            raise SystemExit(0)
        files[key] = found[0] if found else None
    return Dataset(name=folder.name, files=files)


def declared_routes() -> list[Route]:
    """The routes compared: headline or detail role, synthesis, measurable."""
    return [r for r in load_routes(ROUTES_TSV)
            if r.role in ("headline", "detail") and r.direction == "synthesis" and r.measurable]


def transfers() -> dict[str, str]:
    """Old EC number -> current number, from the reference's ``ec_transferred.tsv``."""
    moved = pd.read_csv(REFERENCE / "ec_transferred.tsv", sep="\t", dtype=str)
    return dict(zip(moved["old_ec"], moved["ec"], strict=True))


def read_depth(path: Path) -> pd.Series:
    """Total reads per sample of a BIOM-as-TSV table (one comment line, then ``#OTU ID``)."""
    table = pd.read_csv(path, sep="\t", skiprows=1, index_col=0)
    return table.sum(axis=0).rename(str)


# --------------------------------------------------------------------------- pipeline


def run_pipeline(data: Dataset, cores: int) -> Path:
    """Run the pipeline from the ASV-table entry point up to the EC table and the route
    measures; return its working folder."""
    workdir = output_dir(f"modules_vs_metagenome/{data.name}")
    config = write_config(
        workdir, None, workdir / "cache",
        input={"asv_table": str(data.files["table"]), "asv_seqs": str(data.files["seqs"])},
    )
    start = time.perf_counter()
    done = subprocess.run(snakemake_cmd(workdir, config, *TARGETS, cores=cores),
                          capture_output=True, text=True, check=False, env=tool_env())
    if done.returncode != 0:
        print(done.stdout[-4000:], done.stderr[-4000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"{NAME}: pipeline failed on {data.name}")
    print(f"  {data.name}: pipeline (ASV table -> EC table, route measures) "
          f"{time.perf_counter() - start:.0f} s")
    return workdir


@dataclass
class CellTable:
    """Predicted cells as ``score_routes`` computes them, plus what the family baseline needs."""

    cells: pd.DataFrame  # genus x sample
    asv_cells: pd.DataFrame  # ASV x sample
    family: pd.Series  # ASV -> family ('' when unassigned)
    genus: pd.Series  # ASV -> normalised genus ('' when none)
    present_share: float
    min_resolved: float


def cell_table(workdir: Path) -> CellTable:
    """Genus x sample cells from the run's filtered ASV table and taxonomy, computed by
    :func:`gutbrain.routes.route_cells` as ``score_routes`` does, with the ASV-level
    cells and families the family baseline needs."""
    from gutbrain.asv import read_asv_table
    from gutbrain.routes import route_cells

    config = yaml.safe_load((workdir / "config.yaml").read_text(encoding="utf-8"))["function"]
    taxonomy = workdir / "results" / "taxonomy" / "asv_taxonomy.tsv"
    table_path = workdir / "results" / "taxonomy" / "asv_table_filtered.tsv"
    routed = route_cells(str(table_path), str(taxonomy), str(REFERENCE), str(GENUS_COPIES))
    table = read_asv_table(table_path)
    tax = pd.read_csv(taxonomy, sep="\t", dtype=str, keep_default_na=False)
    family = tax.set_index("asv_id")["family"].reindex(table.index).fillna("")
    return CellTable(cells=routed.cells,
                     asv_cells=table.astype(np.float64).div(routed.copies, axis=0),
                     family=family, genus=routed.genus,
                     present_share=float(config["route_present_share"]),
                     min_resolved=float(config["route_min_resolved"]))


def carrier_shares(table: CellTable, routes: list[Route],
                   reference: RouteReference) -> pd.DataFrame:
    """Route x sample carrier share from :func:`gutbrain.routes.sample_route_measures`."""
    measures, _ = sample_route_measures(table.cells, routes, reference, table.present_share,
                                        table.min_resolved)
    return measures.pivot(index="route", columns="sample", values="carrier_share")


def check_reproduced(ours: pd.DataFrame, recomputed: pd.DataFrame) -> None:
    """Assert that the recomputed carrier shares are the pipeline's, to its written precision
    (``%.6g``, NaN as NaN)."""
    def text(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.map(lambda v: "nan" if pd.isna(v) else f"{v:.6g}")

    recomputed = recomputed.reindex(index=ours.index, columns=ours.columns)
    differ = text(ours) != text(recomputed)
    assert not differ.to_numpy().any(), (
        f"recomputed carrier share differs from route_measures.tsv in {int(differ.sum().sum())} "
        "cells")


def permuted_reference(reference: RouteReference, routes: list[Route],
                       rng: np.random.Generator) -> RouteReference:
    """The reference with each route's carrier fractions permuted across its valued genera."""
    carriers = reference.carriers.copy()
    for route in routes:
        rows = np.flatnonzero(((carriers["route"] == route.id)
                               & carriers["carrier_fraction"].notna()).to_numpy())
        column = carriers.columns.get_loc("carrier_fraction")
        carriers.iloc[rows, column] = rng.permutation(carriers.iloc[rows, column].to_numpy())
    return RouteReference(carriers=carriers, visibility=reference.visibility)


def family_baseline(table: CellTable, routes: list[Route],
                    reference: RouteReference) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Route x sample cell share of the route's families, and the families used per route.

    Butyrate routes: Lachnospiraceae, Oscillospiraceae, Ruminococcaceae. Other routes: the
    families (in the taxonomy) of genera present in the data with carrier fraction >= 0.5."""
    totals = table.asv_cells.sum(axis=0).replace(0, np.nan)
    by_family = table.asv_cells.groupby(table.family.to_numpy()).sum()
    present = table.cells.index[table.cells.sum(axis=1) > 0]
    rows, used = {}, {}
    for route in routes:
        if route.compound == "butyrate":
            families = list(BUTYRATE_FAMILIES)
        else:
            sub = reference.carriers[(reference.carriers["route"] == route.id)
                                     & (reference.carriers["carrier_fraction"]
                                        >= FAMILY_CARRIER_MIN)]
            genera = set(sub["genus"]) & set(present)
            families = sorted({f for f in table.family[table.genus.isin(genera)] if f})
        used[route.id] = families
        share = by_family.reindex(families).fillna(0.0).sum(axis=0) / totals
        rows[route.id] = share
    return pd.DataFrame(rows).T, used


# --------------------------------------------------------------------------- figures


def rho(pred: pd.Series, truth: pd.Series) -> tuple[float, int]:
    """Spearman's rho over the samples where both are finite, and that sample count."""
    both = pd.concat([pred, truth], axis=1).dropna()
    if len(both) < 3:
        return float("nan"), len(both)
    return spearman(both.iloc[:, 0].to_numpy(), both.iloc[:, 1].to_numpy()), len(both)


def varies(values: pd.Series) -> bool:
    """Whether the finite values are not all equal (at least two of them)."""
    finite = values.dropna().to_numpy(np.float64)
    return len(finite) > 1 and float(np.ptp(finite)) > 0


def score_median(values) -> float:
    """Median over routes with a constant prediction (NaN rho) counted as 0."""
    array = np.asarray(list(values), dtype=np.float64)
    return float(np.median(np.nan_to_num(array, nan=0.0))) if len(array) else float("nan")


def rho_matrix(predictions: dict[str, pd.DataFrame], truth: pd.DataFrame,
               routes: list[str], samples: list[str]) -> pd.DataFrame:
    """Route x method rho on the given samples (repeats allowed, as in a bootstrap)."""
    out = {}
    for method, table in predictions.items():
        values = []
        for route in routes:
            if table is None or route not in table.index:
                values.append(float("nan"))
                continue
            pred = pd.Series(table.loc[route, samples].to_numpy(np.float64))
            true = pd.Series(truth.loc[route, samples].to_numpy(np.float64))
            values.append(rho(pred, true)[0])
        out[method] = values
    return pd.DataFrame(out, index=routes)


@dataclass
class Bootstrap:
    """Paired bootstrap results: differences in median rho and per-route headline intervals."""

    differences: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    headline: dict[str, tuple[float, float]] = field(default_factory=dict)


def paired_bootstrap(predictions: dict[str, pd.DataFrame], truth: pd.DataFrame,
                     routes: list[str], samples: list[str], resamples: int) -> Bootstrap:
    """Resample samples with replacement (the same draw for every method); 95 % intervals of
    median-rho differences against PICRUSt2 and of each route's headline rho."""
    rng = np.random.default_rng(SEED)
    methods = {k: predictions[k] for k in ("headline", "gene", "picrust2")}
    full = rho_matrix(methods, truth, routes, samples)
    draws, per_route = {"headline": [], "gene": []}, []
    for _ in range(resamples):
        pick = [samples[i] for i in rng.integers(0, len(samples), len(samples))]
        matrix = rho_matrix(methods, truth, routes, pick)
        base = score_median(matrix["picrust2"])
        for method in draws:
            draws[method].append(score_median(matrix[method]) - base)
        per_route.append(matrix["headline"].to_numpy())
    out = Bootstrap()
    for method, values in draws.items():
        if methods["picrust2"] is None:
            out.differences[method] = (np.nan, np.nan, np.nan)
            continue
        point = score_median(full[method]) - score_median(full["picrust2"])
        low, high = np.percentile(values, [2.5, 97.5]) if resamples else (np.nan, np.nan)
        out.differences[method] = (point, float(low), float(high))
    stacked = np.array(per_route) if per_route else np.full((1, len(routes)), np.nan)
    for j, route in enumerate(routes):
        column = stacked[:, j]
        column = column[np.isfinite(column)]
        out.headline[route] = ((float(np.percentile(column, 2.5)),
                                float(np.percentile(column, 97.5)))
                               if len(column) else (np.nan, np.nan))
    return out


def metagenome_clusters(mgs: pd.DataFrame, samples: list[str]) -> list[tuple[str, pd.Series]]:
    """Clusters of the metagenomes: average linkage of the per-cell EC profiles (all ECs
    divided by the median aminoacyl-tRNA synthetase copies) on correlation distance.

    Returns (label, sample -> cluster) cuts: k = 2, and, when one of its two clusters holds
    fewer than :data:`MAIN_CLUSTER_SHARE` of the samples (an outlying group rather than a
    second main cluster), also the two largest clusters of the smallest cut at which two
    clusters each hold that share (the other samples left out)."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist

    table = mgs[samples]
    cells = table.loc[[e for e in CORE_AARS if e in table.index]].median(axis=0)
    per_cell = table.div(cells.replace(0, np.nan), axis=1).fillna(0.0)
    tree = linkage(pdist(per_cell.T.to_numpy(), metric="correlation"), method="average")
    cuts = []
    for k in range(2, MAX_CLUSTERS + 1):
        labels = pd.Series(fcluster(tree, k, criterion="maxclust"), index=samples)
        if k == 2:
            cuts.append(("k=2", labels))
        sizes = labels.value_counts()
        if len(sizes) > 1 and sizes.iloc[1] >= MAIN_CLUSTER_SHARE * len(samples):
            if k > 2:
                cuts.append((f"k={k}, two largest", labels[labels.isin(sizes.index[:2])]))
            break
    return cuts


def top_family(table: CellTable, samples: list[str]) -> str:
    """The family with the largest mean cell share over the samples (for labelling)."""
    share = table.asv_cells[samples] / table.asv_cells[samples].sum(axis=0)
    by_family = share.groupby(table.family.to_numpy()).sum().drop("", errors="ignore")
    mean = by_family.mean(axis=1).sort_values(ascending=False)
    return f"{mean.index[0]} {mean.iloc[0]:.0%}" if len(mean) else "?"


# --------------------------------------------------------------------------- one dataset


@dataclass
class Result:
    """Per-route figures of one dataset, for printing and for route_validation.tsv."""

    name: str
    samples: int
    table: pd.DataFrame  # route x (methods, n, depth, rho_low, rho_high)
    dropped: dict[str, str]
    line: dict  # the figures of the module-mgs line


def drop_reason(route: Route, truth: pd.Series, mgs: pd.DataFrame) -> str | None:
    """Why a route's metagenome truth cannot be ranked (None when it varies)."""
    missing = [" or ".join(e[3:] for e in s) for s in route.specific
               if not any(e in mgs.index for e in s)]
    if missing:
        return f"the metagenome's EC table cannot report step(s) {', '.join(missing)}"
    values = truth.dropna()
    if values.empty:
        return "no metagenome has cells counted"
    if varies(values):
        return None
    return f"constant in the metagenome ({values.iloc[0]:.3g} in every sample)"


def read_predictions(data: Dataset, workdir: Path, moved: dict[str, str]) -> dict:
    """The EC tables (ours, metagenome, PICRUSt2, null; missing optional ones None)."""
    tables = {"ours": read_ec_table(workdir / TARGETS[0], moved),
              "mgs": read_ec_table(data.files["mgs"], moved)}
    for key in ("picrust2", "null"):
        path = data.files[key]
        tables[key] = read_ec_table(path, moved) if path is not None else None
    return tables


def evaluate(data: Dataset, routes: list[Route], cores: int, resamples: int) -> Result:
    """Run the pipeline on one dataset and print its figures; the module-mgs line's figures
    are returned (printed by the caller, last in the dataset's block)."""
    workdir = run_pipeline(data, cores)
    tables = read_predictions(data, workdir, transfers())
    samples = [s for s in tables["mgs"].columns
               if s in tables["ours"].columns
               and all(tables[k] is None or s in tables[k].columns for k in ("picrust2", "null"))]
    truth = ec_route_copies(tables["mgs"][samples], routes)
    dropped = {}
    for route in routes:
        why = drop_reason(route, truth.loc[route.id], tables["mgs"])
        if why:
            dropped[route.id] = why
            print(f"  {data.name}: dropped {route.id}: {why}")
    kept = [r for r in routes if r.id not in dropped]
    ids = [r.id for r in kept]
    if not kept:
        nan = float("nan")
        line = dict(dataset=data.name, samples=len(samples), routes=0, median_rho=nan,
                    gene_median_rho=nan, picrust2_median_rho=nan, null_median_rho=nan,
                    depth_rho=nan)
        return Result(name=data.name, samples=len(samples), table=pd.DataFrame(),
                      dropped=dropped, line=line)

    measures = pd.read_csv(workdir / TARGETS[1], sep="\t", dtype={"sample": str})
    headline = measures.pivot(index="route", columns="sample", values="carrier_share")
    cells = cell_table(workdir)
    reference = load_route_reference(REFERENCE)
    check_reproduced(headline.loc[ids], carrier_shares(cells, kept, reference))
    headline = headline.reindex(index=ids, columns=samples)

    predictions: dict[str, pd.DataFrame | None] = {
        "headline": headline,
        "gene": ec_route_copies(tables["ours"].reindex(columns=samples), kept),
        "picrust2": (ec_route_copies(tables["picrust2"][samples], kept)
                     if tables["picrust2"] is not None else None),
        "null": (ec_route_copies(tables["null"][samples], kept)
                 if tables["null"] is not None else None),
    }
    family, families = family_baseline(cells, kept, reference)
    predictions["family"] = family.reindex(columns=samples)
    figures = rho_matrix(predictions, truth, ids, samples)
    figures["shuffled"] = shuffled_rho(cells, kept, reference, truth, samples)
    figures["n"] = [rho(headline.loc[r], truth.loc[r, samples])[1] for r in ids]
    depth = read_depth(data.files["table"]).reindex(samples)
    figures["depth"] = [rho(headline.loc[r], depth)[0] for r in ids]
    boot = paired_bootstrap(predictions, truth, ids, samples, resamples)
    figures["rho_low"] = [boot.headline[r][0] for r in ids]
    figures["rho_high"] = [boot.headline[r][1] for r in ids]

    print_table(data.name, figures, families)
    for method, label in (("headline", "ours headline"), ("gene", "ours gene")):
        point, low, high = boot.differences[method]
        print(f"  {data.name}: bootstrap ({resamples} paired resamples of samples) median rho "
              f"{label} - picrust2 gene = {point:+.3f} [95 % {low:+.3f}, {high:+.3f}]")
    if data.name in CLUSTERED:
        print_clusters(data.name, cells, tables["mgs"], predictions, truth, ids, samples)
    return Result(name=data.name, samples=len(samples), table=figures, dropped=dropped,
                  line=line_figures(data.name, len(samples), figures, predictions))


def line_figures(name: str, samples: int, figures: pd.DataFrame, predictions: dict) -> dict:
    """The module-mgs line's figures: medians over routes (NaN for a missing table)."""
    def median(method: str) -> float:
        return (score_median(figures[method]) if predictions.get(method) is not None
                else float("nan"))

    depth = figures["depth"].to_numpy(np.float64)
    return dict(dataset=name, samples=samples, routes=len(figures),
                median_rho=median("headline"), gene_median_rho=median("gene"),
                picrust2_median_rho=median("picrust2"), null_median_rho=median("null"),
                depth_rho=float(np.nanmedian(depth)) if np.isfinite(depth).any() else float("nan"))


def shuffled_rho(cells: CellTable, routes: list[Route], reference: RouteReference,
                 truth: pd.DataFrame, samples: list[str]) -> list[float]:
    """Per route, the median over seeded permutations of the carrier fractions of the rho of
    the recomputed carrier share with the truth (permutations giving a constant share, NaN rho,
    left out)."""
    rng = np.random.default_rng(SEED)
    ids = [r.id for r in routes]
    runs = []
    for _ in range(PERMUTATIONS):
        shares = carrier_shares(cells, routes, permuted_reference(reference, routes, rng))
        runs.append(rho_matrix({"x": shares.reindex(columns=samples)}, truth, ids,
                               samples)["x"].to_numpy())
    stacked = np.array(runs)
    return [float(np.nanmedian(c)) if np.isfinite(c).any() else float("nan")
            for c in stacked.T]


def print_table(name: str, figures: pd.DataFrame, families: dict[str, list[str]]) -> None:
    """The per-route table: rho of each method against the truth, samples, interval, depth."""
    print(f"  {name}: Spearman rho across samples against metagenome route copies per cell")
    header = (f"    {'route':<20s}" + "".join(f"{m:>10s}" for m in METHODS)
              + f"{'n':>5s}  {'headline 95 %':>15s} {'depth':>7s}")
    print(header)
    for route, row in figures.iterrows():
        cells = "".join(f"{row[m]:>+10.3f}" if np.isfinite(row[m]) else f"{'nan':>10s}"
                        for m in METHODS)
        interval = (f"[{row['rho_low']:+.2f}, {row['rho_high']:+.2f}]"
                    if np.isfinite(row["rho_low"]) else "")
        print(f"    {route:<20s}{cells}{int(row['n']):>5d}  {interval:>15s} "
              f"{row['depth']:>+7.3f}")
    for route, families_used in families.items():
        if route in figures.index:
            print(f"    family baseline {route}: {', '.join(families_used) or '(none)'}")


def print_clusters(name: str, cells: CellTable, mgs: pd.DataFrame, predictions: dict,
                   truth: pd.DataFrame, ids: list[str], samples: list[str]) -> None:
    """Median rho (ours headline, ours gene, PICRUSt2) within each metagenome cluster of
    :func:`metagenome_clusters`; routes constant in a cluster's metagenomes are left out there."""
    methods = {k: predictions[k] for k in ("headline", "gene", "picrust2")}
    for label, clusters in metagenome_clusters(mgs, samples):
        for cluster in sorted(clusters.unique()):
            members = [s for s in samples if clusters.get(s) == cluster]
            varying = [r for r in ids if varies(truth.loc[r, members])]
            matrix = rho_matrix(methods, truth, varying, members)
            medians = {k: score_median(matrix[k]) if methods[k] is not None else float("nan")
                       for k in methods}
            print(f"  {name}: cluster {label} #{cluster} ({len(members)} samples, top family "
                  f"{top_family(cells, members)}, {len(varying)} routes): median rho ours "
                  f"headline {medians['headline']:.3f}, ours gene {medians['gene']:.3f}, "
                  f"picrust2 {medians['picrust2']:.3f}")


# --------------------------------------------------------------------------- output


def validation_rows(results: list[Result], routes: list[Route]) -> pd.DataFrame:
    """route_validation.tsv rows: one per route and dataset, dropped routes with empty
    figures, sorted by route then dataset."""
    columns = {"rho": "headline", "gene_rho": "gene", "picrust2_rho": "picrust2",
               "null_rho": "null", "shuffled_rho": "shuffled", "family_rho": "family",
               "depth_rho": "depth", "rho_low": "rho_low", "rho_high": "rho_high"}
    rows = []
    for result in results:
        for route in routes:
            row = {"route": route.id, "dataset": result.name}
            if route.id in result.table.index:
                figures = result.table.loc[route.id]
                row["samples"] = str(int(figures["n"]))
                for column, key in columns.items():
                    value = figures[key]
                    row[column] = f"{value:.3f}" if np.isfinite(value) else ""
            rows.append(row)
    table = pd.DataFrame(rows).reindex(columns=VALIDATION_COLUMNS).fillna("")
    return table.sort_values(["route", "dataset"], kind="mergesort")


def write_validation(results: list[Result], routes: list[Route]) -> None:
    """Write resources/route_validation.tsv (header line first, no comments)."""
    validation_rows(results, routes).to_csv(VALIDATION_TSV, sep="\t", index=False,
                                            lineterminator="\n")
    print(f"  wrote {VALIDATION_TSV.relative_to(REPO)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset-dir", action="append", type=Path, default=None,
                        help="dataset folder (repeatable; default: the Cameroon and HMP "
                             "folders of the shared picrust2_validation data)")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples")
    parser.add_argument("--write-validation", action=argparse.BooleanOptionalAction,
                        default=None, help="write resources/route_validation.tsv (default: "
                        "on with the default datasets)")
    args = parser.parse_args()
    folders = args.dataset_dir or [SHARED_DATA / VALIDATION / d for d in DEFAULT_DATASETS]
    write = args.write_validation if args.write_validation is not None else (
        args.dataset_dir is None)
    datasets = [find_dataset(folder.resolve()) for folder in folders]
    routes = declared_routes()
    print(f"  routes declared: {', '.join(r.id for r in routes)}")
    results: list[Result] = []
    for i, data in enumerate(datasets):
        results.append(evaluate(data, routes, args.cores, args.bootstrap))
        if write and i == len(datasets) - 1:
            write_validation(results, routes)
        result_line(NAME, **results[-1].line)


if __name__ == "__main__":
    main()
