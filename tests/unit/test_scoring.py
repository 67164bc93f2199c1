"""Tests for gutbrain.scoring and gutbrain.module_arithmetic: Omixer-RPM conformance on
upstream values."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from gutbrain.catalog import load_catalog
from gutbrain.errors import InputError
from gutbrain.module_arithmetic import normalise_algorithm, path_scores, step_abundances
from gutbrain.modules import Module
from gutbrain.omixer import parse_omixer_modules
from gutbrain.scoring import (
    SCORE_COLUMNS,
    compound_synthesis_scores,
    module_contributions,
    score_modules,
)

REPO = Path(__file__).resolve().parents[2]
CATALOG = REPO / "resources" / "module_catalog.yaml"
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
        distribute=row["distribute"] == "true", missing="zero",
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
    scores = score_modules(table, modules, min_coverage, algorithm, normalize_by_length=nbl,
                           missing="zero")
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
        result = score_modules(table, modules, 0.55, "MED", missing="zero")
        row = result[result["module"] == "MF0007"].iloc[0]
        assert row["status"] == "scored"
        assert row["score"] == pytest.approx(score)
        assert row["coverage"] == pytest.approx(coverage)


# --------------------------------------------------------------------------- tiny modules

def _module(module_id: str, *steps: str, predictable: bool = True,
            required: tuple[int, ...] = (), category: str = "scfa:test",
            direction: str = "synthesis") -> Module:
    """Build a module from steps written as 'K1|K2+K3' (alternatives '|', complex '+')."""
    parsed = tuple(tuple(tuple(alt.split("+")) for alt in step.split("|")) for step in steps)
    return Module(id=module_id, name=module_id, steps=parsed, category=category,
                  direction=direction, predictable=predictable,
                  reason="" if predictable else "test", required=required)


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
    result = score_modules(table, TINY, 0.0, algorithm, normalize_by_length=nbl, missing="zero")
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
    result = score_modules(table, modules, 0.66, "ACR", report_below_coverage=report_below,
                           missing="zero")
    assert list(result.columns) == ["module", "name", "category", "direction", "sample",
                                    "score", "coverage", "status"]
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
    plain = score_modules(table, TINY, 0.0, "SUM", missing="zero").set_index("module")
    split = score_modules(table, TINY, 0.0, "SUM", distribute=True,
                          missing="zero").set_index("module")
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


def test_contributions_follow_the_required_step_only() -> None:
    """PFOR carriers without the terminal enzyme are not named as contributors."""
    module = _module("ACE", "K00169+K00170|K03737", "K00925", required=(1,))
    asv_table = pd.DataFrame({"S1": [50.0, 10.0, 40.0]}, index=["a", "b", "c"])
    asv_ko = pd.DataFrame({"K00169": [1, 0, 1], "K00170": [1, 0, 0], "K03737": [0, 0, 0],
                           "K00925": [0, 1, 2]}, index=["a", "b", "c"])
    genus = {"a": "Prevotella", "b": "Bifidobacterium", "c": "Blautia"}
    ko = pd.DataFrame({"S1": [70.0, 50.0, 0.0, 90.0]},
                      index=["K00169", "K00170", "K03737", "K00925"])
    scores = score_modules(ko, [module], 0.5, "ACR")
    assert scores["status"].tolist() == ["scored"]
    result = module_contributions(asv_table, asv_ko, genus, [module], scores)
    # ackA units: b = 10 x 1, c = 40 x 2; Prevotella carries only PFOR.
    assert dict(zip(result["genus"], result["share"], strict=True)) == {
        "Blautia": pytest.approx(80 / 90), "Bifidobacterium": pytest.approx(10 / 90)}


def test_contributions_average_complex_subunits() -> None:
    module = _module("LCD", "K20626+K20627", required=(0,))
    asv_table = pd.DataFrame({"S1": [1.0, 1.0]}, index=["a", "b"])
    # a has both subunits once (one enzyme), b has only lcdA twice (no complete enzyme copy
    # more than a): a = (1 + 1) / 2 = 1, b = (2 + 0) / 2 = 1.
    asv_ko = pd.DataFrame({"K20626": [1, 2], "K20627": [1, 0]}, index=["a", "b"])
    ko = pd.DataFrame({"S1": [3.0, 1.0]}, index=["K20626", "K20627"])
    scores = score_modules(ko, [module], 0.5)
    result = module_contributions(asv_table, asv_ko, {"a": "A", "b": "B"}, [module], scores)
    assert result["share"].tolist() == pytest.approx([0.5, 0.5])


# --------------------------------------------------------------------------- required steps

def _catalog_by_id() -> dict[str, Module]:
    return {m.id: m for m in load_catalog(CATALOG)}


def _known_table(modules: list[Module], present: dict[str, float]) -> pd.DataFrame:
    """Every KO of ``modules`` as a row (known to the reference), zero unless in ``present``."""
    kos = sorted({k for m in modules for k in m.kos} | set(present))
    return pd.DataFrame({"S1": [float(present.get(k, 0.0)) for k in kos]}, index=kos)


@pytest.mark.parametrize(
    ("module_id", "present"),
    [
        # thiolase, hbd, crt, bcd only: 4/6 and 4/5 steps, no ptb/buk or CoA-transferase.
        ("GB_SCFA_BUT_BUK", {"K00626": 5, "K00074": 5, "K01715": 5, "K00248": 5}),
        ("GB_SCFA_BUT_BUT", {"K00626": 5, "K00074": 5, "K01715": 5, "K00248": 5}),
        # mutase and epimerase without the decarboxylase / transcarboxylase.
        ("GB_SCFA_PRO_SUCC", {"K01847": 3, "K05606": 3}),
        # PFOR + pta without acetate kinase.
        ("GB_SCFA_ACE_PTA_ACK", {"K03737": 3, "K00625": 3}),
    ],
)
def test_module_without_its_required_step_is_never_scored(
        module_id: str, present: dict[str, float]) -> None:
    module = _catalog_by_id()[module_id]
    table = _known_table([module], present)
    for missing in ("unknown", "zero"):
        row = score_modules(table, [module], 0.66, missing=missing).iloc[0]
        assert row["status"] == "required_step_absent"
        assert math.isnan(row["score"])
        assert row["coverage"] >= 0.66  # it would have been scored on coverage alone


def test_required_step_observed_scores() -> None:
    module = _catalog_by_id()["GB_SCFA_BUT_BUK"]
    table = _known_table([module], {"K00626": 5, "K00074": 5, "K01715": 5, "K00248": 5,
                                    "K00634": 2, "K00929": 2})
    row = score_modules(table, [module], 0.66).iloc[0]
    assert row["status"] == "scored" and row["score"] == pytest.approx(5.0)


def test_every_predictable_catalog_module_has_a_required_step() -> None:
    for module in load_catalog(CATALOG):
        if module.predictable:
            assert module.required, module.id


# --------------------------------------------------------------------------- unknown KOs

UNKNOWN = [
    _module("R", "K00001", "K00002", "K00003", required=(2,)),
    _module("S", "K00004", "K00005|K00006+K00007", "K00008", required=(0,)),
]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # K00003 (R's required step) is not a row: R cannot be measured, whatever else is seen.
        ({"K00001": 4, "K00002": 4, "K00004": 1, "K00005": 0, "K00008": 3},
         {"R": "not_measurable", "S": "scored"}),
        # Known zeros are absence, not ignorance.
        ({"K00001": 0, "K00002": 0, "K00003": 0, "K00004": 0, "K00005": 0, "K00008": 0},
         {"R": "absent", "S": "absent"}),
        # S: only its required step is observable (1/3 < 0.66): not measurable.
        ({"K00001": 0, "K00002": 0, "K00003": 0, "K00004": 7},
         {"R": "absent", "S": "not_measurable"}),
        # S step 2: K00006+K00007 is unobservable (K00007 not a row), K00005 is: measurable.
        ({"K00004": 2, "K00005": 0, "K00006": 9, "K00008": 2, "K00001": 1, "K00002": 1,
          "K00003": 1}, {"R": "scored", "S": "scored"}),
        # an empty table: nothing can be measured.
        ({}, {"R": "not_measurable", "S": "not_measurable"}),
    ],
)
def test_kos_missing_from_the_table_are_unknown(rows: dict[str, float],
                                                expected: dict[str, str]) -> None:
    table = pd.DataFrame({"S1": pd.Series(rows, dtype=float)})
    result = score_modules(table, UNKNOWN, 0.66).set_index("module")
    for module_id, status in expected.items():
        assert result.loc[module_id, "status"] == status, module_id
        if status == "not_measurable":
            assert math.isnan(result.loc[module_id, "score"])
            assert math.isnan(result.loc[module_id, "coverage"])


def test_unknown_subunit_does_not_count_as_zero() -> None:
    """With 'unknown', a complex with an unseen subunit is skipped, not halved."""
    module = _module("C", "K00001|K00002+K00003", required=(0,))
    table = pd.DataFrame({"S1": [1.0, 8.0]}, index=["K00001", "K00002"])
    unknown, _ = step_abundances(module, table, missing="unknown")
    zero, _ = step_abundances(module, table, missing="zero")
    assert unknown[0, 0] == pytest.approx(1.0)
    assert zero[0, 0] == pytest.approx(4.0)
    with pytest.raises(InputError, match="'unknown'"):
        score_modules(table, [module], 0.5, missing="nan")


# --------------------------------------------------------------------------- direction

def test_direction_is_a_score_column() -> None:
    modules = [_module("UP", "K00001", required=(0,), direction="synthesis"),
               _module("DOWN", "K00002", required=(0,), direction="degradation")]
    table = pd.DataFrame({"S1": [1.0, 1.0]}, index=["K00001", "K00002"])
    result = score_modules(table, modules, 0.5)
    assert list(result.columns) == SCORE_COLUMNS
    assert "direction" in SCORE_COLUMNS
    assert result.set_index("module")["direction"].to_dict() == {
        "UP": "synthesis", "DOWN": "degradation"}


def test_only_degradation_genes_give_no_synthesis_potential() -> None:
    """GABA shunt, histamine oxidase and dopamine -> DOPAC genes are not synthesis."""
    modules = list(_catalog_by_id().values())
    degradation = {"K13524": 20, "K00135": 20,      # GABA shunt
                   "K00276": 20,                     # amine oxidase (histamine, dopamine)
                   "K00128": 20,                     # DOPAL -> DOPAC
                   "K01745": 20, "K01712": 20, "K01468": 20, "K01479": 20}  # histidine
    table = _known_table(modules, degradation)
    scores = score_modules(table, modules, 0.66)
    by_module = scores.set_index("module")["status"]
    assert by_module["GB_NEURO_GABA_DEG"] == "scored"
    assert by_module["GB_NEURO_HIS_DEG"] == "scored"
    assert by_module["GB_NEURO_DOPAC_SYN"] == "scored"
    compounds = compound_synthesis_scores(scores).set_index("category")
    for category in ("neuro:gaba", "neuro:histamine", "neuro:dopamine"):
        assert compounds.loc[category, "status"] == "absent", category
        assert math.isnan(compounds.loc[category, "score"])
    assert "neuro:histidine" not in compounds.index  # histidine catabolism: no synthesis module
    assert (compounds["status"] != "scored").all()


def test_compound_synthesis_scores_takes_the_best_synthesis_module() -> None:
    scores = pd.DataFrame(
        [("A1", "x", "scfa:butyrate", "synthesis", "S1", 2.0, 1.0, "scored"),
         ("A2", "x", "scfa:butyrate", "synthesis", "S1", 5.0, 1.0, "scored"),
         ("A3", "x", "scfa:butyrate", "degradation", "S1", 9.0, 1.0, "scored"),
         ("G1", "x", "neuro:gaba", "synthesis", "S1", np.nan, np.nan, "not_measurable"),
         ("G2", "x", "neuro:gaba", "synthesis", "S1", np.nan, np.nan, "not_predictable"),
         ("N1", "x", "neuro:noradrenaline", "synthesis", "S1", np.nan, np.nan,
          "not_predictable"),
         ("H1", "x", "neuro:histamine", "synthesis", "S1", np.nan, 0.5,
          "required_step_absent")],
        columns=SCORE_COLUMNS)
    result = compound_synthesis_scores(scores).set_index("category")
    assert list(result.columns) == ["sample", "score", "status", "module"]
    assert result.loc["scfa:butyrate", "score"] == 5.0
    assert result.loc["scfa:butyrate", "module"] == "A2"
    assert result.loc["neuro:gaba", "status"] == "not_measurable"
    assert result.loc["neuro:noradrenaline", "status"] == "not_predictable"
    assert result.loc["neuro:histamine", "status"] == "absent"
    with pytest.raises(InputError, match="direction"):
        compound_synthesis_scores(scores.drop(columns="direction"))


# --------------------------------------------------------------------------- documentation

def test_omixer_citation_and_divergences_are_documented() -> None:
    """Omixer-RPM is Darzi et al. 2016 ISME J, doi 10.1038/ismej.2015.188; divergences named."""
    import gutbrain.scoring as scoring

    texts = {path: path.read_text(encoding="utf-8")
             for path in (REPO / "README.md", REPO / "docs" / "modules.md",
                          REPO / "workflow" / "scripts" / "gutbrain" / "scoring.py")}
    for path, text in texts.items():
        assert "10.1038/ismej.2015.188" in text, path
        assert "ismej.2016.15" not in text, path
    for text in (scoring.__doc__ or "", texts[REPO / "docs" / "modules.md"]):
        for phrase in ("MIN", "distribute", "NaN", "learned from the data", "required_step_absent",
                       "not_measurable"):
            assert phrase in text, phrase
