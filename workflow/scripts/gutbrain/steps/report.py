"""The report step (``workflow/rules/report.smk``): every sample's report page (HTML and JSON)
and the cohort page, from the report rules' named inputs (see ``report_inputs()`` in
``common.smk``) read by :func:`gutbrain.report.inputs.load_report_inputs`."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gutbrain.report import write_cohort_output, write_sample_outputs
from gutbrain.report.inputs import ReportInputs, load_report_inputs


def inputs_from_snakemake(named_inputs: Mapping[str, Any], samples: str) -> ReportInputs:
    """Read the report rule's named inputs (see report_inputs() in common.smk)."""
    get = dict(named_inputs.items())
    pcoa = {k[len("pcoa_") :]: v for k, v in get.items() if k.startswith("pcoa_")}
    return load_report_inputs(
        read_tracking=get["read_tracking"],
        asv_table=get["asv_table"],
        taxonomy=get["taxonomy"],
        samples=samples,
        alpha=get.get("alpha"),
        module_scores=get.get("module_scores"),
        module_contributions=get.get("module_contributions"),
        marker_genes=get.get("marker_genes"),
        sample_confidence=get.get("sample_confidence"),
        provenance=get.get("provenance"),
        bundle=get.get("bundle") or None,
        taxa_of_interest=get.get("taxa_of_interest"),
        genus_traits=get.get("genus_traits"),
        pcoa=pcoa or None,
        reference_cohort=get.get("reference_cohort") or None,
        module_catalog=get.get("module_catalog") or None,
        marker_catalog=get.get("marker_catalog") or None,
    )


def run_date() -> str:
    """The run date shown in the one marked place of each report (UTC, ISO date)."""
    return _dt.datetime.now(_dt.UTC).date().isoformat()


def sample_reports(
    named_inputs: Mapping[str, Any],
    samples: str,
    pages: str,
    thresholds: Mapping[str, Any] | None = None,
) -> None:
    """The rule ``sample_reports``: ``<pages>/<sample>.html`` and ``.json`` for every sample."""
    inputs = inputs_from_snakemake(named_inputs, samples)
    out = Path(pages)
    out.mkdir(parents=True, exist_ok=True)
    date = run_date()
    for sample in inputs.samples["sample"]:
        write_sample_outputs(
            str(sample),
            inputs,
            out / f"{sample}.html",
            out / f"{sample}.json",
            thresholds=thresholds,
            run_date=date,
        )


def cohort_report(
    named_inputs: Mapping[str, Any],
    samples: str,
    out: str,
    thresholds: Mapping[str, Any] | None = None,
) -> None:
    """The rule ``cohort_report``: the cohort page."""
    write_cohort_output(
        inputs_from_snakemake(named_inputs, samples),
        out,
        thresholds=thresholds,
        run_date=run_date(),
    )
