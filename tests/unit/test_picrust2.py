"""Tests for gutbrain.picrust2: PICRUSt2 output parsers checked against PICRUSt2's own test data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from gutbrain.errors import InputError
from gutbrain.picrust2 import (
    read_marker_predictions,
    read_pred_metagenome_unstrat,
    read_predicted_functions,
    to_asv_ko,
    to_asv_predictions,
)
from gutbrain.predict import PREDICTION_COLUMNS, ko_abundance, ko_contributions, sample_confidence


@pytest.fixture(scope="module")
def metagenome_dir(shared_data: Path) -> Path:
    return shared_data / "picrust2" / "tests_metagenome_pipeline"


def read_abundance(path: Path) -> pd.DataFrame:
    """PICRUSt2's study-sequence abundance table as our ASV table layout (IDs kept as text)."""
    table = pd.read_csv(path, sep="\t", dtype={"seq": str})
    return table.rename(columns={"seq": "asv_id"})


def test_parsers_on_tiny_files(tmp_path: Path) -> None:
    ko = tmp_path / "KO_predicted.tsv"
    ko.write_text("sequence\tK00001\tko:K00002\tmetadata_NSTI\nA1\t1\t0\t0.05\nA2\t2\t3\t2.5\n")
    marker = tmp_path / "marker_predicted_and_nsti.tsv"
    marker.write_text("sequence\t16S_rRNA_Count\tmetadata_NSTI\nA1\t2\t0.05\nA2\t1\t2.5\n")
    unstrat = tmp_path / "pred_metagenome_unstrat.tsv"
    unstrat.write_text("function\tS1\tS2\tdescription\nko:K00001\t1.5\t0\tsomething\n")

    functions, nsti = read_predicted_functions(ko)
    assert list(functions.columns) == ["K00001", "K00002"]
    assert nsti is not None and nsti.to_dict() == pytest.approx({"A1": 0.05, "A2": 2.5})
    only, _ = read_predicted_functions(ko, kos=["K00002"])
    assert list(only.columns) == ["K00002"]

    m = read_marker_predictions(marker)
    preds = to_asv_predictions(m, ["A1", "A2", "A3"], max_nsti=2.0)
    assert list(preds.columns) == PREDICTION_COLUMNS
    assert preds["status"].tolist() == ["predicted", "too_distant", "no_hit"]
    assert preds["distance"].iloc[:2].tolist() == pytest.approx([0.05, 2.5])
    assert preds["copies_16s"].iloc[0] == 2.0 and preds["copies_16s"].iloc[1:].isna().all()
    asv_ko = to_asv_ko(functions, preds)
    assert list(asv_ko.index) == ["A1"]

    table = read_pred_metagenome_unstrat(unstrat)
    assert table.index.tolist() == ["K00001"] and list(table.columns) == ["S1", "S2"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sequence\t16S_rRNA_Count\nA1\t0\n", "16S copy number 0 < 1"),
        ("sequence\tcount\nA1\t1\n", "no 16S_rRNA_Count column"),
        ("sequence\t16S_rRNA_Count\nA1\tx\n", "line 2 (sequence A1)"),
    ],
)
def test_marker_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "marker.tsv"
    path.write_text(text)
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_marker_predictions(path)


@pytest.mark.shared_data
def test_ko_abundance_matches_picrust2_metagenome_pipeline(metagenome_dir: Path) -> None:
    """Our ko_abundance on PICRUSt2's test inputs equals its expected unstratified output.

    The test inputs have one 16S copy per sequence, so PICRUSt2's 2-decimal rounding of the
    copy-normalised table changes nothing and the agreement is exact. The function ``extra``
    is all zero and absent from PICRUSt2's output; the sequence ``extra`` is in the abundance
    table only and is dropped by both (our status ``no_hit``).
    """
    functions, _ = read_predicted_functions(metagenome_dir / "test_predicted_func.tsv.gz")
    marker = read_marker_predictions(metagenome_dir / "test_predicted_marker.tsv.gz")
    table = read_abundance(metagenome_dir / "test_input_sequence_abun.tsv.gz")
    preds = to_asv_predictions(marker, table["asv_id"])
    assert preds.set_index("asv_id").loc["extra", "status"] == "no_hit"
    ours = ko_abundance(table, preds, to_asv_ko(functions, preds))
    ours = ours[(ours != 0).any(axis=1)]
    expected = read_pred_metagenome_unstrat(
        metagenome_dir / "metagenome_out" / "pred_metagenome_unstrat.tsv.gz")
    pd.testing.assert_frame_equal(ours.sort_index(), expected.sort_index(), check_names=False)


@pytest.mark.shared_data
def test_contributions_match_picrust2_stratified_output(metagenome_dir: Path) -> None:
    functions, _ = read_predicted_functions(metagenome_dir / "test_predicted_func.tsv.gz")
    marker = read_marker_predictions(metagenome_dir / "test_predicted_marker.tsv.gz")
    table = read_abundance(metagenome_dir / "test_input_sequence_abun.tsv.gz")
    preds = to_asv_predictions(marker, table["asv_id"])
    contrib = ko_contributions(table, preds, to_asv_ko(functions, preds), {},
                               list(functions.columns))
    ours = contrib.assign(sample=contrib["sample"].astype(str), ko=contrib["ko"].astype(str),
                          asv_id=contrib["asv_id"].astype(str))
    ours = ours.set_index(["ko", "asv_id", "sample"])["abundance"].sort_index()
    strat = pd.read_csv(metagenome_dir / "metagenome_out" / "pred_metagenome_strat.tsv.gz",
                        sep="\t", dtype={"sequence": str})
    long = strat.melt(id_vars=["function", "sequence"], var_name="sample", value_name="abundance")
    long = long[long["abundance"] > 0]
    expected = long.set_index(["function", "sequence", "sample"])["abundance"].sort_index()
    assert len(ours) == len(expected)
    assert ours.to_numpy() == pytest.approx(expected.to_numpy())
    assert list(ours.index) == list(expected.index)


@pytest.mark.shared_data
def test_nsti_becomes_distance(shared_data: Path) -> None:
    hsp = shared_data / "picrust2" / "tests_hsp" / "hsp_output" / "mp_pred_out_nsti.tsv.gz"
    functions, nsti = read_predicted_functions(hsp)
    assert nsti is not None
    assert list(functions.columns) == ["EC:3.4.21.19", "EC:3.6.3.12", "EC:3.5.1.28"]
    raw = pd.read_csv(hsp, sep="\t", dtype={"sequence": str}).set_index("sequence")
    marker = pd.DataFrame({"copies_16s": 1.0, "nsti": nsti})
    preds = to_asv_predictions(marker, raw.index, max_nsti=0.002).set_index("asv_id")
    assert preds["distance"].to_numpy() == pytest.approx(raw["metadata_NSTI"].to_numpy())
    # 2558860574 is the one sequence with NSTI 0.00327 > 0.002
    assert preds.index[preds["status"] == "too_distant"].tolist() == ["2558860574"]
    counts = pd.DataFrame({"asv_id": raw.index, "S1": np.arange(1, len(raw) + 1)})
    conf = sample_confidence(counts, preds.reset_index())
    kept = preds["status"] == "predicted"
    weights = counts.set_index("asv_id")["S1"][kept.to_numpy()]
    expected = float((weights * preds.loc[kept, "distance"]).sum() / weights.sum())
    assert conf["weighted_distance"].iloc[0] == pytest.approx(expected)
