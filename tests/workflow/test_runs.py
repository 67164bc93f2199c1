"""Several sequencing runs in one sheet (column `run`): DADA2 learns error rates and infers
samples per run, the runs' tables are merged before chimera removal, and the read tracking
names each sample's run."""

from __future__ import annotations

import pandas as pd
import pytest

from .conftest import logged_text, require_tools, run_snakemake, write_config

pytestmark = pytest.mark.workflow


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, dada2_extdata):
    from tools.simulate import make_mock

    out = tmp_path_factory.mktemp("two_runs")
    sheet_path = make_mock(out / "data", "dada2", dada2_extdata=dada2_extdata, n_samples=4,
                           n_pairs=600)
    sheet = pd.read_csv(sheet_path, sep="\t", dtype=str, comment="#")
    sheet["run"] = ["run_A", "run_A", "run_B", "run_B"]
    sheet.to_csv(sheet_path, sep="\t", index=False)
    return out, sheet_path


def test_error_models_are_learned_per_run(two_runs) -> None:
    require_tools()
    work, sheet = two_runs
    config = write_config(work, sheet)
    proc = run_snakemake(work, config, "results/qc/read_tracking.tsv")
    text = logged_text(work, proc)
    for run in ("run_A", "run_B"):
        assert f"run {run}: error rates learned and samples inferred on 2 sample(s)" in text
    tracking = pd.read_csv(work / "results/qc/read_tracking.tsv", sep="\t")
    assert list(tracking.columns[:2]) == ["sample", "run"]
    assert tracking["run"].tolist() == ["run_A", "run_A", "run_B", "run_B"]
    assert (tracking["nonchimeric"] > 0).all()


def test_a_sample_without_a_run_is_named(two_runs, tmp_path) -> None:
    require_tools()
    _, sheet = two_runs
    table = pd.read_csv(sheet, sep="\t", dtype=str, keep_default_na=False)
    table.loc[2, "run"] = ""
    data = sheet.parent
    bad = data / "no_run.tsv"
    table.to_csv(bad, sep="\t", index=False)
    config = write_config(tmp_path, bad)
    proc = run_snakemake(tmp_path, config, "-n", check=False)
    assert proc.returncode != 0
    sample = table.loc[2, "sample"]
    assert f"column 'run' has no value for sample(s) {sample}" in proc.stdout
