"""Glue between the Snakemake report rules and :func:`gutbrain.report.inputs.load_report_inputs`."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

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
