"""Tests for gutbrain.scoring: Omixer-RPM conformance on upstream expected values; tiny modules."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from gutbrain.errors import InputError
from gutbrain.modules import Module, parse_omixer_modules
from gutbrain.scoring import (
    module_contributions,
    normalise_algorithm,
    path_scores,
    score_modules,
)

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
EXPECTED = SHARED / "omixer_rpm_testdata" / "EXPECTED_VALUES.tsv"

# The R rows of EXPECTED_VALUES.tsv name the estimator "ACR", but the upstream R test calls
# rpm() without score.estimator, whose default is "median" (omixer-rpmR R/rpm.R; the Java CLI
# default is ABUNDANCE_COVERAGE_MEDIAN_BASED too). The expected numbers are the median ones:
# the average estimator gives 7465.2 instead of 5457.398359 for MF0004 in S1.
R_DEFAULT_ESTIMATOR = "MED"


def _expected_rows() -> list[dict[str, str]]:
    if not EXPECTED.is_file():
        return []
    with open(EXPECTED, encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def _row_id(row: dict[str, str]) -> str:
    return f"{row['source']}-{row['input'][:28]}-{row['algorithm']}-{row['module']}"


ROWS = _expected_rows()


def _inline_table(text: str) -> pd.DataFrame:
    pairs = [item.split("=") for item in text.split(",")]
    return pd.DataFrame({"S": [float(v) for _, v in pairs]}, index=[k for k, _ in pairs])


def _rounding(printed: str) -> float:
    """Half a unit in the last printed decimal: the table's values are rounded when written."""
    decimals = len(printed.partition(".")[2])
    return 0.5 * 10.0 ** -decimals + 1e-12


def _score(table: pd.DataFrame, modules: list[Module], row: dict[str, str]) -> pd.DataFrame:
    algorithm = R_DEFAULT_ESTIMATOR if row["source"] == "R" else row["algorithm"]
    return score_modules(
        table, modules, float(row["min_coverage"]), algorithm,
        normalize_by_length=row["normalize_by_length"] == "true",
        distribute=row["distribute"] == "true",
    )


@pytest.mark.shared_data
@pytest.mark.parametrize("row", ROWS or [None], ids=[_row_id(r) for r in ROWS] or ["absent"])
def test_omixer_conformance(row: dict[str, str] | None, shared_data: Path) -> None:
    if row is None:
        pytest.skip(f"{EXPECTED} not found")
    tests = shared_data / "omixer_rpm_testdata"
    db = (shared_data / "modules" / "GMMs.v1.07.txt" if row["module_db"] == "GMMs"
          else tests / row["module_db"])
    modules = parse_omixer_modules(db)
    source = row["input"].removesuffix("(per taxon)")
    per_taxon = row["input"].endswith("(per taxon)")

    if "=" in source:
        tables = {"": _inline_table(source)}
    elif per_taxon:
        long = pd.read_csv(tests / source, sep="\t")
        taxon_col, ko_col = long.columns[:2]
        tables = {str(t): g.drop(columns=taxon_col).set_index(ko_col)
                  for t, g in long.groupby(taxon_col)}
    else:
        tables = {"": pd.read_csv(tests / source, sep="\t", index_col=0)}
    results = []
    for taxon, table in tables.items():
        result = _score(table, modules, row)
        result["taxon"] = taxon
        results.append(result)
    scores = pd.concat(results, ignore_index=True)
    scored = scores[scores["status"] == "scored"]

    if row["module"] == "N_modules":
        assert scored["module"].nunique() == int(row["expected_count"])
        return
    if row["module"] == "N_module_taxon_rows":
        assert len(scored[["module", "taxon"]].drop_duplicates()) == int(row["expected_count"])
        return
    module, _, taxon = row["module"].partition("|")
    hit = scored[(scored["module"] == module) & (scored["taxon"] == taxon)]
    if row["sample"] not in ("-", "*"):
        hit = hit[hit["sample"] == row["sample"]]
    assert len(hit) == 1, f"{module} not scored above coverage {row['min_coverage']}"
    expected = row["expected_count"]
    assert hit["score"].iloc[0] == pytest.approx(float(expected), abs=_rounding(expected))
    if row["expected_coverage"] != "NA":
        coverage = row["expected_coverage"]
        assert hit["coverage"].iloc[0] == pytest.approx(float(coverage), abs=_rounding(coverage))


# Upstream spec assertions on how many modules pass the cutoff (ModuleManagerSpecs.groovy).
@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("abundances", "algorithm", "min_coverage", "nbl", "sample", "expected_modules"),
    [
        ("K00004=2,K00005=6,K00011=2", "MED", 0.65, False, "S", {"MF0003"}),
        ("K00001=2,K00002=2", "ACR", 0.66, True, "S", {"MF0001"}),
        ("K00012=8", "SUM", 0.66, False, "S", {"MF0004"}),
        ("K00013=2,K00014=3,K00015=8", "MED", 0.33, True, "S", {"MF0005"}),
        ("matrix.tsv", "ACR", 0.66, True, "S1", {"MF0001", "MF0003"}),
        ("matrix.tsv", "ACR", 0.66, False, "S2", {"MF0003", "MF0004", "MF0005"}),
    ],
)
def test_omixer_modules_above_cutoff(
    shared_data: Path, abundances: str, algorithm: str, min_coverage: float, nbl: bool,
    sample: str, expected_modules: set[str],
) -> None:
    tests = shared_data / "omixer_rpm_testdata"
    modules = parse_omixer_modules(tests / "module-inference.list")
    table = (pd.read_csv(tests / abundances, sep="\t", index_col=0) if "=" not in abundances
             else _inline_table(abundances))
    scores = score_modules(table, modules, min_coverage, algorithm, normalize_by_length=nbl)
    scored = scores[(scores["status"] == "scored") & (scores["sample"] == sample)]
    assert set(scored["module"]) == expected_modules


@pytest.mark.shared_data
def test_lactose_module_ties_and_complex(shared_data: Path) -> None:
    """Upstream debugging case (MF0007): a third of a complex step counts as observed."""
    modules = parse_omixer_modules(shared_data / "omixer_rpm_testdata" / "module-inference.list")
    cases = [
        ({"K01220": 2, "K01819": 4, "K00917": 2}, 2.0, 3 / 5),
        ({"K01220": 2, "K01819": 4, "K00917": 2, "K08302": 2, "K01635": 5}, 3.0, 4 / 5),
        ({"K01220": 2, "K01819": 4, "K00917": 2, "K08302": 2, "K01635": 5, "K02788": 1},
         2.0, 1.0),
    ]
    for abundances, score, coverage in cases:
        table = pd.DataFrame({"S": pd.Series(abundances, dtype=float)})
        result = score_modules(table, modules, 0.55, "MED")
        row = result[result["module"] == "MF0007"].iloc[0]
        assert row["status"] == "scored"
        assert row["score"] == pytest.approx(score)
        assert row["coverage"] == pytest.approx(coverage)


# --------------------------------------------------------------------------- tiny modules

def _module(module_id: str, *steps: str, predictable: bool = True) -> Module:
    """Build a module from steps written as 'K1|K2+K3' (alternatives '|', complex '+')."""
    parsed = tuple(tuple(tuple(alt.split("+")) for alt in step.split("|")) for step in steps)
    return Module(id=module_id, name=module_id, steps=parsed, category="scfa:test",
                  predictable=predictable, reason="" if predictable else "test")


TINY = [
    _module("A", "K00001", "K00002|K00003+K00004", "K00005"),
    _module("B", "K00005"),
    _module("C", "K00006", "K00007"),
]


@pytest.mark.parametrize(
    ("abundances", "algorithm", "nbl", "expected_score", "expected_coverage"),
    [
        # step values A: 4, max(1, (6+0)/2=3) = 3, 0 -> coverage 2/3
        ({"K00001": 4, "K00002": 1, "K00003": 6}, "ACR", False, 7 / 2, 2 / 3),
        ({"K00001": 4, "K00002": 1, "K00003": 6}, "ACR", True, 7 / 3, 2 / 3),
        ({"K00001": 4, "K00002": 1, "K00003": 6}, "SUM", False, 7.0, 2 / 3),
        ({"K00001": 4, "K00002": 1, "K00003": 6}, "SUM", True, 7 / 3, 2 / 3),
        ({"K00001": 4, "K00002": 1, "K00003": 6}, "MED", False, 3.5, 2 / 3),
        ({"K00001": 4, "K00002": 1, "K00003": 6}, "MED", True, 3.0, 2 / 3),
        ({"K00001": 4, "K00002": 1, "K00003": 6}, "MIN", False, 3.0, 2 / 3),
        # complete module: 2, 5 (K00002), 9
        ({"K00001": 2, "K00002": 5, "K00005": 9}, "MED", False, 5.0, 1.0),
        ({"K00001": 2, "K00002": 5, "K00005": 9}, "MIN", True, 2.0, 1.0),
        # one step observed; median over (0, 0, 8) is 0 -> replaced by the smallest positive
        ({"K00005": 8}, "MED", True, 8.0, 1 / 3),
    ],
)
def test_tiny_module_scores(abundances: dict[str, float], algorithm: str, nbl: bool,
                            expected_score: float, expected_coverage: float) -> None:
    table = pd.DataFrame({"S1": pd.Series(abundances, dtype=float)})
    result = score_modules(table, TINY, 0.0, algorithm, normalize_by_length=nbl)
    row = result[result["module"] == "A"].iloc[0]
    assert row["score"] == pytest.approx(expected_score)
    assert row["coverage"] == pytest.approx(expected_coverage)


@pytest.mark.parametrize(
    ("abundances", "report_below", "expected"),
    [
        ({"K00001": 1}, False, {"A": ("below_coverage", None), "B": ("absent", 0.0),
                                "C": ("absent", 0.0), "X": ("not_predictable", None)}),
        ({"K00001": 1}, True, {"A": ("below_coverage", 1.0)}),
        ({"K00006": 2, "K00007": 4, "K00005": 3}, False,
         {"B": ("scored", 3.0), "C": ("scored", 3.0), "A": ("below_coverage", None)}),
    ],
)
def test_status_rules(abundances: dict[str, float], report_below: bool,
                      expected: dict[str, tuple[str, float | None]]) -> None:
    modules = [*TINY, _module("X", "K00001", predictable=False)]
    table = pd.DataFrame({"S1": pd.Series(abundances, dtype=float)})
    result = score_modules(table, modules, 0.66, "ACR", report_below_coverage=report_below)
    assert list(result.columns) == ["module", "name", "category", "sample", "score",
                                    "coverage", "status"]
    by_module = result.set_index("module")
    for module_id, (status, score) in expected.items():
        assert by_module.loc[module_id, "status"] == status
        if score is None:
            assert math.isnan(by_module.loc[module_id, "score"])
        else:
            assert by_module.loc[module_id, "score"] == pytest.approx(score)
    assert math.isnan(by_module.loc["X", "coverage"]) if "X" in by_module.index else True


def test_distribute_divides_shared_kos() -> None:
    # K00005 is named by A and B: each gets 6 / 2 = 3.
    table = pd.DataFrame({"S1": pd.Series({"K00005": 6.0, "K00006": 2.0, "K00007": 2.0})})
    plain = score_modules(table, TINY, 0.0, "SUM").set_index("module")
    split = score_modules(table, TINY, 0.0, "SUM", distribute=True).set_index("module")
    assert plain.loc["B", "score"] == pytest.approx(6.0)
    assert split.loc["B", "score"] == pytest.approx(3.0)
    assert split.loc["C", "score"] == pytest.approx(plain.loc["C", "score"])


def test_duplicate_kos_are_summed_and_samples_kept_in_order() -> None:
    table = pd.DataFrame({"b": [1.0, 2.0], "a": [0.0, 0.0]}, index=["K00005", "K00005"])
    result = score_modules(table, TINY, 0.5, "SUM")
    b_row = result[(result["module"] == "B")]
    assert list(b_row["sample"]) == ["b", "a"]
    assert list(b_row["score"]) == [3.0, 0.0]
    assert list(b_row["status"]) == ["scored", "absent"]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (pd.DataFrame({"S": [-1.0]}, index=["K00001"]), "negative"),
        (pd.DataFrame({"S": [np.nan]}, index=["K00001"]), "NaN"),
        (pd.DataFrame({"S": ["x"]}, index=["K00001"]), "non-numeric"),
    ],
)
def test_bad_abundance_tables(table: pd.DataFrame, message: str) -> None:
    with pytest.raises(InputError, match=message):
        score_modules(table, TINY, 0.5)


@pytest.mark.parametrize(("name", "code"), [("average", "ACR"), ("median", "MED"),
                                            ("sum", "SUM"), ("Min", "MIN"), ("MED", "MED")])
def test_algorithm_names(name: str, code: str) -> None:
    assert normalise_algorithm(name) == code


def test_unknown_algorithm_and_coverage() -> None:
    table = pd.DataFrame({"S": [1.0]}, index=["K00001"])
    with pytest.raises(InputError, match="estimator"):
        score_modules(table, TINY, 0.5, "mode")
    with pytest.raises(InputError, match="min_coverage"):
        score_modules(table, TINY, 1.5)


def test_path_scores_empty_sample_is_zero() -> None:
    values = np.zeros((3, 2))
    for algorithm in ("ACR", "MED", "SUM", "MIN"):
        assert list(path_scores(values, algorithm, False)) == [0.0, 0.0]


# --------------------------------------------------------------------------- contributions

def test_module_contributions_shares_and_ranks() -> None:
    module = _module("BUT", "K00001", "K00002|K00003")
    asv_table = pd.DataFrame({"S1": [10.0, 30.0, 60.0], "S2": [0.0, 0.0, 5.0]},
                             index=["asv1", "asv2", "asv3"])
    asv_ko = pd.DataFrame({"K00001": [1, 1, 0], "K00002": [1, 0, 0], "K00003": [0, 2, 0]},
                          index=["asv1", "asv2", "asv3"])
    genus = {"asv1": "Roseburia", "asv2": "Faecalibacterium", "asv3": ""}
    ko = pd.DataFrame({"S1": [40.0, 10.0, 60.0], "S2": [0.0, 0.0, 0.0]},
                      index=["K00001", "K00002", "K00003"])
    scores = score_modules(ko, [module], 0.5, "ACR")
    result = module_contributions(asv_table, asv_ko, genus, [module], scores, top_n=5)
    assert list(result.columns) == ["module", "sample", "genus", "share", "rank"]
    # S1 KO units: asv1 = 10 (K1) + 10 (K2) = 20; asv2 = 30 + 60 = 90; total 110.
    assert list(result["genus"]) == ["Faecalibacterium", "Roseburia"]
    assert result["share"].tolist() == pytest.approx([90 / 110, 20 / 110])
    assert result["rank"].tolist() == [1, 2]
    assert set(result["sample"]) == {"S1"}  # S2 is absent, not scored
    top1 = module_contributions(asv_table, asv_ko, genus, [module], scores, top_n=1)
    assert top1["genus"].tolist() == ["Faecalibacterium"]


def test_module_contributions_pools_unassigned_genus() -> None:
    module = _module("M", "K00001")
    asv_table = pd.DataFrame({"S1": [1.0, 3.0]}, index=["a", "b"])
    asv_ko = pd.DataFrame({"K00001": [1, 1]}, index=["a", "b"])
    scores = score_modules(pd.DataFrame({"S1": [4.0]}, index=["K00001"]), [module], 0.5)
    result = module_contributions(asv_table, asv_ko, {"a": "Blautia"}, [module], scores)
    assert dict(zip(result["genus"], result["share"], strict=True)) == {
        "unassigned": pytest.approx(0.75), "Blautia": pytest.approx(0.25)}
