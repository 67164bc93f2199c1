"""Group comparison (gutbrain.compare): contrasts checked against the sheet, rank and model
tests, compositional genus tests, drivers and bias checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from gutbrain.compare import (
    RESULT_COLUMNS,
    CompareSettings,
    bias_checks,
    compare_genera,
    compare_values,
    hodges_lehmann,
    plan_contrasts,
    rank_test,
    route_drivers,
)
from gutbrain.errors import InputError


def _sheet(groups: dict[str, int], **columns) -> pd.DataFrame:
    samples, labels = [], []
    for group, n in groups.items():
        for i in range(n):
            samples.append(f"{group}{i + 1}")
            labels.append(group)
    sheet = pd.DataFrame({"group": labels}, index=pd.Index(samples, name="sample"))
    for name, values in columns.items():
        sheet[name] = values
    return sheet


def _settings(**kw) -> CompareSettings:
    return CompareSettings(**{"column": "group", "reference": "control", **kw})


# --------------------------------------------------------------------------- contrasts


def test_each_level_against_the_reference_and_all_pairs() -> None:
    sheet = _sheet({"control": 4, "dep": 4, "anx": 3})
    names = [c.name for c in plan_contrasts(sheet, _settings())]
    assert names == ["anx_vs_control", "dep_vs_control"]
    pairs = [c.name for c in plan_contrasts(sheet, _settings(contrasts="all_pairs"))]
    assert pairs == ["control_vs_anx", "dep_vs_anx", "dep_vs_control"]
    only = plan_contrasts(sheet.assign(group=list(sheet["group"][:-1]) + ["tiny"]),
                          _settings(levels=("control", "dep")))
    assert [c.name for c in only] == ["dep_vs_control"]  # 'tiny' and 'anx' left out
    contrast = plan_contrasts(sheet, _settings())[1]
    assert contrast.test_samples == ("dep1", "dep2", "dep3", "dep4")
    assert contrast.reference_samples == ("control1", "control2", "control3", "control4")


@pytest.mark.parametrize(("settings", "sheet", "words"), [
    (_settings(column="diagnosis"), _sheet({"control": 3, "dep": 3}),
     ["column 'diagnosis'", "is not a column of the sample sheet"]),
    (_settings(levels=("control", "sad")), _sheet({"control": 3, "dep": 3}),
     ["level(s) sad (compare.levels)", "levels: control, dep"]),
    (_settings(reference="healthy"), _sheet({"control": 3, "dep": 3}),
     ["reference level 'healthy'", "levels: control, dep"]),
    (_settings(), _sheet({"control": 3, "dep": 2}),
     ["level 'dep'", "2 sample(s) (dep1, dep2)", "compare.min_group_size (3)"]),
    (_settings(covariates=("age",)), _sheet({"control": 3, "dep": 3}),
     ["covariate 'age'", "is not a column"]),
    (_settings(covariates=("sex",)),
     _sheet({"control": 3, "dep": 3}, sex=["f", "m", "f", "f", "f", "f"]),
     ["covariate 'sex' is constant within level 'dep'", "dep1, dep2, dep3"]),
    (_settings(covariates=("age",)),
     _sheet({"control": 3, "dep": 3}, age=[30, 40, None, 35, 45, 50]),
     ["covariate 'age' has no value for sample(s) control3"]),
    (_settings(), _sheet({"control": 3, "dep": 3}).assign(group=["control"] * 3
                                                           + ["dep", "", "dep"]),
     ["column 'group' has no value for sample(s) dep2"]),
])
def test_bad_settings_name_column_level_and_samples(settings, sheet, words) -> None:
    with pytest.raises(InputError) as err:
        plan_contrasts(sheet, settings)
    for word in words:
        assert word in str(err.value)


# --------------------------------------------------------------------------- tests


def test_hodges_lehmann_shift_and_interval() -> None:
    x = np.array([0.30, 0.32, 0.35, 0.40, 0.41])
    y = np.array([0.10, 0.12, 0.15, 0.18, 0.20])
    estimate, low, high = hodges_lehmann(x, y)
    assert estimate == pytest.approx(np.median(np.subtract.outer(x, y)))
    assert low <= estimate <= high and low > 0
    p, method = rank_test(x, y)
    assert p == pytest.approx(2 / 252) and method == "Mann-Whitney"  # exact, 5 vs 5


def test_mostly_zero_values_get_a_permutation_p() -> None:
    x = np.array([0.0, 0.0, 0.0, 0.2, 0.3, 0.4])
    y = np.zeros(6)
    p, method = rank_test(x, y)
    assert "label permutations" in method and 0.05 < p < 0.3
    assert rank_test(np.zeros(3), np.zeros(3)) == (1.0, "Mann-Whitney (all values equal)")


def test_compare_values_rows_without_covariates() -> None:
    sheet = _sheet({"control": 5, "dep": 5})
    contrast = plan_contrasts(sheet, _settings())[0]
    rng = np.random.default_rng(3)
    values = pd.DataFrame(
        {s: [0.3 if s.startswith("dep") else 0.1, rng.uniform(0.1, 0.2)] for s in sheet.index},
        index=["BUT_ACETYL_COA", "GABA_GAD"])
    values.loc["GABA_GAD", "dep1"] = np.nan  # a sample without a value is left out
    table = compare_values(values, contrast, "routes", "share", 0.1,
                           labels={"BUT_ACETYL_COA": "butyrate"},
                           drivers={"BUT_ACETYL_COA": "Faecalibacterium +20.0 pp"})
    assert list(table.columns) == RESULT_COLUMNS
    but = table.set_index("feature").loc["BUT_ACETYL_COA"]
    assert but["effect"] == pytest.approx(0.2) and but["significant"] == "yes"
    assert but["label"] == "butyrate" and but["drivers"].startswith("Faecalibacterium")
    gaba = table.set_index("feature").loc["GABA_GAD"]
    assert gaba["n_test"] == 4 and gaba["n_reference"] == 5
    assert gaba["q"] >= gaba["p"]


def test_compare_values_with_a_covariate_uses_a_model() -> None:
    rng = np.random.default_rng(5)
    n = 8
    age = rng.uniform(20, 60, 2 * n)
    sheet = _sheet({"control": n, "dep": n}, age=age)
    contrast = plan_contrasts(sheet, _settings(covariates=("age",)))[0]
    share = np.where(sheet["group"] == "dep", 0.05, 0.20) + rng.normal(0, 0.01, 2 * n)
    values = pd.DataFrame([share], index=["BUT_KINASE"], columns=sheet.index)
    row = compare_values(values, contrast, "routes", "share", 0.1).iloc[0]
    assert row["effect_unit"] == "log odds ratio" and row["effect"] < 0
    assert row["ci_low"] < row["effect"] < row["ci_high"] < 0
    assert "fractional logit" in row["method"] and "age" in row["method"]
    copies = compare_values(values * 3, contrast, "enzymes", "copies", 0.1).iloc[0]
    assert copies["effect_unit"] == "log2 ratio" and copies["effect"] == pytest.approx(
        np.log2(0.05 / 0.20), abs=0.3)


def test_genera_with_dirmult_ttest_and_ancombc() -> None:
    rng = np.random.default_rng(7)
    n = 6
    sheet = _sheet({"control": n, "dep": n}, age=rng.uniform(20, 60, 2 * n))
    counts = pd.DataFrame(rng.poisson(50, (5, 2 * n)) + 1, columns=sheet.index,
                          index=["Faecalibacterium", "Bacteroides", "Roseburia", "Blautia",
                                 "Alistipes"])
    counts.loc["Faecalibacterium", [s for s in sheet.index if s.startswith("dep")]] //= 8
    plain = plan_contrasts(sheet, _settings())[0]
    table = compare_genera(counts, plain, 0.1).set_index("feature")
    assert table.loc["Faecalibacterium", "effect"] < -1.5
    assert table.loc["Faecalibacterium", "significant"] == "yes"
    assert "dirmult_ttest" in table.loc["Faecalibacterium", "method"]
    adjusted = plan_contrasts(sheet, _settings(covariates=("age",)))[0]
    table = compare_genera(counts, adjusted, 0.1).set_index("feature")
    assert table.loc["Faecalibacterium", "effect"] < -1.5
    assert "ancombc" in table.loc["Faecalibacterium", "method"]


def test_drivers_and_bias_checks() -> None:
    sheet = _sheet({"control": 3, "dep": 3})
    contrast = plan_contrasts(sheet, _settings())[0]
    measures = pd.DataFrame({"sample": list(sheet.index), "route": "R",
                             "carrier_share": [0.2, 0.2, 0.2, 0.1, 0.1, 0.1]})
    contributors = pd.DataFrame({
        "sample": [s for s in sheet.index for _ in range(2)], "route": "R",
        "genus": ["Faecalibacterium", "Roseburia"] * 6,
        "share": [0.5, 0.5] * 3 + [0.2, 0.8] * 3})
    # test (dep) minus reference (control): Faecalibacterium 0.02 - 0.10, Roseburia 0.08 - 0.10
    assert route_drivers(contributors, measures, contrast)["R"] == (
        "Faecalibacterium -8.0 pp; Roseburia -2.0 pp")
    sheet = _sheet({"control": 5, "dep": 5})
    contrast = plan_contrasts(sheet, _settings())[0]
    depth = pd.Series([100, 110, 120, 130, 140, 1000, 1100, 1200, 1300, 1400], index=sheet.index)
    predicted = pd.Series(0.8, index=sheet.index)
    checks = bias_checks(depth, predicted, contrast).set_index("measure")
    assert "differ in reads" in checks.loc["reads", "note"]
    assert checks.loc["fraction_reads_predicted", "note"] == ""
