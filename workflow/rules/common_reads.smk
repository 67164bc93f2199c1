# Python helpers of the rules (see common.smk for the map): samples and reads, wildcard patterns, primers, and the denoising step's inputs and parameters.
import os

from snakemake.exceptions import WorkflowError

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
        outputs["counts"] = published("prepare_counts", sample="{sample}")
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


# ---------------------------------------------------------------- denoising


def denoise_seqtab():
    """Sequence table written by the configured denoiser."""
    return published("seqtab", method=config["denoise"]["method"])


def denoise_tracking():
    """Per-sample read counts written by the configured denoiser."""
    return published("denoise_tracking", method=config["denoise"]["method"])


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


def dada2_classify_params():
    """The classifier's settings (taxonomy.min_boot, taxonomy.seed) when DADA2 classifies in the
    denoising job; none otherwise, so that they do not rerun a denoising job that does not use
    them."""
    if not CLASSIFY_IN_DENOISE:
        return {}
    return {
        "min_boot": config["taxonomy"]["min_boot"],
        "taxonomy_seed": config["taxonomy"]["seed"],
    }


def denoise_outputs(method):
    """Outputs of a denoising job (method dada2 or unoise3): table, tracking and, with DADA2
    taxonomy, the classifications by sequence."""
    outputs = {
        "seqtab": published("seqtab", method=method),
        "tracking": published("denoise_tracking", method=method),
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
        "table": published("asv_table"),
        "fasta": f"{RESULTS}/asv/asv_seqs.fasta",
        "biom": f"{RESULTS}/asv/asv_table.biom",
        "summary": published("asv_filter_summary"),
    }
    if CLASSIFY_IN_DENOISE:
        outputs["assignments"] = published("assignments", method="dada2")
    return outputs


def classified_by_sequence(method=None):
    """DADA2 classifications by sequence, written by the denoising job."""
    return published(
        "classified_by_sequence", method=method or config["denoise"]["method"]
    )


def _read_pair(section, key):
    """[R1, R2] values of a key set per read (one value given serves both reads)."""
    values = list(config[section][key])
    return values + values[-1:] if len(values) == 1 else values


def dada2_trunc_len():
    """truncLen pair for DADA2 (denoise.trunc_len)."""
    return _read_pair("denoise", "trunc_len")


def max_expected_errors():
    """Maximum expected errors [R1, R2] (qc.max_ee): DADA2's maxEE; vsearch filters the merged
    reads of UNOISE3 with their sum."""
    return _read_pair("qc", "max_ee")


def dada2_read_params():
    """The DADA2 job's per-sample params, in sheet order: paired (bool), r1 and r2 (trimmed
    reads; a single-end sample's R1 stands in its r2)."""
    return {
        "paired": [is_paired(s) for s in SAMPLES],
        "r1": [trimmed_reads(s)[0] for s in SAMPLES],
        "r2": [trimmed_reads(s)[-1] for s in SAMPLES],
    }
