"""The report step (gutbrain.steps.report): the read tracking written from the earlier steps'
files, the report rules' named inputs read from files, every sample's pages and the cohort page
written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from gutbrain import tracking
from gutbrain.errors import InputError
from gutbrain.steps.qc import check_primers
from gutbrain.steps.report import (
    cohort_report,
    read_primer_verdicts,
    run_date,
    sample_reports,
    track_imported_reads,
    track_reads,
    write_tracking,
)
from gutbrain.tracking import read_cutadapt_counts

from tests.fixtures.report_cohort import make_cohort_inputs


def _named_inputs(tmp_path: Path) -> tuple[dict[str, str], str]:
    """The fixture cohort's tables as files, keyed like the report rules' named inputs."""
    inputs = make_cohort_inputs()
    named = {}
    for name in ("read_tracking", "module_scores"):
        named[name] = str(tmp_path / f"{name}.tsv")
        getattr(inputs, name).to_csv(named[name], sep="\t", index=False)
    named["asv_table"] = str(tmp_path / "asv_table_filtered.tsv")
    inputs.asv_table.to_csv(named["asv_table"], sep="\t")
    named["taxonomy"] = str(tmp_path / "asv_taxonomy.tsv")
    inputs.taxonomy.to_csv(named["taxonomy"], sep="\t")
    sheet = tmp_path / "samples.tsv"
    inputs.samples.to_csv(sheet, sep="\t", index=False)
    return named, str(sheet)


def test_run_date_is_an_iso_date():
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", run_date())


def test_sample_and_cohort_pages_are_written(tmp_path):
    named, sheet = _named_inputs(tmp_path)
    pages = tmp_path / "reports" / "samples"
    sample_reports(named, sheet, str(pages))
    assert sorted(p.name for p in pages.iterdir()) == [
        f"{s}.{ext}" for s in ("S1", "S2", "S3") for ext in ("html", "json")
    ]
    assert json.loads((pages / "S1.json").read_text(encoding="utf-8"))
    cohort = tmp_path / "reports" / "index.html"
    cohort_report(named, sheet, str(cohort))
    assert "S3" in cohort.read_text(encoding="utf-8")
    # From the sample pages' JSON documents: the same page, without rebuilding the samples.
    from_pages = tmp_path / "reports" / "from_pages.html"
    cohort_report(named, sheet, str(from_pages), pages=str(pages))
    assert from_pages.read_bytes() == cohort.read_bytes()


def test_cohort_report_uses_the_sample_documents_and_names_a_missing_one(tmp_path):
    named, sheet = _named_inputs(tmp_path)
    pages = tmp_path / "samples"
    sample_reports(named, sheet, str(pages))
    document = json.loads((pages / "S2.json").read_text(encoding="utf-8"))
    document["sample"] = "S2-from-its-document"
    (pages / "S2.json").write_text(json.dumps(document), encoding="utf-8")
    cohort = tmp_path / "index.html"
    cohort_report(named, sheet, str(cohort), pages=str(pages))
    assert "S2-from-its-document" in cohort.read_text(encoding="utf-8")
    (pages / "S3.json").unlink()
    with pytest.raises(InputError, match=r"S3\.json: no report of sample 'S3'"):
        cohort_report(named, sheet, str(cohort), pages=str(pages))


def _cutadapt_json(path, total, out, with_primer):
    path.write_text(
        json.dumps(
            {"read_counts": {"input": total, "output": out, "read1_with_adapter": with_primer}}
        )
    )
    return str(path)


@pytest.mark.parametrize("primers", ["V4", "none"])
def test_track_reads_flags_what_the_primer_check_warned_about(tmp_path, primers):
    """Through the files: the flags are the primer check's verdicts, also at the threshold,
    where the fraction primer_check.tsv shows (4 decimals) no longer tells."""
    cases = {  # sample: (reads, reads with primer)
        "edge": (100_000, 49_996),  # 0.49996 < 0.5, shown as 0.5 in primer_check.tsv
        "fine": (1_000, 900),
        "low": (1_000, 120),
        "empty": (0, 0),
    }
    samples = list(cases)
    jsons = [_cutadapt_json(tmp_path / f"{s}.json", n, n, p) for s, (n, p) in cases.items()]
    check = tmp_path / "primer_check.tsv"
    check_primers(samples, jsons, primers, False, 0.5, str(check))
    shown = pd.read_csv(check, sep="\t").set_index("sample")
    assert shown.loc["edge", "primer_fraction"] == 0.5
    denoise = tmp_path / "denoise.tsv"
    pd.DataFrame({"sample": samples, **{s: [10, 10, 10, 0] for s in tracking.STEPS[2:-1]}}).to_csv(
        denoise, sep="\t", index=False
    )
    final = tmp_path / "final.tsv"
    pd.DataFrame({"asv_id": ["x"], **{s: [5] for s in samples[:3]}}).to_csv(
        final, sep="\t", index=False
    )
    out_tsv, out_mqc = tmp_path / "tracking.tsv", tmp_path / "tracking_mqc.tsv"
    table = track_reads(
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
        fraction = read_cutadapt_counts(path)["primer_fraction"]
        low = tracking.primer_fraction_low(fraction, primers, 0.5)
        assert ("primer_found_in" in flags[sample]) == low
    assert pd.read_csv(out_tsv, sep="\t", keep_default_na=False)["flag"].tolist() == list(
        flags.values()
    )
    assert out_mqc.read_text().startswith("# id: 'read_tracking'\n")


def test_primer_verdicts_file_names_the_file(tmp_path):
    check = tmp_path / "primer_check.tsv"
    check.write_text("sample\tstatus\nS1\tok\n")
    assert read_primer_verdicts(str(check), ["S1"]) == {"S1": "ok"}
    with pytest.raises(InputError, match=r"primer_check\.tsv: no primer check for .*'S2'"):
        read_primer_verdicts(str(check), ["S1", "S2"])
    bad = tmp_path / "bad.tsv"
    bad.write_text("sample\tfraction\nS1\t0.9\n")
    with pytest.raises(InputError, match=r"bad\.tsv: line 1: missing column\(s\) \['status'\]"):
        read_primer_verdicts(str(bad), ["S1"])


def test_imported_tracking_is_written_with_its_own_description(tmp_path):
    imported = tmp_path / "asv_table.tsv"
    pd.DataFrame({"asv_id": ["x", "y"], "s1": [5, 3], "s2": [0, 4]}).to_csv(
        imported, sep="\t", index=False
    )
    final = tmp_path / "final.tsv"
    pd.DataFrame({"asv_id": ["x"], "s1": [5], "s2": [0]}).to_csv(final, sep="\t", index=False)
    out_tsv, out_mqc = tmp_path / "t.tsv", tmp_path / "t_mqc.tsv"
    table = track_imported_reads(["s1", "s2"], str(imported), str(final), str(out_tsv),
                                 str(out_mqc))
    assert table.set_index("sample").loc["s2", "flag"] == "no_reads_in_final_table"
    assert "input.asv_table" in out_mqc.read_text().splitlines()[2]


def test_tracking_mqc_twin_has_the_header_and_escapes_quotes(tmp_path):
    table = pd.DataFrame({"sample": ["a"], "input": [1]})
    out_tsv, out_mqc = tmp_path / "t.tsv", tmp_path / "t_mqc.tsv"
    write_tracking(table, str(out_tsv), str(out_mqc), "it's")
    text = out_mqc.read_text()
    assert text.startswith("# id: 'read_tracking'\n")
    assert "# description: 'it''s'\n" in text
    assert text.endswith("sample\tinput\na\t1\n")
