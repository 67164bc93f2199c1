"""Per-sample interpretation reports (HTML + JSON) and the cohort report.

* :mod:`~gutbrain.report.settings` holds the vocabulary and the report settings.
* :mod:`~gutbrain.report.inputs` reads the pipeline's result tables into :class:`ReportInputs`.
* :mod:`~gutbrain.report.sample_facts` gathers one sample's facts (with
  :mod:`~gutbrain.report.module_facts`, :mod:`~gutbrain.report.taxa_facts` and the QC and
  confidence verdicts of :mod:`~gutbrain.report.verdicts`): plain data, no sentences;
  :mod:`~gutbrain.report.cohort_facts` the cohort page's, from the finished sample facts.
* :mod:`~gutbrain.report.wording` then writes the sentences, once, from the finished facts
  (QC reasons, confidence, associations, the plain-language summary, the cohort note).
* :mod:`~gutbrain.report.plots` draws inline SVG charts.
* :mod:`~gutbrain.report.render` renders the self-contained HTML pages with Jinja2.

:func:`build_sample_facts` and :func:`build_cohort_facts` chain facts and wording;
:func:`write_sample_outputs` and :func:`write_cohort_output` are the single calls the
pipeline's report scripts make.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from gutbrain.report import wording
from gutbrain.report.cohort_facts import collect_cohort_facts
from gutbrain.report.inputs import ReportInputs, load_report_inputs
from gutbrain.report.render import render_cohort_report, render_sample_report, write_sample_json
from gutbrain.report.sample_facts import collect_sample_facts
from gutbrain.report.settings import Thresholds

__all__ = [
    "ReportInputs",
    "Thresholds",
    "build_cohort_facts",
    "build_sample_facts",
    "collect_cohort_facts",
    "collect_sample_facts",
    "load_report_inputs",
    "render_cohort_report",
    "render_sample_report",
    "write_cohort_output",
    "write_sample_json",
    "write_sample_outputs",
]


def build_sample_facts(
    sample: str,
    inputs: ReportInputs,
    thresholds: Thresholds | None = None,
    *,
    run_date: str | None = None,
) -> dict[str, Any]:
    """One sample's facts with their words: the per-sample JSON, exactly."""
    facts = collect_sample_facts(sample, inputs, thresholds, run_date=run_date)
    return wording.word_sample_facts(facts)


def build_cohort_facts(
    sample_facts: Sequence[Mapping[str, Any]],
    inputs: ReportInputs,
    thresholds: Thresholds | None = None,
    *,
    run_date: str | None = None,
) -> dict[str, Any]:
    """The cohort page's facts (from the sample facts, in sheet order) with their words."""
    cohort = collect_cohort_facts(sample_facts, inputs, thresholds, run_date=run_date)
    return wording.word_cohort_facts(cohort)


def write_sample_outputs(
    sample: str,
    inputs: ReportInputs,
    out_html: str | os.PathLike[str],
    out_json: str | os.PathLike[str],
    thresholds: Thresholds | Mapping[str, Any] | None = None,
    run_date: str | None = None,
) -> dict[str, Any]:
    """Build one sample's facts, write its JSON and HTML page, and return the facts."""
    if not isinstance(thresholds, Thresholds):
        thresholds = Thresholds.from_mapping(thresholds, where="config 'report'")
    facts = build_sample_facts(sample, inputs, thresholds, run_date=run_date)
    write_sample_json(facts, out_json)
    render_sample_report(facts, out_html)
    return facts


def write_cohort_output(
    inputs: ReportInputs,
    out_html: str | os.PathLike[str],
    thresholds: Thresholds | Mapping[str, Any] | None = None,
    run_date: str | None = None,
    sample_facts: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """Write the cohort page from every sample's facts (sheet order) and return its facts.

    ``sample_facts`` are the per-sample JSON documents already written (the pipeline passes
    them); without them each sample's facts are built here.
    """
    if not isinstance(thresholds, Thresholds):
        thresholds = Thresholds.from_mapping(thresholds, where="config 'report'")
    if sample_facts is None:
        sample_facts = [collect_sample_facts(str(s), inputs, thresholds, run_date=run_date)
                        for s in inputs.samples["sample"]]
    cohort = build_cohort_facts(sample_facts, inputs, thresholds, run_date=run_date)
    render_cohort_report(cohort, out_html)
    return cohort
