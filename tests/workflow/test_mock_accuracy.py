"""End to end on a simulated mock community with known amplicons: both denoisers.

DADA2 must recover every expected amplicon exactly, with no spurious ASV above 0.1 % relative
abundance; UNOISE3 is held to the same standard. Figures are written to the test output folder.
"""

from __future__ import annotations

import dnaio
import pandas as pd
import pytest

from .conftest import require_tools, run_snakemake, write_config

pytestmark = pytest.mark.workflow


def _expected(mock_sheet):
    with dnaio.open(mock_sheet.parent / "expected_asvs.fasta") as reader:
        return {rec.sequence.upper() for rec in reader}


def _observed(workdir):
    table = pd.read_csv(workdir / "results/asv/asv_table.tsv", sep="\t").set_index("asv_id")
    with dnaio.open(workdir / "results/asv/asv_seqs.fasta") as reader:
        seqs = {rec.name: rec.sequence.upper() for rec in reader}
    return table, seqs


@pytest.mark.parametrize("method", ["dada2", "unoise3"])
def test_mock_recovers_expected_amplicons(method, mock_dataset, tmp_path, capsys):
    require_tools()
    config = write_config(
        tmp_path,
        mock_dataset,
        **{"denoise.method": method, "qc.primers": "V4", "qc.require_primers": True},
    )
    run_snakemake(tmp_path, config, "results/asv/asv_table.tsv", "results/qc/read_tracking.tsv")
    expected = _expected(mock_dataset)
    table, seqs = _observed(tmp_path)
    relative = table.div(table.sum(axis=0), axis=1)
    found = {seqs[a] for a in table.index}
    missing = expected - found
    spurious = [a for a in table.index if seqs[a] not in expected]
    spurious_max = float(relative.loc[spurious].max().max()) if spurious else 0.0
    with capsys.disabled():
        print(
            f"\nmock-{method}: expected={len(expected)} recovered={len(expected & found)} "
            f"asvs={len(table)} spurious={len(spurious)} spurious_max_rel={spurious_max:.5f}"
        )
    assert not missing, f"{method} missed {len(missing)} of {len(expected)} expected amplicons"
    assert spurious_max <= 0.001, f"{method}: a spurious ASV reaches {spurious_max:.4%}"
    tracking = pd.read_csv(tmp_path / "results/qc/read_tracking.tsv", sep="\t")
    assert (tracking["taxonomy_kept"] > 0).all()
    assert tracking["flag"].isna().all()
