"""Taxonomy-based prediction from genus profiles: statuses, copy numbers, abundances, confidence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from gutbrain.errors import InputError
from gutbrain.genus_predict import (
    assign_profiles,
    predict_tables,
    sample_confidence,
)
from gutbrain.genus_profile import GenusProfile


@pytest.fixture()
def profile() -> GenusProfile:
    genera = pd.DataFrame(
        {"n_genomes": [10, 4, 2], "n_genomes_16s": [10, 4, 0],
         "mean_16s_copies": [5.0, 2.0, np.nan]},
        index=pd.Index(["Bacteroides", "Roseburia", "Rarella"], name="genus"),
    )
    ec = pd.DataFrame(
        {"EC:4.1.1.15": [1.0, 0.0, 0.0], "EC:2.7.2.7": [0.0, 1.0, 0.5],
         "EC:2.7.2.1": [1.0, 2.0, 1.0]},
        index=genera.index, dtype=np.float32,
    )
    ko_ec = pd.DataFrame({"ko": ["K01580", "K00929", "K00925"],
                          "ec": ["EC:4.1.1.15", "EC:2.7.2.7", "EC:2.7.2.1"]})
    return GenusProfile(genera=genera, ec=ec, fraction=(ec > 0).astype(np.float32),
                        ko_ec=ko_ec, manifest={"name": "test", "kind": "genus_profile"})


@pytest.fixture()
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {"s1": [50, 20, 30, 0, 10], "s2": [0, 40, 0, 60, 0]},
        index=pd.Index(["a1", "a2", "a3", "a4", "a5"], name="asv_id"),
    )


GENUS = {"a1": "g__Bacteroides", "a2": "[Roseburia]", "a3": "", "a4": "Unknownia",
         "a5": "Rarella"}


def test_statuses_and_copy_numbers(profile: GenusProfile, table: pd.DataFrame) -> None:
    preds = assign_profiles(GENUS, table.index, profile).set_index("asv_id")
    assert preds["status"].to_dict() == {"a1": "predicted", "a2": "predicted",
                                         "a3": "no_genus", "a4": "no_profile",
                                         "a5": "predicted"}
    assert preds.loc["a1", "copies_16s"] == 5.0
    # No known copy number for Rarella: the median of the genera that have one.
    assert preds.loc["a5", "copies_16s"] == 3.5
    assert preds.loc["a5", "copies_16s_source"] == "reference_median"
    assert preds.loc["a4", "profile_genus"] == "Unknownia"


def test_abundance_is_copy_normalised_profile_sum(profile: GenusProfile,
                                                  table: pd.DataFrame) -> None:
    preds = assign_profiles(GENUS, table.index, profile)
    out = predict_tables(table, preds, profile, ["K01580", "K00929", "K99999"])
    ec = out["ec_abundance"]
    # s1: Bacteroides 50/5 = 10 cells, Roseburia 20/2 = 10, Rarella 10/3.5
    assert ec.loc["EC:4.1.1.15", "s1"] == pytest.approx(10.0)
    assert ec.loc["EC:2.7.2.7", "s1"] == pytest.approx(10.0 + 0.5 * 10 / 3.5)
    assert ec.loc["EC:2.7.2.1", "s2"] == pytest.approx(2.0 * 40 / 2)
    ko = out["ko_abundance"]
    assert ko.loc["K01580", "s1"] == pytest.approx(10.0)
    assert "K99999" not in ko.index  # a KO the reference cannot see is not a row
    assert list(out["asv_ko"].columns) == ["K01580", "K00929"]
    assert set(out["asv_ko"].index) == {"a1", "a2", "a5"}


def test_unpredicted_reads_contribute_nothing_but_are_counted(profile: GenusProfile,
                                                              table: pd.DataFrame) -> None:
    preds = assign_profiles(GENUS, table.index, profile)
    conf = sample_confidence(table, preds).set_index("sample")
    assert conf.loc["s1", "fraction_reads_predicted"] == pytest.approx(80 / 110)
    assert conf.loc["s2", "fraction_reads_predicted"] == pytest.approx(40 / 100)
    assert conf.loc["s1", "genomes_per_read"] == pytest.approx((50 * 10 + 20 * 4 + 10 * 2) / 80)
    assert conf.loc["s2", "n_genera_predicted"] == 1
    assert conf.loc["s1", "reads_total"] == 110
    assert np.isnan(conf.loc["s1", "weighted_distance"])


def test_empty_sample_has_no_predicted_reads(profile: GenusProfile) -> None:
    table = pd.DataFrame({"s": [0, 0]}, index=pd.Index(["a1", "a2"], name="asv_id"))
    preds = assign_profiles(GENUS, table.index, profile)
    conf = sample_confidence(table, preds)
    assert conf.loc[0, "fraction_reads_predicted"] == 0
    assert np.isnan(conf.loc[0, "genomes_per_read"])


def test_duplicate_asv_ids_are_refused(profile: GenusProfile) -> None:
    with pytest.raises(InputError, match="duplicated ASV ID"):
        assign_profiles(GENUS, ["a1", "a1"], profile)


def test_table_asv_without_prediction_is_an_error(profile: GenusProfile,
                                                  table: pd.DataFrame) -> None:
    preds = assign_profiles(GENUS, ["a1", "a2"], profile)
    with pytest.raises(InputError, match="no prediction row"):
        predict_tables(table, preds, profile, [])
