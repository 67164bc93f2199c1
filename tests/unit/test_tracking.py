"""Unit tests: the primer check's rows and the read tracking, which flags the samples the primer
check warned about instead of deciding again (gutbrain.tracking; the files are read and written
by gutbrain.steps.qc and gutbrain.steps.report, tested in test_steps_qc and test_steps_report)."""

from __future__ import annotations

import pandas as pd
import pytest
from gutbrain import tracking
from gutbrain.errors import InputError


def _counts(total, out, with_primer):
    return tracking.cutadapt_counts(
        {"read_counts": {"input": total, "output": out, "read1_with_adapter": with_primer}}
    )


def test_cutadapt_counts_fraction_and_missing_primer_count():
    assert _counts(200, 150, 50) == {"input": 200, "primer_trimmed": 150, "primer_fraction": 0.25}
    missing = tracking.cutadapt_counts({"read_counts": {"input": 0, "output": 0}})
    assert missing["input"] == 0 and missing["primer_fraction"] != missing["primer_fraction"]


@pytest.mark.parametrize(
    ("primers", "require", "with_primer", "outcome"),
    [
        ("V4", False, 95, "ok"),
        ("V4", False, 10, "warning"),
        ("none", True, 0, "ok"),
        ("V4", True, 10, "error"),
    ],
)
def test_primer_check_rows(primers, require, with_primer, outcome):
    args = (["S1"], [_counts(100, 100, with_primer)], ["s1.json"], primers, require, 0.5)
    if outcome == "error":
        with pytest.raises(InputError, match=r"sample 'S1'.*10\.0% of 100 reads.*require_primers"):
            tracking.primer_check_rows(*args)
        return
    rows, warnings = tracking.primer_check_rows(*args)
    assert rows[0]["status"] == outcome
    assert [("s1.json" in w) for w in warnings] == ([True] if outcome == "warning" else [])


def test_primer_check_rounds_the_fraction_it_shows():
    rows, _ = tracking.primer_check_rows(
        ["S1"], [_counts(100_000, 100_000, 49_996)], ["s1.json"], "V4", False, 0.5
    )
    assert rows[0]["primer_fraction"] == 0.5 and rows[0]["status"] == "warning"


def test_tracking_flags_empty_sample_and_low_primer_fraction():
    cut = [_counts(100, 90, 90), _counts(50, 50, 5), _counts(10, 0, 0)]
    denoise = pd.DataFrame(
        {
            "sample": ["a", "b", "c"],
            "filtered": [80, 40, 0],
            "denoised": [78, 39, 0],
            "merged": [75, 35, 0],
            "nonchimeric": [70, 30, 0],
        }
    )
    final = pd.DataFrame({"a": [60, 5], "b": [20, 0]}, index=["x", "y"])
    verdicts = {"a": "ok", "b": "warning", "c": "ok"}
    table = tracking.build_tracking(["a", "b", "c"], cut, denoise, None, final, verdicts)
    assert list(table.columns[:8]) == ["sample"] + tracking.STEPS
    rows = table.set_index("sample")
    assert rows.loc["a", "taxonomy_kept"] == 65
    assert rows.loc["a", "flag"] == ""
    assert rows.loc["b", "flag"] == "primer_found_in_10%_of_reads"
    assert rows.loc["c", "flag"].startswith("no_reads_after_filtering")
    # Monotone: no step has more reads than the one before.
    for _, row in rows.iterrows():
        counts = [row[s] for s in tracking.STEPS]
        assert counts == sorted(counts, reverse=True)


def test_tracking_takes_the_verdict_from_the_primer_check():
    """A sample the primer check marked is flagged even when its fraction looks fine here."""
    verdicts = tracking.primer_verdicts(
        {"sample": ["S1"], "status": ["warning"]}, "primer_check.tsv", ["S1"]
    )
    denoise = pd.DataFrame({"sample": ["S1"], **{s: [10] for s in tracking.STEPS[2:-1]}})
    table = tracking.build_tracking(
        ["S1"], [_counts(100, 100, 90)], denoise, None, pd.DataFrame({"S1": [5]}), verdicts
    )
    assert table.loc[0, "flag"] == "primer_found_in_90%_of_reads"


def test_primer_verdicts_name_the_file_and_the_missing_sample():
    table = {"sample": ["S1"], "status": ["ok"]}
    assert tracking.primer_verdicts(table, "primer_check.tsv", ["S1"]) == {"S1": "ok"}
    with pytest.raises(InputError, match=r"primer_check\.tsv: no primer check for .*'S2'"):
        tracking.primer_verdicts(table, "primer_check.tsv", ["S1", "S2"])
