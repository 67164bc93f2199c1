"""Tests for the optional reference-cohort comparison (gutbrain.report.reference): the table
format and its errors, the percentile definition, the facts with and without a reference, the
JSON schema and the rendered pages."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest
from gutbrain.errors import InputError
from gutbrain.report import Thresholds, build_cohort_facts, build_sample_facts, load_report_inputs
from gutbrain.report.reference import (
    MIN_REFERENCE_VALUES,
    percentile_in_reference,
    read_reference_cohort,
    reference_from_table,
    reference_percentile,
    reference_percentile_table,
)
from gutbrain.report.render import render_cohort_html, render_sample_html
from gutbrain.steps.report import inputs_from_snakemake

from tests.fixtures.report_cohort import SCHEMA_PATH, make_cohort_inputs

HEADER = "module\tname\tcategory\tsample\tscore\tcoverage\tstatus\n"


def _reference_tsv(path: Path) -> Path:
    """A reference in module_scores.tsv layout: M_ACE1 and MGB020 scored in R1..R6 (scores
    10..60), M_BUT1 scored in two samples only, MGB_HIS absent everywhere."""
    lines = [HEADER]
    for i in range(1, 7):
        lines.append(f"M_ACE1\tAcetate\tscfa:acetate\tR{i}\t{10 * i}\t1\tscored\n")
        lines.append(f"MGB020\tGABA\tneuro:gaba\tR{i}\t{5 * i}\t1\tscored\n")
        lines.append(f"MGB_HIS\tHistamine\tneuro:histamine\tR{i}\t0\t0\tabsent\n")
        lines.append(f"MGB_NA\tNoradrenaline\tneuro:noradrenaline\tR{i}\t\t\tnot_predictable\n")
    lines.append("M_BUT1\tButyrate\tscfa:butyrate\tR1\t3\t1\tscored\n")
    lines.append("M_BUT1\tButyrate\tscfa:butyrate\tR2\t4\t1\tscored\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _reference_tsv(tmp_path_factory.mktemp("ref") / "previous_module_scores.tsv")


@pytest.fixture(scope="module")
def with_reference(reference_path: Path):
    inputs = make_cohort_inputs()
    return dataclasses.replace(inputs, reference_cohort=read_reference_cohort(reference_path))


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- percentile


@pytest.mark.parametrize(
    ("value", "reference", "expected"),
    [
        (5.0, [10, 20, 30, 40, 50], 0.0),  # below every reference score
        (10.0, [10, 20, 30, 40, 50], 20.0),  # ties count as at or below
        (25.0, [10, 20, 30, 40, 50], 40.0),
        (50.0, [10, 20, 30, 40, 50], 100.0),  # equal to the maximum
        (99.0, [10, 20, 30, 40, 50], 100.0),
        (0.0, [0, 0, 0, 1, 2, 3], 50.0),
        (1.0, [1, 2, 3], 100 / 3),
    ],
)
def test_percentile_in_reference(value, reference, expected) -> None:
    got = percentile_in_reference(value, np.sort(np.asarray(reference, dtype=float)))
    assert got == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize(
    ("module", "score", "status", "expected", "note"),
    [
        ("M_ACE1", 35.0, "scored", 50.0, "among 6 reference scores"),
        ("M_ACE1", 60.0, "scored", 100.0, "among 6 reference scores"),
        ("M_ACE1", 1.0, "below_coverage", None,
         "not scored in this sample (status below_coverage)"),
        ("M_ACE1", 0.0, "absent", None, "not scored in this sample"),
        ("MGB_NA", None, "not_predictable", None, "not predictable from 16S"),
        ("M_BUT1", 3.5, "scored", None, "only 2 reference score(s), 5 needed"),
        ("MGB_HIS", 1.0, "scored", None, "no reference scores for this module"),
        ("M_UNKNOWN", 1.0, "scored", None, "no reference scores for this module"),
    ],
)
def test_reference_percentile_cases(reference_path, module, score, status, expected,
                                    note) -> None:
    reference = read_reference_cohort(reference_path)
    percentile, text = reference_percentile(reference, module, score, status)
    assert percentile == expected
    assert note in text


def test_no_reference_configured() -> None:
    assert reference_percentile(None, "M_ACE1", 3.0, "scored") == (
        None, "no reference cohort configured")


def test_minimum_reference_values_boundary() -> None:
    n = MIN_REFERENCE_VALUES
    table = pd.DataFrame({"module": ["M"] * n, "sample": [f"R{i}" for i in range(n)],
                          "score": [float(i) for i in range(n)]})
    assert reference_percentile(reference_from_table(table), "M", 0.0, "scored")[0] == (
        100.0 / n)
    fewer = reference_from_table(table.iloc[1:])
    assert reference_percentile(fewer, "M", 0.0, "scored")[0] is None


def test_reference_percentile_table(reference_path) -> None:
    inputs = make_cohort_inputs()
    table = reference_percentile_table(inputs.module_scores,
                                       read_reference_cohort(reference_path))
    assert list(table.columns) == ["sample", "module", "percentile", "note"]
    assert len(table) == len(inputs.module_scores)
    got = table.set_index(["sample", "module"])["percentile"]
    # S1 acetate 40 -> 4 of 6 reference scores (10..60) at or below; S2 acetate 55 -> 5 of 6.
    assert got[("S1", "M_ACE1")] == pytest.approx(100 * 4 / 6, rel=1e-5)
    assert got[("S2", "M_ACE1")] == pytest.approx(100 * 5 / 6, rel=1e-5)
    # GABA: S1 8 -> 1 of 6 (5..30); S2 20 -> 4 of 6.
    assert got[("S1", "MGB020")] == pytest.approx(100 / 6, rel=1e-5)
    assert got[("S2", "MGB020")] == pytest.approx(100 * 4 / 6, rel=1e-5)
    assert pd.isna(got[("S1", "MGB_HIS")])  # below coverage in S1
    assert pd.isna(got[("S1", "M_BUT1")])  # only two reference scores


# --------------------------------------------------------------------------- loader


def test_loader_uses_scored_rows_only(reference_path) -> None:
    reference = read_reference_cohort(reference_path)
    assert reference.name == "previous_module_scores.tsv"
    assert reference.n_samples == 6
    assert sorted(reference.scores) == ["MGB020", "M_ACE1", "M_BUT1"]
    assert list(reference.scores["M_ACE1"]) == [10, 20, 30, 40, 50, 60]


def test_loader_minimal_table_without_status(tmp_path: Path) -> None:
    path = tmp_path / "ref.tsv"
    path.write_text("sample\tmodule\tscore\textra\nA\tM\t1.5\tx\nB\tM\t2\ty\n", encoding="utf-8")
    reference = read_reference_cohort(path)
    assert reference.n_samples == 2 and list(reference.scores["M"]) == [1.5, 2.0]


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        ("module\tsample\nM\tA\n", r"ref\.tsv: line 1: missing column\(s\) \['score'\]"),
        ("module\tsample\tscore\nM\tA\t1\nM\tB\tlots\n",
         r"ref\.tsv: line 3, column 'score': 'lots' is not a number"),
        ("module\tsample\tscore\nM\tA\t\n", r"ref\.tsv: line 2, column 'score': '' is not"),
        ("module\tsample\tscore\nM\tA\tinf\n", r"ref\.tsv: line 2, column 'score'"),
        (HEADER + "M\tx\tscfa:acetate\tA\tNA\t1\tscored\n",
         r"ref\.tsv: line 2, column 'score': 'NA' is not a number"),
        ("module\tsample\tscore\nM\tA\t1\nN\tA\t2\nM\tA\t3\n",
         r"ref\.tsv: line 4: module 'M', sample 'A' repeats line 2"),
        ("module\tsample\tscore\n\tA\t1\n", r"ref\.tsv: line 2: empty 'module' or 'sample'"),
        (HEADER + "M\tx\tscfa:acetate\tA\t0\t0\tabsent\n", r"ref\.tsv: no scored rows"),
        ("", r"ref\.tsv: not a tab-separated table"),
    ],
    ids=["missing-column", "non-numeric", "empty-score", "infinite", "NA-score", "repeated",
         "empty-module", "no-scored-rows", "empty-file"],
)
def test_loader_errors_name_file_and_line(tmp_path: Path, content: str, pattern: str) -> None:
    path = tmp_path / "ref.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=pattern):
        read_reference_cohort(path)


def test_loader_missing_file_names_config_key(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"absent\.tsv: .*not found.*input\.reference_cohort"):
        read_reference_cohort(tmp_path / "absent.tsv")


def test_load_report_inputs_reads_reference(tmp_path: Path, reference_path: Path) -> None:
    inputs = make_cohort_inputs()
    paths = {}
    for name in ("read_tracking", "module_scores"):
        paths[name] = tmp_path / f"{name}.tsv"
        getattr(inputs, name).to_csv(paths[name], sep="\t", index=False)
    sheet = tmp_path / "samples.tsv"
    inputs.samples.to_csv(sheet, sep="\t", index=False)
    asv = tmp_path / "asv_table_filtered.tsv"
    inputs.asv_table.to_csv(asv, sep="\t")
    tax = tmp_path / "asv_taxonomy.tsv"
    inputs.taxonomy.to_csv(tax, sep="\t")
    common = {"asv_table": asv, "taxonomy": tax, "samples": sheet, **paths}
    assert load_report_inputs(**common).reference_cohort is None
    assert load_report_inputs(**common, reference_cohort="").reference_cohort is None
    loaded = load_report_inputs(**common, reference_cohort=reference_path)
    assert loaded.reference_cohort is not None and loaded.reference_cohort.n_samples == 6
    # the report rules' named inputs (report_inputs() in common_targets.smk) reach the loader
    named = {k: str(v) for k, v in common.items() if k != "samples"}
    assert inputs_from_snakemake(named, str(sheet)).reference_cohort is None
    named["reference_cohort"] = str(reference_path)
    via_rule = inputs_from_snakemake(named, str(sheet)).reference_cohort
    assert via_rule is not None and via_rule.name == "previous_module_scores.tsv"


def test_the_report_settings_hold_no_file_path() -> None:
    """The reference cohort is an input (config input.reference_cohort), not a report setting."""
    with pytest.raises(InputError, match=r"unknown report setting\(s\) \['reference_cohort'\]"):
        Thresholds.from_mapping({"min_reads_pass": 10, "reference_cohort": "previous.tsv"})


# --------------------------------------------------------------------------- facts and pages


def _modules(facts: dict) -> dict[str, dict]:
    return {m["module"]: m for g in ("scfa", "neuro") for m in facts[g]["modules"]}


def test_facts_without_reference() -> None:
    facts = build_sample_facts("S1", make_cohort_inputs(), run_date="2025-06-01")
    assert facts["reference_cohort"] is None
    for m in _modules(facts).values():
        assert m["reference_percentile"] is None
        assert m["reference_percentile_note"] == "no reference cohort configured"


def test_facts_with_reference(with_reference) -> None:
    facts = build_sample_facts("S1", with_reference, run_date="2025-06-01")
    cohort = facts["reference_cohort"]
    assert cohort["file"] == "previous_module_scores.tsv"
    assert (cohort["n_samples"], cohort["n_modules"], cohort["min_values"]) == (6, 3, 5)
    assert "not a clinical norm" in cohort["caveat"]
    modules = _modules(facts)
    assert modules["M_ACE1"]["reference_percentile"] == pytest.approx(66.6667)
    assert modules["MGB020"]["reference_percentile"] == pytest.approx(16.6667)
    assert modules["MGB_HIS"]["reference_percentile"] is None  # below coverage in S1
    assert modules["MGB_NA"]["reference_percentile"] is None  # not predictable
    assert "only 2" in modules["M_BUT1"]["reference_percentile_note"]
    # the in-run percentile is unchanged
    plain = _modules(build_sample_facts("S1", make_cohort_inputs(), run_date="2025-06-01"))
    assert all(plain[k]["percentile"] == m["percentile"] for k, m in modules.items())


def test_zero_read_sample_with_reference(with_reference) -> None:
    facts = build_sample_facts("S3", with_reference, run_date="2025-06-01")
    assert facts["scfa"]["modules"] == [] and facts["reference_cohort"]["n_samples"] == 6


@pytest.mark.parametrize("use_reference", [False, True])
def test_json_validates_against_schema(schema: dict, with_reference, use_reference) -> None:
    inputs = with_reference if use_reference else make_cohort_inputs()
    validator = jsonschema.Draft202012Validator(schema)
    for sample in ("S1", "S2", "S3"):
        facts = json.loads(json.dumps(build_sample_facts(sample, inputs, run_date="2025-06-01"),
                                      allow_nan=False))
        assert list(validator.iter_errors(facts)) == []


def test_schema_rejects_out_of_range_reference_percentile(schema: dict, with_reference) -> None:
    facts = json.loads(json.dumps(build_sample_facts("S1", with_reference)))
    facts["scfa"]["modules"][0]["reference_percentile"] = 150
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(facts, schema, cls=jsonschema.Draft202012Validator)


def test_sample_page_column_only_with_reference(with_reference) -> None:
    plain = render_sample_html(build_sample_facts("S1", make_cohort_inputs()))
    assert "Percentile in reference cohort" not in plain
    html = render_sample_html(build_sample_facts("S1", with_reference))
    assert html.count("<th>Percentile in reference cohort</th>") == 2  # SCFA and neuro tables
    assert "previous_module_scores.tsv" in html and "not a clinical norm" in html
    assert "66.7" in html
    assert "n/a <span class=\"note\">(only 2 reference score(s), 5 needed)</span>" in html
    # the not-predictable row spans the extra column
    assert 'colspan="4">not predictable from 16S' in html


def test_cohort_page_names_the_reference(with_reference) -> None:
    samples = ("S1", "S2", "S3")
    plain_facts = [build_sample_facts(s, make_cohort_inputs()) for s in samples]
    plain = build_cohort_facts(plain_facts, make_cohort_inputs())
    assert plain["reference_cohort"] is None
    assert 'id="reference-cohort"' not in render_cohort_html(plain)
    facts = [build_sample_facts(s, with_reference) for s in samples]
    cohort = build_cohort_facts(facts, with_reference)
    html = render_cohort_html(cohort)
    assert 'id="reference-cohort"' in html
    assert "<code>previous_module_scores.tsv</code>,\n  6 samples" in html
    assert "not a clinical norm" in html
