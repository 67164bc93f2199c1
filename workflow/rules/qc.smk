# Read checks, primer removal and (UNOISE3) per-sample preparation, then the run-wide primer
# check.


rule prepare_sample_paired:
    # One job per sample for its cheap steps (a second each, mostly process start-up): check the
    # FASTQ files (readable, gzip intact, FASTQ, Phred+33, R1/R2 counts and IDs in step; fails
    # naming sample and file), remove primers with cutadapt (text report for MultiQC, JSON for the
    # read tracking) and, with UNOISE3, merge pairs, filter by expected errors and dereplicate
    # (vsearch; counts as vsearch reports them).
    input:
        reads=raw_reads,
    output:
        **prepare_outputs(paired=True),
    log:
        "logs/qc/prepare_sample/{sample}.log",
    benchmark:
        f"{RESULTS}/benchmarks/qc/prepare_sample/{{sample}}.tsv"
    wildcard_constraints:
        sample=sample_regex(paired=True),
    group:
        "per_sample"
    conda:
        "../../envs/prepare.yaml"
    threads: 1
    resources:
        mem_mb=scaled(1000),
        runtime=scaled(30),
    params:
        primers=cutadapt_primer_args,
        min_len=config["qc"]["min_len"],
        merge_pairs=merge_pairs,
        min_overlap=config["denoise"]["min_overlap"],
        max_ee=sum(max_expected_errors()),
        trunc_q=config["qc"]["trunc_q"],
    script:
        "../scripts/prepare_sample.py"


# The same job for a single-end sample (the forward primer only; no merging). A rule's outputs
# are fixed when the workflow is parsed, and a single-end sample has no R2 file: so a second rule,
# differing only in its outputs and the samples it takes.
use rule prepare_sample_paired as prepare_sample_single with:
    output:
        **prepare_outputs(paired=False),
    wildcard_constraints:
        sample=sample_regex(paired=False),


rule check_primers:
    # Fraction of reads with the forward primer, for every sample in one job (a gate before
    # denoising): a warning below qc.min_primer_fraction, an error naming the sample when
    # qc.require_primers is set.
    input:
        expand(f"{RESULTS}/qc/cutadapt/{{sample}}.json", sample=SAMPLES),
    output:
        published("primer_check"),
    log:
        "logs/qc/check_primers.log",
    benchmark:
        f"{RESULTS}/benchmarks/qc/check_primers.tsv"
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=scaled(500),
        runtime=scaled(5),
    params:
        samples=SAMPLES,
        primers=config["qc"]["primers"],
        require=config["qc"]["require_primers"],
        min_fraction=config["qc"]["min_primer_fraction"],
    script:
        "../scripts/check_primers.py"


rule write_sample_table:
    # The sample sheet, loaded and checked once (spaces stripped, read paths resolved), as the
    # later steps read it: an input of the reports, so editing the sheet reruns them.
    input:
        config["samples"],
    output:
        published("samples"),
    log:
        "logs/qc/write_sample_table.log",
    benchmark:
        f"{RESULTS}/benchmarks/qc/write_sample_table.tsv"
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=scaled(500),
        runtime=scaled(10),
    params:
        allow_mixed=config.get("input", {}).get("allow_mixed_pairing", False),
    script:
        "../scripts/write_sample_table.py"
