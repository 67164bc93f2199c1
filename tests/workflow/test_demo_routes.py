"""The bundled demo's simulated gut samples through taxonomy to genome-resolved routes: the
butyrate producers are credited, genera that carry one step of a route never are, and the
measures do not follow sequencing depth."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

from .conftest import REPO, require_tools, run_snakemake, tool_env, write_config

pytestmark = pytest.mark.workflow

NOT_BUTYRATE = {"Bacteroides", "Alistipes", "Prevotella", "Parabacteroides", "Escherichia"}
PRODUCERS = {"Faecalibacterium", "Roseburia", "Anaerostipes", "Coprococcus", "Agathobacter"}


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    require_tools()
    work = tmp_path_factory.mktemp("demo_routes")
    subprocess.run([sys.executable, "-m", "tools.simulate", "demo", "--out", str(work / "data")],
                   check=True, cwd=REPO, env={**tool_env(), "PYTHONPATH": f"{REPO}/workflow/"
                                              f"scripts:{REPO}"}, stdout=subprocess.DEVNULL)
    sheet = pd.read_csv(REPO / "config" / "samples.tsv", sep="\t", dtype=str, comment="#")
    sheet = sheet[sheet["sample"].str.startswith("gut_")].copy()
    for column in ("fq1", "fq2"):
        sheet[column] = [str(work / "data" / str(p).split("demo_data/")[-1]) for p in
                         sheet[column]]
    path = work / "samples.tsv"
    sheet.to_csv(path, sep="\t", index=False)
    demo = yaml.safe_load((REPO / "config" / "demo.yaml").read_text())
    config = write_config(work, path, compare=demo["compare"])
    run_snakemake(work, config, "results/function/route_measures.tsv")
    return work


def test_butyrate_routes_credit_producers_only(demo_run) -> None:
    results = demo_run / "results" / "function"
    contributors = pd.read_csv(results / "route_contributors.tsv", sep="\t")
    butyrate = contributors[contributors["route"].str.startswith("BUT_")]
    assert not set(butyrate["genus"]) & NOT_BUTYRATE, set(butyrate["genus"])
    high = butyrate[butyrate["sample"].str.startswith("gut_high_butyrate")]
    assert PRODUCERS - {"Coprococcus"} <= set(high["genus"]), set(high["genus"])
    succinate = contributors[contributors["route"] == "PRO_SUCCINATE"]
    assert "Escherichia" not in set(succinate["genus"])
    measures = pd.read_csv(results / "route_measures.tsv", sep="\t")
    share = measures[measures["route"] == "BUT_ACETYL_COA"].set_index("sample")["carrier_share"]
    assert min(share["gut_high_butyrate_1"], share["gut_high_butyrate_2"]) > max(
        share["gut_low_butyrate_1"], share["gut_low_butyrate_2"])


def test_thinning_to_a_quarter_leaves_route_statuses_unchanged(demo_run, tmp_path) -> None:
    """Rarefy every sample of the run's ASV table to 25 % of its reads and score the routes
    again with the pipeline's own step: shares move by sampling noise only, and every status
    stays except where the share lies within that noise of the 1 % threshold (three binomial
    standard errors at the thinned depth), where any absolute threshold must flip now and then.
    Module scores, which are read counts, would all drop fourfold."""
    from gutbrain.steps.function import score_routes

    results = demo_run / "results"
    table = pd.read_csv(results / "taxonomy/asv_table_filtered.tsv", sep="\t", index_col=0)
    rng = np.random.default_rng(7)
    thinned = table.apply(lambda c: pd.Series(rng.multinomial(int(c.sum() // 4), c / c.sum()),
                                              index=c.index))
    thinned.index.name = table.index.name
    thinned_path = tmp_path / "thinned.tsv"
    thinned.to_csv(thinned_path, sep="\t")
    out = {"measures": str(tmp_path / "m.tsv"), "contributors": str(tmp_path / "c.tsv"),
           "mqc": str(tmp_path / "mqc.tsv")}
    score_routes(str(thinned_path), str(results / "taxonomy/asv_taxonomy.tsv"),
                 str(REPO / "resources/routes.tsv"), str(REPO / "resources/genus_profile"),
                 str(REPO / "resources/genus_16s_copies.tsv"), 0.01, 0.5, out)
    full = pd.read_csv(results / "function/route_measures.tsv", sep="\t")
    quarter = pd.read_csv(out["measures"], sep="\t")
    assert full[["sample", "route"]].equals(quarter[["sample", "route"]])
    reads = thinned.sum(axis=0).reindex(full["sample"]).to_numpy(float)
    share = full["carrier_share"].to_numpy(float)
    resolved = reads * full["fraction_cells_resolved"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        noise = 3 * np.sqrt(share * (1 - share) / resolved)
    near = np.abs(share - 0.01) < noise
    compared = ~near
    assert compared.mean() > 0.9
    assert (full.loc[compared, "status"] == quarter.loc[compared, "status"]).all(), (
        full.loc[compared & (full["status"] != quarter["status"])])
    both = full["carrier_share"].notna().to_numpy()
    moved = np.abs(full["carrier_share"].to_numpy(float) - quarter["carrier_share"].to_numpy(
        float))
    assert (moved[both] <= 4 / 3 * noise[both] + 0.005).all()  # four standard errors


def test_group_comparison_finds_the_simulated_butyrate_difference(demo_run) -> None:
    """The demo config compares high_butyrate (4 samples) with low_butyrate (4): the butyrate
    carrier share is higher in the high group, significant at the configured FDR, driven by
    the simulated producers; the tables of every family are written."""
    config = demo_run / "config.yaml"
    run_snakemake(demo_run, config, "results/compare/comparisons.tsv")
    folder = demo_run / "results" / "compare" / "high_butyrate_vs_low_butyrate"
    compounds = pd.read_csv(folder / "compounds.tsv", sep="\t").set_index("feature")
    butyrate = compounds.loc["butyrate"]
    assert butyrate["n_test"] == 4 and butyrate["n_reference"] == 4
    assert butyrate["median_test"] > butyrate["median_reference"]
    assert butyrate["ci_low"] > 0 and butyrate["significant"] == "yes"
    assert butyrate["q"] <= 0.1
    drivers = butyrate["drivers"]
    assert any(g in drivers for g in PRODUCERS) and not any(g in drivers for g in NOT_BUTYRATE)
    genera = pd.read_csv(folder / "genera.tsv", sep="\t").set_index("feature")
    assert genera.loc["Faecalibacterium", "effect"] > 0
    assert "dirmult_ttest" in genera.loc["Faecalibacterium", "method"]
    for family in ("routes", "enzymes"):
        table = pd.read_csv(folder / f"{family}.tsv", sep="\t")
        assert {"BUT_ACETYL_COA", "GABA_GAD"} <= set(table["feature"]), family
    import json

    document = json.loads((folder.parent / "comparisons.json").read_text())
    (entry,) = document["contrasts"]
    butyrate_json = next(r for r in entry["compounds"] if r["feature"] == "butyrate")
    assert butyrate_json["significant"] is True
    assert butyrate_json["effect"] == pytest.approx(butyrate["effect"], rel=1e-4)
    checks = pd.read_csv(folder / "checks.tsv", sep="\t")
    assert set(checks["measure"]) == {"reads", "fraction_reads_predicted"}


def test_export_builds_a_phyloseq_object_and_picrust2_shaped_tables(demo_run) -> None:
    """results/export/: make_phyloseq.R builds the phyloseq object from the BIOM (taxonomy and
    sample metadata inside) and the tree with Debian's r-bioc-phyloseq; the KO and EC tables
    are in PICRUSt2's layout."""
    import shutil

    from tests.fixtures.chromium import in_ci

    config = demo_run / "config.yaml"
    run_snakemake(demo_run, config, "results/export/asv_table.biom")
    export = demo_run / "results" / "export"
    ec = pd.read_csv(export / "picrust2" / "EC_pred_metagenome_unstrat.tsv", sep="\t")
    ours = pd.read_csv(demo_run / "results" / "function" / "ec_abundance.tsv", sep="\t")
    assert ec.columns[0] == "function" and list(ec.columns[1:]) == list(ours.columns[1:])
    assert ec["function"].str.startswith("EC:").all()
    if subprocess.run(["Rscript", "-e", "quit(status = !requireNamespace('phyloseq', "
                       "quietly = TRUE))"], check=False).returncode != 0 or not shutil.which(
                           "Rscript"):
        if in_ci():
            pytest.fail("R package phyloseq missing: make test-tools installs r-bioc-phyloseq")
        pytest.skip("R package phyloseq not installed")
    done = subprocess.run(["Rscript", str(export / "make_phyloseq.R")], capture_output=True,
                          text=True, check=True)
    table = pd.read_csv(demo_run / "results" / "taxonomy" / "asv_table_filtered.tsv", sep="\t")
    assert f"{len(table)} ASVs, {table.shape[1] - 1} samples, 7 ranks" in done.stdout
    check = subprocess.run(
        ["Rscript", "-e", "suppressMessages(library(phyloseq));"
         " ps <- readRDS(commandArgs(TRUE)[1]);"
         " cat(as.character(sample_data(ps)$group), sep='\\n');"
         " cat(sum(tax_table(ps)[, 'Genus'] == 'Faecalibacterium', na.rm = TRUE), '\\n')",
         str(export / "phyloseq.rds")], capture_output=True, text=True, check=True)
    lines = check.stdout.split()
    assert {"high_butyrate", "low_butyrate"} <= set(lines) and int(lines[-1]) >= 1
