# Python helpers of the rules, part 1: the configuration (coerced, validated, moved keys), the
# sample sheet or ASV-table entry, planned contrasts, and resource scaling. The other helpers,
# by concern: common_reads.smk (samples, reads, primers, denoising parameters),
# common_references.smk (taxonomy references, function references, the parse-time reference
# checks) and common_targets.smk (final targets, report inputs). Rule files hold rules only.
import os
import re
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate


from gutbrain.asv_import import check_sheet_samples, table_samples  # noqa: E402
from gutbrain.errors import InputError  # noqa: E402
from gutbrain.primers import PRIMER_PRESETS  # noqa: E402
from gutbrain.tables import published as _published  # noqa: E402
from gutbrain.compare import contrast_params  # noqa: E402
from gutbrain.samples import (  # noqa: E402
    load_metadata_sheet,
    load_sample_sheet,
    pairing,
    sample_runs,
)

# Keys that moved to the section of the step that uses them: (old section, key) -> new place
# and why. A config that still has one stops here, before validation, saying where it went.
MOVED_KEYS = {
    ("report", "reference_cohort"): (
        "input.reference_cohort",
        "the report section holds settings only; input files are under input:",
    ),
    ("qc", "trunc_len"): (
        "denoise.trunc_len",
        "only DADA2's filterAndTrim truncates reads to a fixed length",
    ),
}


def _stop_on_moved_keys():
    for (section, key), (new_place, why) in MOVED_KEYS.items():
        if key in (config.get(section) or {}):
            raise WorkflowError(
                f"config key {section}.{key} has moved to {new_place} ({why}). "
                "Move the line there."
            )


_stop_on_moved_keys()


def _coerce_config():
    """Command-line values made what the schema expects (gutbrain.config_values): nested
    --config numbers arrive as text, and `--config samples=` as None (no sample sheet).
    """
    import yaml

    from gutbrain.config_values import coerce_to_schema

    if "samples" in config and config["samples"] is None:
        config["samples"] = ""
    schema_path = REPO_ROOT / "workflow" / "schemas" / "config.schema.yaml"
    schema = yaml.safe_load(schema_path.read_text(encoding="utf-8"))
    try:
        config.update(coerce_to_schema(dict(config), schema))
    except InputError as err:
        raise WorkflowError(str(err)) from None


_coerce_config()
validate(config, schema="../schemas/config.schema.yaml")

RESULTS = "results"


def published(name, **fields):
    """Path of a published table (declared once in gutbrain.tables), its {fields} filled in."""
    return _published(name, RESULTS, **fields)


CACHE = config["references"].get("cache_dir", ".cache/references").rstrip("/")


def _load_sheet():
    """Load and check the sample sheet; any problem becomes a WorkflowError naming it."""
    try:
        sheet = load_sample_sheet(
            config["samples"],
            allow_mixed=config.get("input", {}).get("allow_mixed_pairing", False),
        )
    except InputError as err:
        raise WorkflowError(f"Sample sheet problem: {err}") from None
    except FileNotFoundError as err:
        raise WorkflowError(
            f"Sample sheet not found: {err.filename} (config key 'samples')."
        ) from None
    validate(sheet.reset_index(), schema="../schemas/samples.schema.yaml")
    return sheet


# Entry from an existing ASV table (input.asv_table): read QC and denoising do not run; the
# samples are the table's columns and the sample sheet, if any, only adds metadata.
ASV_TABLE = str(config.get("input", {}).get("asv_table", "") or "")
ASV_SEQS = str(config.get("input", {}).get("asv_seqs", "") or "")
ASV_TABLE_ENTRY = bool(ASV_TABLE)


def _check_entry_file(path, key):
    """A file named by an input.* key must exist; WorkflowError naming the key otherwise."""
    if not os.path.isfile(path):
        raise WorkflowError(
            f"config key {key} is '{path}': no such file (relative paths are relative to the "
            f"working directory, {os.getcwd()})."
        )


def _load_asv_entry():
    """Samples of the imported table (header only) and the optional metadata sheet."""
    if not ASV_SEQS:
        raise WorkflowError(
            f"config key input.asv_table is set ('{ASV_TABLE}') but input.asv_seqs is empty: "
            "give the FASTA of the table's feature sequences (e.g. QIIME 2 dna-sequences.fasta)."
        )
    outputs = {
        os.path.abspath(f"{RESULTS}/asv/{name}")
        for name in ("asv_table.tsv", "asv_seqs.fasta", "asv_table.biom")
    }
    for path, key in ((ASV_TABLE, "input.asv_table"), (ASV_SEQS, "input.asv_seqs")):
        _check_entry_file(path, key)
        if os.path.abspath(path) in outputs:
            raise WorkflowError(
                f"config key {key} is '{path}', which this run writes itself: copy the earlier "
                "run's results/asv files to another folder (or run in another working "
                "directory) and point the key there."
            )
    try:
        samples = table_samples(ASV_TABLE)
    except InputError as err:
        raise WorkflowError(
            f"ASV table problem (config key input.asv_table): {err}"
        ) from None
    sheet_path = str(config.get("samples", "") or "")
    if not sheet_path:
        return samples, None
    _check_entry_file(sheet_path, "samples")
    try:
        sheet = load_metadata_sheet(sheet_path)
        check_sheet_samples(ASV_TABLE, sheet_path, samples, list(sheet.index))
    except InputError as err:
        raise WorkflowError(f"Sample sheet problem: {err}") from None
    return samples, sheet


if ASV_TABLE_ENTRY:
    SAMPLES, SHEET = _load_asv_entry()
else:
    if ASV_SEQS:
        raise WorkflowError(
            "config key input.asv_seqs is set but input.asv_table is empty: set both to start "
            'from an ASV table, or set input.asv_seqs to "" to start from reads.'
        )
    SHEET = _load_sheet()
    SAMPLES = list(SHEET.index)


def dada2_runs():
    """Each sample's sequencing run (the sheet's optional `run` column), for DADA2's per-run
    error models."""
    try:
        return sample_runs(SHEET)
    except InputError as err:
        raise WorkflowError(f"Sample sheet problem: {err}") from None


def _plan_contrasts():
    """The contrasts of the compare section (gutbrain.compare.plan_contrasts), by name; {}
    when the section is absent or its column empty. Bad settings stop the run here, before
    any job, naming the column, the level and the samples."""
    from gutbrain.compare import CompareSettings, plan_contrasts

    settings = CompareSettings.from_config(config.get("compare"))
    if settings is None:
        return {}
    if SHEET is None:
        raise WorkflowError(
            f"config key compare.column is '{settings.column}' but there is no sample sheet "
            "(samples: ''): give a sheet with that column, or set compare.column to ''."
        )
    try:
        return {c.name: c for c in plan_contrasts(SHEET, settings, SAMPLES)}
    except InputError as err:
        raise WorkflowError(f"Group comparison problem: {err}") from None


CONTRASTS = _plan_contrasts()


wildcard_constraints:
    sample="|".join(re.escape(s) for s in SAMPLES) if SAMPLES else "NO_SAMPLE",
    read="R1|R2",


# ---------------------------------------------------------------- resources


def scaled(base):
    """A resource that grows with each retry: ``base`` on the first attempt, twice that on the
    second, and so on (profiles set `retries`). For mem_mb (MB) and runtime (minutes).
    """
    return lambda wildcards, attempt: base * attempt
