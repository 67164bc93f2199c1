"""The report step (gutbrain.steps.report): the report rules' named inputs read from files, every
sample's pages and the cohort page written."""

from __future__ import annotations

import json
import re
from pathlib import Path

from gutbrain.steps.report import cohort_report, run_date, sample_reports

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
