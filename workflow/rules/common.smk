# All Python helpers used by the rules: configuration and sample-sheet loading and checking,
# wildcard constraints, input functions and parameter builders. Rule files hold rules only.
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
from gutbrain.references import extra_part_path  # noqa: E402
from gutbrain.compare import contrast_params  # noqa: E402
from gutbrain.samples import (  # noqa: E402
    load_metadata_sheet,
    load_sample_sheet,
    pairing,
    sample_runs,
)

if "reference_cohort" in (config.get("report") or {}):
    raise WorkflowError(
        "config key report.reference_cohort has moved to input.reference_cohort (the report "
        "section holds settings only; input files are under input:). Move the line there."
    )


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


# ---------------------------------------------------------------- samples and reads


def is_paired(sample):
    """True when the sample has an R2 file."""
    return bool(SHEET.loc[sample, "fq2"])


def sample_regex(paired):
    """Regex matching the paired (or single-end) sample IDs, for rule-level constraints."""
    chosen = [s for s in SAMPLES if is_paired(s) == paired]
    return "|".join(re.escape(s) for s in chosen) if chosen else "(?!)"


def raw_reads(wildcards):
    """Raw FASTQ files of a sample (one or two)."""
    row = SHEET.loc[wildcards.sample]
    return [row["fq1"], row["fq2"]] if row["fq2"] else [row["fq1"]]


def trimmed_reads(sample):
    """Primer-trimmed FASTQ files of a sample."""
    if is_paired(sample):
        return [
            f"{RESULTS}/qc/trimmed/{sample}_R1.fastq.gz",
            f"{RESULTS}/qc/trimmed/{sample}_R2.fastq.gz",
        ]
    return [f"{RESULTS}/qc/trimmed/{sample}_R1.fastq.gz"]


def denoise_reads(sample):
    """Reads a sample enters denoising with: R1 only for every sample when single- and
    paired-end samples are mixed (input.allow_mixed_pairing), so all ASVs span one region.
    """
    reads = trimmed_reads(sample)
    return reads[:1] if run_pairing() == "mixed" else reads


def prepare_outputs(paired):
    """Outputs of one sample's preparation job (read check, primer removal and, with UNOISE3,
    merge/filter/dereplication). The trimmed reads are outputs for DADA2 only: with UNOISE3
    they are merged within the job (uncompressed scratch files, removed with it)."""
    outputs = {
        "check": f"{RESULTS}/qc/checks/{{sample}}.tsv",
        "json": f"{RESULTS}/qc/cutadapt/{{sample}}.json",
        "report": f"{RESULTS}/qc/cutadapt/{{sample}}.cutadapt.txt",
    }
    if config["denoise"]["method"] == "unoise3":
        outputs["uniques"] = temp(f"{RESULTS}/asv/unoise3/uniques/{{sample}}.fasta")
        outputs["counts"] = f"{RESULTS}/asv/unoise3/counts/{{sample}}.tsv"
    else:
        outputs["r1"] = temp(f"{RESULTS}/qc/trimmed/{{sample}}_R1.fastq.gz")
        if paired:
            outputs["r2"] = temp(f"{RESULTS}/qc/trimmed/{{sample}}_R2.fastq.gz")
    return outputs


def merge_pairs(wildcards):
    """True when a sample's read pairs are merged before UNOISE3: paired-end, and not in a
    mixed run (input.allow_mixed_pairing), where every sample enters with R1 only."""
    return is_paired(wildcards.sample) and run_pairing() != "mixed"


def all_trimmed_reads(wildcards=None):
    """Trimmed reads of every sample, in sheet order."""
    return [path for sample in SAMPLES for path in trimmed_reads(sample)]


def run_pairing():
    """'paired', 'single' or 'mixed' for the whole sheet."""
    return pairing(SHEET)


# ---------------------------------------------------------------- primers


def primer_pair():
    """(forward, reverse) primer from the preset or the custom keys; None for 'none'."""
    qc = config["qc"]
    preset = qc.get("primers", "V4")
    if preset == "custom":
        fwd, rev = qc.get("fwd_primer", ""), qc.get("rev_primer", "")
        if not fwd or not rev:
            raise WorkflowError(
                "config key qc.primers is 'custom' but qc.fwd_primer or qc.rev_primer is empty."
            )
        return fwd.upper(), rev.upper()
    return PRIMER_PRESETS[preset]


def cutadapt_primer_args(wildcards):
    """cutadapt arguments that remove the primers (empty list when primers: none)."""
    pair = primer_pair()
    if pair is None:
        return []
    fwd, rev = pair
    args = ["-g", fwd]
    if is_paired(wildcards.sample):
        args += ["-G", rev]
    if config["qc"].get("require_primers", False):
        args.append("--discard-untrimmed")
    return args


# ---------------------------------------------------------------- references


def taxonomy_reference_name():
    """Name of the configured taxonomy reference, checked against the registry."""
    name = config["taxonomy"]["reference"]
    registry = config["references"].get("taxonomy", {})
    if name not in registry:
        raise WorkflowError(
            f"config key taxonomy.reference names '{name}', which is not in references.taxonomy "
            f"(known: {', '.join(sorted(registry)) or 'none'})."
        )
    return name


def taxonomy_reference(name):
    """Registry entry of a taxonomy reference."""
    return config["references"]["taxonomy"][name]


def taxonomy_source_file(wildcards):
    """The raw reference file for a taxonomy reference (downloaded, shipped or local)."""
    entry = taxonomy_reference(wildcards.ref)
    if entry["source"] == "dada2_package":
        return f"{CACHE}/dada2_package/{entry['file']}"
    if entry["source"] == "local":
        return entry["fasta"]
    return f"{CACHE}/taxonomy/{wildcards.ref}/download/reference.fa.gz"


def taxonomy_extra_files(wildcards):
    """Further FASTA parts of a taxonomy reference (its 'extra' list): installed, or fetched."""
    parts = taxonomy_reference(wildcards.ref).get("extra", [])
    paths = [
        extra_part_path(CACHE, wildcards.ref, i, part) for i, part in enumerate(parts)
    ]
    for part, path in zip(parts, paths):
        if path is None:
            hint = part.get("install", "")
            raise WorkflowError(
                f"taxonomy reference '{wildcards.ref}' (references.taxonomy.{wildcards.ref}"
                f".extra) needs {part['fasta']}, which is missing"
                + (f": {hint}" if hint else "")
                + ", or give the part a url (and url_sha256) to download it. Or choose "
                "another taxonomy.reference (dada2_demo needs only the DADA2 package; "
                "silva_138.2, gtdb_r220 and rdp_19 are downloaded)."
            )
    return paths


def taxonomy_local_table(wildcards):
    """The local taxonomy TSV of a fasta_tsv reference (empty list otherwise)."""
    entry = taxonomy_reference(wildcards.ref)
    if entry["format"] == "fasta_tsv":
        return entry["taxonomy"]
    return []


def species_reference(wildcards=None):
    """The DADA2 assignSpecies file of the configured reference, when it has one."""
    name = taxonomy_reference_name()
    if taxonomy_reference(name).get("species_url"):
        return f"{CACHE}/taxonomy/{name}/download/species.fa.gz"
    return []


def download_url(wildcards):
    """URL and expected sha256 of a taxonomy reference file to download."""
    entry = taxonomy_reference(wildcards.ref)
    if wildcards.kind == "species":
        return {"url": entry["species_url"], "sha256": entry.get("species_sha256", "")}
    return {"url": entry["url"], "sha256": entry.get("sha256", "")}


def prepared_reference(fmt):
    """Classifier-ready reference of the configured taxonomy reference."""
    return f"{CACHE}/taxonomy/{taxonomy_reference_name()}/{fmt}.fa.gz"


# ---------------------------------------------------------------- denoising


def denoise_seqtab():
    """Sequence table written by the configured denoiser."""
    return f"{RESULTS}/asv/{config['denoise']['method']}/seqtab.tsv"


def denoise_tracking():
    """Per-sample read counts written by the configured denoiser."""
    return f"{RESULTS}/asv/{config['denoise']['method']}/tracking.tsv"


# With DADA2 taxonomy, the denoising job classifies too (DADA2: in its R session; UNOISE3: in an
# R process started with the job): loading DADA2 costs ~6 s, paid once and not after denoising.
CLASSIFY_IN_DENOISE = not ASV_TABLE_ENTRY and config["taxonomy"]["method"] == "dada2"


def dada2_classify_inputs(wildcards=None):
    """Classifier reference (and species file) when DADA2 classifies in the denoising job."""
    if not CLASSIFY_IN_DENOISE:
        return {}
    inputs = {"reference": prepared_reference("dada2")}
    species = species_reference()
    if species:
        inputs["species"] = species
    return inputs


def denoise_outputs(method):
    """Outputs of a denoising job (method dada2 or unoise3): table, tracking and, with DADA2
    taxonomy, the classifications by sequence."""
    outputs = {
        "seqtab": f"{RESULTS}/asv/{method}/seqtab.tsv",
        "tracking": f"{RESULTS}/asv/{method}/tracking.tsv",
    }
    if CLASSIFY_IN_DENOISE:
        outputs["taxonomy"] = classified_by_sequence(method)
    return outputs


def classified_inputs(wildcards=None):
    """The denoising job's classifications by sequence, for build_asv_table to key by ASV ID."""
    return {"by_sequence": classified_by_sequence()} if CLASSIFY_IN_DENOISE else {}


def asv_table_outputs():
    """Outputs of build_asv_table: ASV table, FASTA, BIOM, filter summary and, with DADA2
    taxonomy classified in the denoising job, the classifications by ASV ID."""
    outputs = {
        "table": f"{RESULTS}/asv/asv_table.tsv",
        "fasta": f"{RESULTS}/asv/asv_seqs.fasta",
        "biom": f"{RESULTS}/asv/asv_table.biom",
        "summary": f"{RESULTS}/asv/asv_filter_summary.tsv",
    }
    if CLASSIFY_IN_DENOISE:
        outputs["assignments"] = f"{RESULTS}/taxonomy/dada2/assignments.tsv"
    return outputs


def classified_by_sequence(method=None):
    """DADA2 classifications by sequence, written by the denoising job."""
    return f"{RESULTS}/asv/{method or config['denoise']['method']}/taxonomy_by_sequence.tsv"


def _read_pair(key, default):
    """[R1, R2] values of a qc key set per read (one value given serves both reads)."""
    values = list(config["qc"].get(key, default))
    return values + values[-1:] if len(values) == 1 else values


def dada2_trunc_len():
    """truncLen pair for DADA2 (qc.trunc_len)."""
    return _read_pair("trunc_len", [0, 0])


def max_expected_errors():
    """Maximum expected errors [R1, R2] (qc.max_ee): DADA2's maxEE; vsearch filters the merged
    reads of UNOISE3 with their sum."""
    return _read_pair("max_ee", [2, 2])


def dada2_read_params():
    """The DADA2 job's per-sample params, in sheet order: paired (bool), r1 and r2 (trimmed
    reads; a single-end sample's R1 stands in its r2)."""
    return {
        "paired": [is_paired(s) for s in SAMPLES],
        "r1": [trimmed_reads(s)[0] for s in SAMPLES],
        "r2": [trimmed_reads(s)[-1] for s in SAMPLES],
    }


# ---------------------------------------------------------------- targets


def compare_outputs():
    """The gathered comparison tables when the run compares groups, else []."""
    if not CONTRASTS:
        return []
    return [f"{RESULTS}/compare/comparisons.tsv", f"{RESULTS}/compare/checks.tsv"]


def final_outputs():
    """Everything `snakemake` builds by default."""
    return [
        f"{RESULTS}/qc/read_tracking.tsv",
        f"{RESULTS}/asv/asv_table.tsv",
        f"{RESULTS}/asv/asv_seqs.fasta",
        f"{RESULTS}/asv/asv_table.biom",
        f"{RESULTS}/taxonomy/asv_taxonomy.tsv",
        f"{RESULTS}/provenance.tsv",
        f"{RESULTS}/multiqc/multiqc_report.html",
        *function_outputs().values(),
        f"{RESULTS}/function/module_scores.tsv",
        f"{RESULTS}/function/module_contributions.tsv",
        f"{RESULTS}/function/marker_genes.tsv",
        f"{RESULTS}/function/route_measures.tsv",
        f"{RESULTS}/diversity/alpha.tsv",
        f"{RESULTS}/reports/index.html",
        f"{RESULTS}/reports/samples",
        *compare_outputs(),
        f"{RESULTS}/export/asv_table.biom",
        f"{RESULTS}/export/picrust2/KO_pred_metagenome_unstrat.tsv",
        *(
            [f"{RESULTS}/function/official_module_scores.tsv"]
            if config["function"].get("download_official_modules")
            else []
        ),
    ]


def unoise_count_files():
    """Per-sample merge/filter counts of the UNOISE3 path (none for DADA2)."""
    if config["denoise"]["method"] != "unoise3":
        return []
    return expand(f"{RESULTS}/asv/unoise3/counts/{{sample}}.tsv", sample=SAMPLES)


def provenance_inputs(wildcards=None):
    """Provenance records of every reference this run uses (and of an imported ASV table)."""
    return [
        f"{CACHE}/taxonomy/{taxonomy_reference_name()}/provenance.tsv",
        function_provenance(),
        *([f"{RESULTS}/asv/import_provenance.tsv"] if ASV_TABLE_ENTRY else []),
    ]


def cutadapt_reports():
    """Per-sample cutadapt reports for MultiQC (none when starting from an ASV table)."""
    if ASV_TABLE_ENTRY:
        return []
    return expand(f"{RESULTS}/qc/cutadapt/{{sample}}.cutadapt.txt", sample=SAMPLES)


def imported_sheet(wildcards=None):
    """{'sheet': path} of the metadata sheet when starting from an ASV table with one."""
    sheet = str(config.get("samples", "") or "")
    return {"sheet": sheet} if sheet else {}


def report_sample_sheet():
    """Sample table the reports read: the sample sheet, or, when starting from an ASV table,
    the table's samples with the sheet's metadata (written by import_asv_table)."""
    if ASV_TABLE_ENTRY:
        return f"{RESULTS}/asv/sample_metadata.tsv"
    return f"{RESULTS}/samples.tsv"


def multiqc_extra_inputs():
    """Further MultiQC custom-content tables (route shares, module scores, confidence)."""
    return [
        f"{RESULTS}/function/route_measures_mqc.tsv",
        f"{RESULTS}/function/module_scores_mqc.tsv",
        f"{RESULTS}/function/sample_confidence_mqc.tsv",
        *([f"{RESULTS}/compare/compare_mqc.tsv"] if CONTRASTS else []),
    ]


# ---------------------------------------------------------------- function


def repo_file(path):
    """A shipped resource: relative paths not found in the working directory come from the repo."""
    if os.path.isabs(path) or os.path.exists(path):
        return path
    return str(REPO_ROOT / path)


def bundle_entry():
    """Registry entry of the configured bundle, or None for plain folders."""
    name = config["function"]["bundle"]
    return config["references"].get("bundles", {}).get(name)


GENUS_PROFILE_FILES = [
    "genera.tsv",
    "ec_profile.tsv.gz",
    "ec_annotated.txt",
    "ko_ec.tsv",
    "reference.yaml",
]


def genus_profile_files(wildcards=None):
    """Files of the configured genus profile reference (method genus_profile)."""
    folder = repo_file(config["function"]["genus_profile"])
    if not os.path.isdir(folder):
        raise WorkflowError(
            f"config key function.genus_profile is '{config['function']['genus_profile']}': "
            "no such folder (the shipped reference is resources/genus_profile)."
        )
    return {
        f"ref_{name.split('.')[0]}": os.path.join(folder, name)
        for name in GENUS_PROFILE_FILES
    }


def bundle_files(wildcards=None):
    """Files of the configured reference bundle (fasta, ko, copies, optional metadata/manifest).
    A bundle folder is looked into here, when the DAG is built (not while parsing; see
    docs/DEVELOPMENT.md, "Where to continue", for why this is not a checkpoint)."""
    name = config["function"]["bundle"]
    entry = bundle_entry()
    if entry is None:
        if not os.path.isdir(name):
            raise WorkflowError(
                f"config key function.bundle is '{name}': not a name in "
                f"references.bundles, and not an existing folder."
            )
        from gutbrain.bundle import find_bundle_files

        try:
            found = find_bundle_files(name)
        except InputError as err:
            raise WorkflowError(f"function.bundle folder {name}: {err}") from None
        files = {
            "bundle_fasta": found.fasta,
            "bundle_ko": found.ko,
            "bundle_copies": found.copies,
        }
        if found.metadata:
            files["bundle_metadata"] = found.metadata
        if found.manifest:
            files["bundle_manifest"] = found.manifest
        if found.ec:
            files["bundle_ec"] = found.ec
        return {k: str(v) for k, v in files.items()}
    parts = [
        p
        for p in ("fasta", "ko", "copies", "metadata", "ec")
        if p in entry.get("files", {})
    ]
    if entry["source"] == "local":
        return {
            f"bundle_{p}": os.path.join(entry["path"], entry["files"][p]) for p in parts
        }
    # The download keeps its file name: readers tell a gzip by its .gz.
    return {
        f"bundle_{p}": f"{CACHE}/bundles/{name}/{p}/{os.path.basename(entry['files'][p])}"
        for p in parts
    }


def bundle_download(wildcards):
    """URL and expected sha256 of one part of a downloadable bundle."""
    entry = config["references"]["bundles"][wildcards.bundle]
    return {
        "url": f"{entry['base_url']}{entry['files'][wildcards.part]}",
        "sha256": entry.get("sha256", {}).get(wildcards.part, ""),
    }


def bundle_source():
    """Where the configured bundle comes from, for provenance."""
    entry = bundle_entry()
    if entry is None:
        return os.path.abspath(config["function"]["bundle"])
    return entry.get("base_url") or entry.get("path", "")


GENUS_METHOD = config["function"]["method"] == "genus_profile"


def function_provenance():
    """Provenance table of the functional reference (genus profile or bundle)."""
    if GENUS_METHOD:
        return f"{RESULTS}/function/reference_provenance.tsv"
    return f"{RESULTS}/function/bundle_provenance.tsv"


OFFICIAL_MODULES_URL = (
    "https://raw.githubusercontent.com/omixer/omixer-rpmR/"
    "184f1cc99aefed722e20eb00eda082348a064c4e/inst/extdata/"
)


def official_modules_download(wildcards):
    """URL of one official module file (no sha256 in the config: the lock file written on the
    first download checks the later ones)."""
    return {"url": f"{OFFICIAL_MODULES_URL}{wildcards.name}.txt", "sha256": ""}


def function_outputs():
    """Outputs of functional prediction (shared by the nearest and PICRUSt2 backends)."""
    base = f"{RESULTS}/function"
    return {
        "hits": f"{base}/reference_hits.tsv",
        "predictions": f"{base}/asv_predictions.tsv",
        "asv_ko": f"{base}/asv_ko_copies.tsv",
        "ko_abundance": f"{base}/ko_abundance.tsv",
        "ec_abundance": f"{base}/ec_abundance.tsv",
        "contributions": f"{base}/ko_contributions.tsv",
        "confidence": f"{base}/sample_confidence.tsv",
        "confidence_mqc": f"{base}/sample_confidence_mqc.tsv",
    }


# ---------------------------------------------------------------- diversity and reports

BETA_METRICS = ["braycurtis", "weighted_unifrac", "unweighted_unifrac"]


def report_inputs(wildcards=None):
    """Result tables and shipped resources the interpretation reports read, and the optional
    reference cohort (input.reference_cohort, relative to the working directory)."""
    return {
        "read_tracking": f"{RESULTS}/qc/read_tracking.tsv",
        "asv_table": f"{RESULTS}/taxonomy/asv_table_filtered.tsv",
        "taxonomy": f"{RESULTS}/taxonomy/asv_taxonomy.tsv",
        "alpha": f"{RESULTS}/diversity/alpha.tsv",
        "module_scores": f"{RESULTS}/function/module_scores.tsv",
        "module_contributions": f"{RESULTS}/function/module_contributions.tsv",
        "marker_genes": f"{RESULTS}/function/marker_genes.tsv",
        "route_measures": f"{RESULTS}/function/route_measures.tsv",
        "route_contributors": f"{RESULTS}/function/route_contributors.tsv",
        "routes": repo_file(config["function"]["routes"]),
        "route_validation": repo_file("resources/route_validation.tsv"),
        "sample_confidence": f"{RESULTS}/function/sample_confidence.tsv",
        "provenance": f"{RESULTS}/provenance.tsv",
        "bundle": bundle_manifest(),
        "taxa_of_interest": repo_file("resources/taxa_of_interest.tsv"),
        "genus_traits": repo_file("resources/genus_traits.tsv"),
        "module_catalog": repo_file(config["function"]["catalog"]),
        "marker_catalog": repo_file(config["function"]["markers"]),
        **{f"pcoa_{m}": f"{RESULTS}/diversity/pcoa_{m}.tsv" for m in BETA_METRICS},
        **reference_cohort_input(),
        "samples": report_sample_sheet(),
    }


def cohort_report_inputs(wildcards=None):
    """The report inputs plus, when the run compares groups, the comparison tables (only the
    cohort page shows them)."""
    return {**report_inputs(), **compare_report_inputs()}


def compare_report_inputs():
    """The gathered group comparison, its checks and the measured agreement of comparisons
    with metagenomes, when the run compares groups; else {}."""
    if not CONTRASTS:
        return {}
    return {
        "comparisons": f"{RESULTS}/compare/comparisons.tsv",
        "compare_checks": f"{RESULTS}/compare/checks.tsv",
        "compare_validation": repo_file("resources/compare_validation.tsv"),
    }


def genus_profile_crosswalk():
    """[the genus profile's ko_ec.tsv] with function.method genus_profile, else []: KOs that
    this reference predicts from one EC are one gene to it (marker genes count them once).
    """
    if config["function"]["method"] != "genus_profile":
        return []
    return [os.path.join(repo_file(config["function"]["genus_profile"]), "ko_ec.tsv")]


def report_thresholds():
    """The report settings (config section report) with the route thresholds of the function
    section, which set the route statuses the pages state."""
    return {
        **config.get("report", {}),
        "route_present_share": config["function"]["route_present_share"],
        "route_min_resolved": config["function"]["route_min_resolved"],
    }


def reference_cohort_input():
    """{'reference_cohort': path} when input.reference_cohort is set, else {}."""
    path = str(config.get("input", {}).get("reference_cohort", "") or "")
    if not path:
        return {}
    if not os.path.isfile(path):
        raise WorkflowError(
            f"config key input.reference_cohort is '{path}': no such file (relative paths "
            f"are relative to the working directory, {os.getcwd()}). Point it at a "
            'module_scores.tsv of a previous run or set it to "" to turn the comparison off.'
        )
    return {"reference_cohort": path}


def bundle_manifest():
    """The manifest of the functional reference: reference.yaml of a genus profile, or the
    bundle.yaml of a bundle ('' when it has none)."""
    if GENUS_METHOD:
        return genus_profile_files()["ref_reference"]
    return bundle_files().get("bundle_manifest", [])


# ---------------------------------------------------------------- references checked on every use


def _check_references():
    """Checksum and content of every reference file this run reads that exists now
    (gutbrain.reference_checks), before any job runs; remembered per file in the cache.
    """
    from gutbrain.reference_checks import (
        CheckMemo,
        verify_bundle_files,
        verify_genus_profile,
        verify_routes_match,
        verify_taxonomy_reference,
    )

    memo = CheckMemo(f"{CACHE}/checked")
    try:
        name = taxonomy_reference_name()
        verify_taxonomy_reference(name, taxonomy_reference(name), CACHE, memo)
        folder = repo_file(config["function"]["genus_profile"])
        if os.path.isdir(folder):
            verify_genus_profile(folder, memo)
            verify_routes_match(folder, repo_file(config["function"]["routes"]), memo)
        if not GENUS_METHOD:
            verify_bundle_files(
                config["function"]["bundle"],
                bundle_entry(),
                bundle_files(),
                CACHE,
                memo,
            )
    except InputError as err:
        raise WorkflowError(f"Reference problem: {err}") from None


_check_references()
