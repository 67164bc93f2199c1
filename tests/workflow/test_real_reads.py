"""End to end on the real MiSeq V4 reads shipped with the DADA2 R package (sam1, sam2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import jsonschema
import pandas as pd
import pytest

from tests.fixtures.chromium import INSTALL_HINT, find_chromium, in_ci

from .conftest import REPO, require_tools, run_snakemake, write_config

pytestmark = pytest.mark.workflow


@pytest.fixture(scope="module")
def real_sheet(tmp_path_factory, dada2_extdata):
    folder = tmp_path_factory.mktemp("real_sheet")
    rows = [
        f"sam{i}\t{dada2_extdata}/sam{i}F.fastq.gz\t{dada2_extdata}/sam{i}R.fastq.gz\treal"
        for i in (1, 2)
    ]
    sheet = folder / "samples.tsv"
    sheet.write_text("sample\tfq1\tfq2\tgroup\n" + "\n".join(rows) + "\n")
    return sheet


@pytest.mark.parametrize(("denoiser", "classifier"), [("dada2", "dada2"), ("unoise3", "sintax")])
def test_real_reads_through_reports(denoiser, classifier, real_sheet, tmp_path):
    require_tools()
    config = write_config(
        tmp_path,
        real_sheet,
        **{
            "qc.primers": "none",
            "denoise.method": denoiser,
            "taxonomy.method": classifier,
        },
    )
    run_snakemake(tmp_path, config)
    results = tmp_path / "results"
    tracking = pd.read_csv(results / "qc/read_tracking.tsv", sep="\t").set_index("sample")
    assert list(tracking.index) == ["sam1", "sam2"]
    assert (tracking["input"] == 1500).all()
    assert (tracking["taxonomy_kept"] > 500).all()
    taxonomy = pd.read_csv(results / "taxonomy/asv_taxonomy.tsv", sep="\t")
    # These V4 reads are dominated by Bacteroidetes in the DADA2 tutorial data.
    assert (taxonomy["phylum"] == "Bacteroidetes").sum() >= 3
    provenance = pd.read_csv(results / "provenance.tsv", sep="\t")
    assert {"dada2_gold", "human_genomes_genus_profile"} <= set(provenance["name"])
    assert provenance["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()
    scores = pd.read_csv(results / "function/module_scores.tsv", sep="\t")
    assert set(scores["status"]) >= {"scored", "not_predictable"}
    assert scores.loc[scores["status"] == "not_predictable", "score"].isna().all()
    schema = json.loads((REPO / "workflow/schemas/sample_report.schema.json").read_text())
    for sample in ("sam1", "sam2"):
        facts = json.loads((results / f"reports/samples/{sample}.json").read_text())
        jsonschema.validate(facts, schema)
        # The first-screen panel and the shipped catalog's directions and caveats reach the JSON.
        assert facts["panel"]["compounds"]
        modules = facts["scfa"]["modules"] + facts["neuro"]["modules"]
        assert {m["direction"] for m in modules} >= {"synthesis", "degradation"}
        assert any(m["caveats"] for m in modules)
        html = (results / f"reports/samples/{sample}.html").read_text()
        assert "not a diagnosis" in html
    assert (results / "reports/index.html").exists()
    assert (results / "multiqc/multiqc_report.html").stat().st_size > 10_000
    for name in ("asv_table.tsv", "asv_seqs.fasta", "asv_table.biom"):
        assert (results / "asv" / name).stat().st_size > 0
    if denoiser == "dada2" and find_chromium() is None:
        assert not in_ci(), f"CI=true but Chromium is missing; {INSTALL_HINT}"
    if denoiser == "dada2" and find_chromium():
        # The pipeline's own pages in a real browser: render, no console error, no request.
        env = dict(os.environ, GUTBRAIN_REPORTS_DIR=str(results / "reports"))
        browser = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                str(REPO / "tests/browser/test_reports_browser.py"),
                "-k",
                "cohort or sample_pages",
            ],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert browser.returncode == 0, browser.stdout[-3000:]
