"""The report step (``workflow/rules/report.smk``): the run summary (read tracking), every
sample's report page (HTML and JSON) and the cohort page, from the report rules' named inputs
(see ``report_inputs()`` in ``common.smk``) read by
:func:`gutbrain.report.inputs.load_report_inputs`.

The read tracking job needs pandas only: the report package is imported by the page rules'
functions, not by this module."""

from __future__ import annotations

import datetime as _dt
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from gutbrain import tables
from gutbrain.errors import InputError
from gutbrain.io import read_text_table, write_mqc_table, write_tsv
from gutbrain.tracking import (
    IMPORTED_DESCRIPTION,
    TRACKING_DESCRIPTION,
    build_imported_tracking,
    build_tracking,
    primer_verdicts,
    read_cutadapt_counts,
)

if TYPE_CHECKING:
    from gutbrain.report.inputs import ReportInputs


def read_primer_verdicts(path: str, samples: Sequence[str]) -> dict[str, str]:
    """Sample -> primer-check status from ``primer_check.tsv`` (:func:`primer_verdicts`)."""
    return primer_verdicts(read_text_table(path, ["sample", "status"]), path, samples)


def write_tracking(tracking: pd.DataFrame, out_tsv: str, out_mqc: str,
                   description: str = TRACKING_DESCRIPTION) -> None:
    """Write ``read_tracking.tsv`` and its MultiQC custom-content twin."""
    write_tsv(tracking, out_tsv)
    write_mqc_table(tracking, out_mqc, "read_tracking", "Read tracking", description,
                    index=False, float_format=None)


def track_reads(
    samples: Sequence[str],
    cutadapt: Sequence[str],
    denoise: str,
    prepare: Sequence[str],
    table: str,
    primer_check: str,
    out_tsv: str,
    out_mqc: str,
    runs: Sequence[str] = (),
) -> pd.DataFrame:
    """The rule ``read_tracking``: ``read_tracking.tsv`` and its MultiQC twin; with ``runs``
    (the sheet's ``run`` column, sheet order) a ``run`` column after ``sample``.

    Counts come from the cutadapt JSON reports (exact primer fraction), the denoiser's
    tracking, the UNOISE3 preparation counts and the on-target table; the primer flags from
    the primer check's verdicts (``primer_check``, ``primer_check.tsv``).
    """
    prep = (
        pd.concat([tables.read("prepare_counts", p) for p in prepare])
        if prepare
        else None
    )
    final = tables.read("asv_table_filtered", table).set_index("asv_id")
    tracking = build_tracking(
        samples,
        [read_cutadapt_counts(path) for path in cutadapt],
        tables.read("denoise_tracking", denoise),
        prep,
        final,
        read_primer_verdicts(primer_check, samples),
    )
    if runs:
        tracking.insert(1, "run", list(runs))
    write_tracking(tracking, out_tsv, out_mqc)
    return tracking


def track_imported_reads(
    samples: Sequence[str], imported: str, table: str, out_tsv: str, out_mqc: str
) -> pd.DataFrame:
    """The rule ``read_tracking_imported``: the read tracking of a run started from an ASV
    table."""
    frames = [
        tables.read(name, path).set_index("asv_id")
        for name, path in (("asv_table", imported), ("asv_table_filtered", table))
    ]
    tracking = build_imported_tracking(samples, *frames)
    write_tracking(tracking, out_tsv, out_mqc, IMPORTED_DESCRIPTION)
    return tracking


def inputs_from_snakemake(named_inputs: Mapping[str, Any], samples: str) -> ReportInputs:
    """Read the report rule's named inputs (see report_inputs() in common_targets.smk)."""
    from gutbrain.report.inputs import load_report_inputs

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
        route_measures=get.get("route_measures"),
        route_contributors=get.get("route_contributors"),
        routes=get.get("routes"),
        route_validation=get.get("route_validation"),
        comparisons=get.get("comparisons"),
        compare_checks=get.get("compare_checks"),
        compare_validation=get.get("compare_validation"),
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
    from gutbrain.report import write_sample_outputs

    inputs = inputs_from_snakemake(named_inputs, samples)
    out = Path(pages)
    out.mkdir(parents=True, exist_ok=True)
    date = run_date()
    with _vocabulary(named_inputs):
        for sample in inputs.samples["sample"]:
            write_sample_outputs(
                str(sample),
                inputs,
                out / f"{sample}.html",
                out / f"{sample}.json",
                thresholds=thresholds,
                run_date=date,
            )


def _vocabulary(named_inputs: Mapping[str, Any]):
    """The compounds file the rule names (``compounds``), in use while the pages are written;
    the shipped one when the rule names none."""
    from gutbrain.report.vocabulary import DEFAULT_PATH, use_vocabulary

    return use_vocabulary(dict(named_inputs.items()).get("compounds") or DEFAULT_PATH)


def read_sample_pages(pages: str | os.PathLike[str], samples: Sequence[str]) -> list[dict]:
    """The per-sample JSON documents the ``sample_reports`` rule wrote, in sheet order."""
    facts = []
    for sample in samples:
        path = Path(pages) / f"{sample}.json"
        try:
            facts.append(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError as err:
            raise InputError(f"{path}: no report of sample '{sample}'; rerun the sample "
                             "reports (rule sample_reports)") from err
        except json.JSONDecodeError as err:
            raise InputError(f"{path}: not a JSON document ({err}); rerun the sample "
                             "reports (rule sample_reports)") from err
    return facts


def cohort_report(
    named_inputs: Mapping[str, Any],
    samples: str,
    out: str,
    thresholds: Mapping[str, Any] | None = None,
    pages: str | os.PathLike[str] | None = None,
) -> None:
    """The rule ``cohort_report``: the cohort page, from the sample pages' JSON documents in
    ``pages`` (the ``sample_reports`` rule's output) and the run-wide tables."""
    from gutbrain.report import write_cohort_output

    inputs = inputs_from_snakemake(named_inputs, samples)
    facts = None
    if pages is not None:
        facts = read_sample_pages(pages, [str(s) for s in inputs.samples["sample"]])
    with _vocabulary(named_inputs):
        write_cohort_output(inputs, out, thresholds=thresholds, run_date=run_date(),
                            sample_facts=facts)
