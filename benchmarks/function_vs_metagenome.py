"""Predicted EC abundance against paired shotgun metagenomes, side by side with PICRUSt2.

Data: ``../shared/data/picrust2_validation`` (Douglas et al. 2020, Nat Biotechnol 38:685; the
data behind PICRUSt2's 16S-versus-metagenome validation): per dataset a 16S ASV table with its
sequences, the paired metagenomes' HUMAnN2 EC abundances (the measured truth), PICRUSt2's own EC
predictions for the same samples (NSTI <= 2) and the paper's null (reference 16S labels
scrambled).

The pipeline runs from its ASV-table entry point (``input.asv_table``, ``input.asv_seqs``) with
the shipped offline configuration (DADA2 naive Bayes on the DADA2 package's reference, the
genome-derived genus profiles), and its ``results/function/ec_abundance.tsv`` is compared with
the metagenome. Every table is turned into relative abundance per sample over the ECs that all
of them can report: the intersection of PICRUSt2's and HUMAnN2's possible ECs
(``possible_ec_*.txt``) and the ECs the genus profile reference annotates (a gene the reference
cannot see is unknown, so it is left out of every method's comparison alike). Samples present in
all four tables are used. HUMAnN2 and PICRUSt2 name some enzymes by EC numbers the nomenclature
has since transferred (formate dehydrogenase 1.2.1.2, now 1.17.1.9); every table is renamed with
the reference's ``ec_transferred.tsv`` first, so that all of them use current numbers.

Figures per dataset:

- ``per_sample``: median over samples of Spearman's rho across ECs (the PICRUSt2 paper's
  measure; a null already scores high on it);
- ``focus``: median over the focus enzymes of Spearman's rho across samples, i.e. whether the
  prediction ranks people as their metagenomes do for the genes the reports speak of. Focus
  enzymes are the ECs of the KOs of the defining (``required``) steps of the catalog's
  predictable modules, synthesis and degradation alike, kept when the metagenome varies across
  samples; a method whose prediction is constant over samples scores 0 for it.

Last line per dataset:
``function-mgs: dataset=D samples=N ecs=E per_sample=A picrust2_per_sample=B null_per_sample=C
focus=F picrust2_focus=G null_focus=H``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _common import (
    REPO,
    SHARED_DATA,
    output_dir,
    require_shared,
    result_line,
    snakemake_cmd,
    tool_env,
    write_config,
)

DATASETS = {
    "cameroon": {
        "table": "cameroon/cameroon_16S.renamed.biom.tsv.gz",
        "seqs": "cameroon/cameroon_16S_rep_seqs.fasta.gz",
        "mgs": "cameroon/mgs_humann2_ec_unstrat.tsv.gz",
        "picrust2": "cameroon/cameroon_picrust2_ec_nsti2.0.tsv.gz",
        "null": "cameroon/picrust2_null_cameroon_ec_mean.tsv.gz",
    },
    "hmp": {
        "table": "hmp/hmp_16S.biom.tsv.gz",
        "seqs": "hmp/hmp_16S_rep_seqs.fasta.gz",
        "mgs": "hmp/mgs_humann2_ec_unstrat.tsv.gz",
        "picrust2": "hmp/hmp_picrust2_ec_nsti2.0.tsv.gz",
        "null": "hmp/picrust2_null_hmp_ec_mean.tsv.gz",
    },
}
VALIDATION = "picrust2_validation"


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rho; NaN when either vector is constant."""
    from scipy.stats import spearmanr

    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    return float(spearmanr(x, y).statistic)


def read_ec_table(path: Path, transfers: dict[str, str]) -> pd.DataFrame:
    """EC x sample table with current ``EC:`` row names; HUMAnN2's UNMAPPED/UNGROUPED dropped.

    EC numbers the nomenclature transferred to one new number are renamed with ``transfers``
    (the reference's ``ec_transferred.tsv``), adding up rows that become one.
    """
    table = pd.read_csv(path, sep="\t", index_col=0, comment=None)
    names = [str(i) for i in table.index]
    table.index = [n if n.startswith("EC:") else f"EC:{n}" for n in names]
    keep = [i for i in table.index if i[3:4].isdigit()]
    table = table.loc[keep].apply(pd.to_numeric, errors="coerce").fillna(0.0)
    table.index = [transfers.get(i, i) for i in table.index]
    return table.groupby(level=0).sum()


def relative(table: pd.DataFrame, ecs: list[str], samples: list[str]) -> pd.DataFrame:
    """Relative abundance per sample over the chosen ECs (missing ECs count 0)."""
    sub = table.reindex(index=ecs, columns=samples).fillna(0.0)
    totals = sub.sum(axis=0).replace(0, np.nan)
    return sub.div(totals, axis=1).fillna(0.0)


def per_sample(pred: pd.DataFrame, truth: pd.DataFrame) -> float:
    values = [spearman(pred[s].to_numpy(), truth[s].to_numpy()) for s in truth.columns]
    return float(np.nanmedian(values))


def focus_scores(pred: pd.DataFrame, truth: pd.DataFrame, focus: list[str]) -> list[float]:
    """Spearman across samples per focus EC (0 where the prediction is constant)."""
    out = []
    for ec in focus:
        rho = spearman(pred.loc[ec].to_numpy(), truth.loc[ec].to_numpy())
        out.append(0.0 if np.isnan(rho) else rho)
    return out


def focus_ecs(catalog: Path, ko_ec: pd.DataFrame) -> dict[str, str]:
    """EC -> module IDs for the defining steps of the catalog's predictable modules."""
    sys.path.insert(0, str(REPO / "workflow" / "scripts"))
    from gutbrain.catalog import load_catalog

    by_ko = ko_ec.groupby("ko")["ec"].apply(list).to_dict()
    found: dict[str, set[str]] = {}
    for module in load_catalog(str(catalog)):
        if not module.predictable:
            continue
        indexes = list(module.required) or [len(module.steps) - 1]
        for i in indexes:
            for alternative in module.steps[i]:
                for ko in alternative:
                    for ec in by_ko.get(ko, []):
                        found.setdefault(ec, set()).add(module.id)
    return {ec: ",".join(sorted(ids)) for ec, ids in sorted(found.items())}


def run_pipeline(name: str, files: dict[str, Path], workdir: Path, cores: int) -> Path:
    """Run the pipeline from the ASV-table entry point; return the EC table it wrote."""
    config = write_config(
        workdir, None, workdir / "cache",
        input={"asv_table": str(files["table"]), "asv_seqs": str(files["seqs"])},
    )
    target = "results/function/ec_abundance.tsv"
    start = time.perf_counter()
    done = subprocess.run(snakemake_cmd(workdir, config, target, cores=cores),
                          capture_output=True, text=True, check=False, env=tool_env())
    if done.returncode != 0:
        print(done.stdout[-4000:], done.stderr[-4000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"function-mgs: pipeline failed on {name}")
    print(f"  {name}: pipeline (ASV table -> EC table) {time.perf_counter() - start:.0f} s")
    return workdir / target


def confidence(workdir: Path) -> float:
    table = pd.read_csv(workdir / "results/function/sample_confidence.tsv", sep="\t")
    return float(table["fraction_reads_predicted"].median())


def evaluate(name: str, cores: int) -> str:
    base = SHARED_DATA / VALIDATION
    files = {k: base / v for k, v in DATASETS[name].items()}
    workdir = output_dir(f"function_vs_metagenome/{name}")
    reference = REPO / "resources" / "genus_profile"
    moved = pd.read_csv(reference / "ec_transferred.tsv", sep="\t", dtype=str)
    transfers = dict(zip(moved["old_ec"], moved["ec"], strict=True))
    ours = read_ec_table(run_pipeline(name, files, workdir, cores), transfers)
    mgs = read_ec_table(files["mgs"], transfers)
    pic = read_ec_table(files["picrust2"], transfers)
    null = read_ec_table(files["null"], transfers)
    possible = set()
    for tool in ("picrust2", "humann2"):
        with open(base / f"possible_ec_{tool}.txt", encoding="utf-8") as handle:
            listed = {transfers.get(e, e) for e in (line.strip() for line in handle) if e}
        possible = listed if not possible else possible & listed
    annotated = set((reference / "ec_annotated.txt").read_text().split())
    ecs = sorted(possible & annotated)
    samples = [s for s in mgs.columns if s in ours.columns and s in pic.columns
               and s in null.columns]
    truth = relative(mgs, ecs, samples)
    tables = {m: relative(t, ecs, samples) for m, t in
              (("ours", ours), ("picrust2", pic), ("null", null))}
    ko_ec = pd.read_csv(reference / "ko_ec.tsv", sep="\t", dtype=str)
    focus_map = focus_ecs(REPO / "resources" / "module_catalog.yaml", ko_ec)
    focus = [ec for ec in focus_map if ec in ecs and np.ptp(truth.loc[ec].to_numpy()) > 0]
    figures = {m: (per_sample(t, truth), focus_scores(t, truth, focus))
               for m, t in tables.items()}
    print(f"  {name}: median fraction of reads predicted {confidence(workdir):.3f}; "
          f"{len(focus)} focus ECs")
    for i, ec in enumerate(focus):
        print(f"    {ec:<14s} ours {figures['ours'][1][i]:+.2f}  picrust2 "
              f"{figures['picrust2'][1][i]:+.2f}  null {figures['null'][1][i]:+.2f}  "
              f"({focus_map[ec]})")
    return result_line(
        "function-mgs",
        dataset=name,
        samples=len(samples),
        ecs=len(ecs),
        per_sample=figures["ours"][0],
        picrust2_per_sample=figures["picrust2"][0],
        null_per_sample=figures["null"][0],
        focus=float(np.median(figures["ours"][1])) if focus else float("nan"),
        picrust2_focus=float(np.median(figures["picrust2"][1])) if focus else float("nan"),
        null_focus=float(np.median(figures["null"][1])) if focus else float("nan"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=[*DATASETS, "all"], default="all")
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    require_shared(f"{VALIDATION}/possible_ec_picrust2.txt", name="function-mgs")
    names = list(DATASETS) if args.dataset == "all" else [args.dataset]
    for name in names:
        require_shared(*(f"{VALIDATION}/{p}" for p in DATASETS[name].values()),
                       name="function-mgs")
    for name in names:
        evaluate(name, args.cores)


if __name__ == "__main__":
    main()
