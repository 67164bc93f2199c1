"""Unit tests: the primer check (primer_check.tsv) and the read tracking, which flags the samples
the primer check warned about instead of deciding again (gutbrain.tracking)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from gutbrain import tracking
from gutbrain.errors import InputError


def _cutadapt_json(path, total, out, with_primer):
    path.write_text(
        json.dumps(
            {"read_counts": {"input": total, "output": out, "read1_with_adapter": with_primer}}
        )
    )


def _denoise(samples, counts):
    """Denoiser tracking with the same count at every step."""
    return pd.DataFrame(
        {"sample": samples, **{step: counts for step in tracking.STEPS[2:-1]}}
    )


@pytest.mark.parametrize(
    ("primers", "require", "with_primer", "outcome"),
    [
        ("V4", False, 95, "ok"),
        ("V4", False, 10, "warning"),
        ("none", True, 0, "ok"),
        ("V4", True, 10, "error"),
    ],
)
def test_check_primers(tmp_path, primers, require, with_primer, outcome):
    cut = tmp_path / "s.json"
    _cutadapt_json(cut, 100, 100, with_primer)
    out = tmp_path / "out.tsv"
    if outcome == "error":
        with pytest.raises(InputError, match=r"sample 'S1'.*10\.0% of 100 reads.*require_primers"):
            tracking.check_primers(["S1"], [str(cut)], primers, require, 0.5, str(out))
        assert not out.exists()
        return
    tracking.check_primers(["S1"], [str(cut)], primers, require, 0.5, str(out))
    assert pd.read_csv(out, sep="\t").loc[0, "status"] == outcome


def test_tracking_flags_empty_sample_and_low_primer_fraction(tmp_path):
    cut = []
    for name, total, out, prim in (("a", 100, 90, 90), ("b", 50, 50, 5), ("c", 10, 0, 0)):
        path = tmp_path / f"{name}.json"
        _cutadapt_json(path, total, out, prim)
        cut.append(str(path))
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


@pytest.mark.parametrize("primers", ["V4", "none"])
def test_track_reads_flags_what_the_primer_check_warned_about(tmp_path, primers):
    """End to end through the files: the flags are the primer check's verdicts, also at the
    threshold, where the fraction primer_check.tsv shows (4 decimals) no longer tells."""
    cases = {  # sample: (reads, reads with primer)
        "edge": (100_000, 49_996),  # 0.49996 < 0.5, shown as 0.5 in primer_check.tsv
        "fine": (1_000, 900),
        "low": (1_000, 120),
        "empty": (0, 0),
    }
    samples = list(cases)
    jsons = []
    for sample, (total, with_primer) in cases.items():
        path = tmp_path / f"{sample}.json"
        _cutadapt_json(path, total, total, with_primer)
        jsons.append(str(path))
    check = tmp_path / "primer_check.tsv"
    tracking.check_primers(samples, jsons, primers, False, 0.5, str(check))
    shown = pd.read_csv(check, sep="\t").set_index("sample")
    assert shown.loc["edge", "primer_fraction"] == 0.5
    denoise = tmp_path / "denoise.tsv"
    _denoise(samples, [10, 10, 10, 0]).to_csv(denoise, sep="\t", index=False)
    final = tmp_path / "final.tsv"
    pd.DataFrame({"asv_id": ["x"], **{s: [5] for s in samples[:3]}}).to_csv(
        final, sep="\t", index=False
    )
    out_tsv, out_mqc = tmp_path / "tracking.tsv", tmp_path / "tracking_mqc.tsv"
    table = tracking.track_reads(
        samples, jsons, str(denoise), [], str(final), str(check), str(out_tsv), str(out_mqc)
    )
    flags = table.set_index("sample")["flag"].to_dict()
    if primers == "none":
        assert flags == {"edge": "", "fine": "", "low": "", "empty": "no_input_reads"}
    else:
        assert flags == {
            "edge": "primer_found_in_50%_of_reads",
            "fine": "",
            "low": "primer_found_in_12%_of_reads",
            "empty": "no_input_reads",
        }
    # The verdict is the primer check's own decision, made on the exact fraction.
    for sample, path in zip(samples, jsons, strict=True):
        fraction = tracking.cutadapt_counts(path)["primer_fraction"]
        low = tracking.primer_fraction_low(fraction, primers, 0.5)
        assert ("primer_found_in" in flags[sample]) == low
    assert pd.read_csv(out_tsv, sep="\t", keep_default_na=False)["flag"].tolist() == list(
        flags.values()
    )
    assert out_mqc.read_text().startswith("# id: 'read_tracking'\n")


def test_tracking_takes_the_verdict_from_primer_check_tsv(tmp_path):
    """A sample the primer check marked is flagged even when its fraction looks fine here."""
    path = tmp_path / "s.json"
    _cutadapt_json(path, 100, 100, 90)
    check = tmp_path / "primer_check.tsv"
    check.write_text(
        "sample\tinput\tprimer_trimmed\tprimer_fraction\tstatus\nS1\t100\t100\t0.9\twarning\n"
    )
    verdicts = tracking.primer_verdicts(str(check), ["S1"])
    table = tracking.build_tracking(
        ["S1"], [str(path)], _denoise(["S1"], [10]), None, pd.DataFrame({"S1": [5]}), verdicts
    )
    assert table.loc[0, "flag"] == "primer_found_in_90%_of_reads"


def test_primer_verdicts_name_the_file_and_the_missing_sample(tmp_path):
    check = tmp_path / "primer_check.tsv"
    check.write_text("sample\tstatus\nS1\tok\n")
    assert tracking.primer_verdicts(str(check), ["S1"]) == {"S1": "ok"}
    with pytest.raises(InputError, match=r"primer_check\.tsv: no primer check for .*'S2'"):
        tracking.primer_verdicts(str(check), ["S1", "S2"])
    bad = tmp_path / "bad.tsv"
    bad.write_text("sample\tfraction\nS1\t0.9\n")
    with pytest.raises(InputError, match=r"bad\.tsv: line 1: missing column\(s\) \['status'\]"):
        tracking.primer_verdicts(str(bad), ["S1"])
