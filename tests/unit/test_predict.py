"""Tests for gutbrain.predict: vsearch hits, nearest-genome prediction and per-sample tables."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from gutbrain.bundle import ReferenceBundle, load_bundle, write_search_db
from gutbrain.errors import InputError
from gutbrain.predict import (
    CONFIDENCE_COLUMNS,
    PREDICTION_COLUMNS,
    ko_abundance,
    ko_contributions,
    parse_hits,
    predict_asv_traits,
    predict_asvs,
    run_vsearch_search,
    sample_confidence,
    select_hits,
    summarise_status,
    vsearch_command,
)

HITS = (
    "A1\tG1|1\t100.0\n"
    "A1\tG1|2\t99.0\n"
    "A1\tG2|1\t99.8\n"
    "A1\tG3|1\t90.0\n"
    "A2\tG3|1\t96.0\n"
    "A3\tG2|1\t80.0\n"
    "A4\t*\t0.0\n"
)


def tiny_bundle(taxonomy: bool = True) -> ReferenceBundle:
    """Three genomes, two KOs, with 16S copies 1, 2 and 4."""
    ko = pd.DataFrame({"K00001": [1.0, 3.0, 0.0], "K00002": [0.0, 2.0, 5.0]},
                      index=pd.Index(["G1", "G2", "G3"], name="genome"), dtype=np.float32)
    copies = pd.Series([1.0, 2.0, 4.0], index=ko.index, name="copies_16s")
    tax = pd.Series(["g__One", "g__Two", "g__Three"], index=ko.index) if taxonomy else None
    return ReferenceBundle(name="tiny", version="1", kind="genome", ko=ko, copies_16s=copies,
                           taxonomy=tax, fasta=Path("unused.fna"))


@pytest.fixture
def hits(tmp_path: Path) -> pd.DataFrame:
    path = tmp_path / "hits.tsv"
    path.write_text(HITS)
    return parse_hits(path)


def test_parse_hits(hits: pd.DataFrame) -> None:
    assert list(hits.columns) == ["query", "target", "genome", "identity"]
    assert "A4" not in set(hits["query"])
    a1 = hits[hits["query"] == "A1"]
    # best hit per genome kept (G1|1 at 100 %, not G1|2), sorted by identity
    assert a1["genome"].tolist() == ["G1", "G2", "G3"]
    assert a1["identity"].tolist() == pytest.approx([1.0, 0.998, 0.90])


def test_parse_empty_hits(tmp_path: Path) -> None:
    path = tmp_path / "hits.tsv"
    path.write_text("")
    assert parse_hits(path).empty


@pytest.mark.parametrize(
    ("k", "window", "genomes", "weights"),
    [
        (5, 0.005, ["G1", "G2"], [1.0 / 1.998, 0.998 / 1.998]),
        (1, 0.005, ["G1"], [1.0]),
        (5, 0.0, ["G1"], [1.0]),
        (5, None, ["G1", "G2", "G3"], [1.0 / 2.898, 0.998 / 2.898, 0.9 / 2.898]),
    ],
)
def test_select_hits(hits: pd.DataFrame, k: int, window: float | None, genomes: list,
                     weights: list) -> None:
    sel = select_hits(hits[hits["query"] == "A1"], k=k, window=window)
    assert sel["genome"].tolist() == genomes
    assert sel["weight"].tolist() == pytest.approx(weights)


def test_predict_asvs(hits: pd.DataFrame) -> None:
    preds, asv_ko = predict_asvs(hits, tiny_bundle(), ["A1", "A2", "A3", "A4", "A5"],
                                 max_distance=0.1)
    assert list(preds.columns) == PREDICTION_COLUMNS + ["nearest_taxonomy"]
    assert preds["asv_id"].tolist() == ["A1", "A2", "A3", "A4", "A5"]
    assert preds["status"].tolist() == ["predicted", "predicted", "too_distant", "no_hit",
                                        "no_hit"]
    assert preds["nearest_genome"].tolist() == ["G1", "G3", "G2", "", ""]
    assert preds["distance"].iloc[:3].tolist() == pytest.approx([0.0, 0.04, 0.2])
    assert preds["n_hits"].tolist() == [2, 1, 1, 0, 0]
    assert preds["nearest_taxonomy"].tolist() == ["g__One", "g__Three", "g__Two", "", ""]
    w1, w2 = 1.0 / 1.998, 0.998 / 1.998
    assert preds["copies_16s"].iloc[0] == pytest.approx(w1 * 1 + w2 * 2)
    assert preds["copies_16s"].iloc[1] == pytest.approx(4.0)
    assert preds["copies_16s"].iloc[2:].isna().all()
    assert list(asv_ko.index) == ["A1", "A2"]
    assert asv_ko.loc["A1"].tolist() == pytest.approx([w1 * 1 + w2 * 3, w2 * 2], rel=1e-6)
    assert asv_ko.loc["A2"].tolist() == pytest.approx([0.0, 5.0])
    assert summarise_status(preds) == {"predicted": 2, "too_distant": 1, "no_hit": 2}


def test_predict_asv_traits_uses_the_same_genomes_and_weights(hits: pd.DataFrame) -> None:
    """A trait table equal to the KO table gives the KO predictions; an EC table its own."""
    bundle = tiny_bundle()
    preds, asv_ko = predict_asvs(hits, bundle, ["A1", "A2", "A3", "A4"], max_distance=0.1)
    same = predict_asv_traits(hits, preds, bundle.ko)
    pd.testing.assert_frame_equal(same, asv_ko, check_names=False)
    ec = pd.DataFrame({"EC:1.1.1.1": [2.0, 0.0, 1.0]}, index=bundle.ko.index)
    asv_ec = predict_asv_traits(hits, preds, ec)
    w1, w2 = 1.0 / 1.998, 0.998 / 1.998
    assert list(asv_ec.index) == ["A1", "A2"]
    assert asv_ec["EC:1.1.1.1"].tolist() == pytest.approx([w1 * 2.0 + w2 * 0.0, 1.0], rel=1e-6)
    with pytest.raises(InputError, match="not in the trait table"):
        predict_asv_traits(hits, preds, ec.drop(index="G3"))


def test_predict_asvs_without_taxonomy(hits: pd.DataFrame) -> None:
    preds, _ = predict_asvs(hits, tiny_bundle(taxonomy=False), ["A1"], max_distance=0.1)
    assert list(preds.columns) == PREDICTION_COLUMNS


def test_predict_asvs_unknown_genome(tmp_path: Path) -> None:
    path = tmp_path / "hits.tsv"
    path.write_text("A1\tGX|1\t99.0\n")
    with pytest.raises(InputError, match="GX"):
        predict_asvs(parse_hits(path), tiny_bundle(), ["A1"], max_distance=0.1)


@pytest.fixture
def predicted(hits: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    preds, asv_ko = predict_asvs(hits, tiny_bundle(), ["A1", "A2", "A3", "A4"], max_distance=0.1)
    table = pd.DataFrame({"asv_id": ["A1", "A2", "A3", "A4"], "S1": [10, 8, 5, 0],
                          "S2": [0, 4, 0, 0], "S3": [0, 0, 0, 0], "S4": [0, 0, 3, 7]})
    return table, preds, asv_ko


def test_ko_abundance(predicted: tuple) -> None:
    table, preds, asv_ko = predicted
    result = ko_abundance(table, preds, asv_ko)
    copies = preds.set_index("asv_id")["copies_16s"]
    expected_s1 = (10 / copies["A1"]) * asv_ko.loc["A1"] + (8 / 4.0) * asv_ko.loc["A2"]
    assert result.index.name == "ko"
    assert list(result.columns) == ["S1", "S2", "S3", "S4"]
    assert result["S1"].tolist() == pytest.approx(expected_s1.tolist(), rel=1e-6)
    assert result["S2"].tolist() == pytest.approx([0.0, 5.0])
    assert result["S3"].tolist() == [0.0, 0.0]
    assert result["S4"].tolist() == [0.0, 0.0]  # only too_distant / no_hit ASVs


def test_ko_abundance_accepts_index_and_rejects_unknown_asvs(predicted: tuple) -> None:
    table, preds, asv_ko = predicted
    by_index = ko_abundance(table.set_index("asv_id"), preds, asv_ko)
    pd.testing.assert_frame_equal(by_index, ko_abundance(table, preds, asv_ko))
    extra = pd.concat([table, pd.DataFrame({"asv_id": ["A9"], "S1": [1], "S2": [0], "S3": [0],
                                            "S4": [0]})])
    with pytest.raises(InputError, match="A9"):
        ko_abundance(extra, preds, asv_ko)


def test_ko_contributions(predicted: tuple) -> None:
    table, preds, asv_ko = predicted
    genus = {"A1": "Alpha", "A2": "Beta"}
    contrib = ko_contributions(table, preds, asv_ko, genus, ["K00001", "ko:K00002", "K09999"])
    assert list(contrib.columns) == ["sample", "ko", "asv_id", "genus", "abundance", "share"]
    assert (contrib["abundance"] > 0).all()
    assert set(contrib["ko"].astype(str)) == {"K00001", "K00002"}
    totals = contrib.groupby(["sample", "ko"], observed=True)["abundance"].sum()
    abundance = ko_abundance(table, preds, asv_ko)
    for (sample, ko), value in totals.items():
        assert value == pytest.approx(abundance.loc[ko, sample])
    shares = contrib.groupby(["sample", "ko"], observed=True)["share"].sum()
    assert shares.to_numpy() == pytest.approx(np.ones(len(shares)))
    s1_k2 = contrib[(contrib["sample"] == "S1") & (contrib["ko"] == "K00002")]
    assert s1_k2["asv_id"].astype(str).tolist() == ["A2", "A1"]  # decreasing abundance
    assert s1_k2["genus"].astype(str).tolist() == ["Beta", "Alpha"]
    top = ko_contributions(table, preds, asv_ko, genus, ["K00002"], min_share=0.5)
    assert (top["share"] >= 0.5).all() and len(top) == 2


def test_sample_confidence(predicted: tuple) -> None:
    table, preds, _ = predicted
    conf = sample_confidence(table, preds).set_index("sample")
    s1 = conf.loc["S1"]
    assert s1["reads_total"] == 23 and s1["reads_predicted"] == 18
    assert s1["fraction_reads_predicted"] == pytest.approx(18 / 23)
    assert s1["weighted_distance"] == pytest.approx((10 * 0.0 + 8 * 0.04) / 18)
    assert (s1["n_asvs"], s1["n_asvs_predicted"]) == (3, 2)
    assert np.isnan(conf.loc["S3", "weighted_distance"])  # zero reads: no crash
    assert conf.loc["S3", "fraction_reads_predicted"] == 0.0
    assert np.isnan(conf.loc["S4", "weighted_distance"])  # reads, none predicted
    assert conf.loc["S4", "fraction_reads_predicted"] == 0.0
    assert list(conf.reset_index().columns) == CONFIDENCE_COLUMNS
    assert set(conf["method"]) == {"nearest"} and conf["genomes_per_read"].isna().all()
    assert conf["n_genera_predicted"].isna().all()  # no genus map given


def test_sample_confidence_names_the_method_and_counts_genera(predicted: tuple) -> None:
    table, preds, _ = predicted
    conf = sample_confidence(table, preds, "picrust2",
                             {"A1": "Roseburia", "A2": "Blautia", "A3": "Roseburia"})
    conf = conf.set_index("sample")
    assert set(conf["method"]) == {"picrust2"}
    assert conf.loc["S1", "n_genera_predicted"] == 2  # A1 and A2 predicted; A3 too distant


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, ["--maxaccepts", "5", "--id", "0.8", "--threads", "2"]),
        ({"maxaccepts": 9}, ["--maxaccepts", "9"]),
    ],
)
def test_vsearch_command(kwargs: dict, expected: list) -> None:
    cmd = vsearch_command("asvs.fa", "db.fa", "hits.tsv", k=5, min_identity=0.8, threads=2,
                          **kwargs)
    assert cmd[:2] == ["vsearch", "--usearch_global"]
    for flag, value in zip(expected[::2], expected[1::2], strict=True):
        assert cmd[cmd.index(flag) + 1] == value
    assert "--output_no_hits" in cmd
    assert cmd[cmd.index("--userfields") + 1] == "query+target+id"


@pytest.mark.parametrize(("k", "min_identity"), [(0, 0.9), (3, 0.0), (3, 1.5)])
def test_vsearch_command_rejects_bad_parameters(k: int, min_identity: float) -> None:
    with pytest.raises(InputError):
        vsearch_command("a", "b", "c", k=k, min_identity=min_identity)


@pytest.mark.skipif(shutil.which("vsearch") is None, reason="vsearch not installed")
def test_run_vsearch_end_to_end(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    seqs = ["".join(rng.choice(list("ACGT"), size=300)) for _ in range(3)]
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "16S.fna").write_text("".join(f">G{i}\n{s}\n" for i, s in enumerate(seqs)))
    (folder / "ko.txt").write_text("assembly\tK00001\nG0\t1\nG1\t2\nG2\t3\n")
    (folder / "16S.txt").write_text("assembly\t16S_rRNA_Count\nG0\t1\nG1\t1\nG2\t2\n")
    bundle = load_bundle(folder)
    db = tmp_path / "db.fasta"
    write_search_db(bundle, db)
    query = seqs[1][20:270]
    mutated = query[:100] + ("A" if query[100] != "A" else "C") + query[101:]
    unrelated = "".join(rng.choice(list("ACGT"), size=250))
    asvs = tmp_path / "asvs.fasta"
    asvs.write_text(f">exact\n{query}\n>one_mismatch\n{mutated}\n>none\n{unrelated}\n")
    out = run_vsearch_search(asvs, db, tmp_path / "hits.tsv", k=3, min_identity=0.9, threads=1)
    assert "none\t*" in out.read_text()
    preds, asv_ko = predict_asvs(parse_hits(out), bundle, ["exact", "one_mismatch", "none"],
                                 max_distance=0.03)
    assert preds["nearest_genome"].tolist() == ["G1", "G1", ""]
    assert preds["identity"].iloc[0] == pytest.approx(1.0)
    assert preds["identity"].iloc[1] == pytest.approx(249 / 250, abs=1e-3)
    assert preds["status"].tolist() == ["predicted", "predicted", "no_hit"]
    assert asv_ko.loc["exact", "K00001"] == pytest.approx(2.0)
