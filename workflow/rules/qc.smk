# Read checks, raw statistics and primer removal.


rule check_reads:
    # Cheap structural checks of a sample's FASTQ files before any heavy job: readable, gzip
    # intact, FASTQ, Phred+33, R1/R2 read counts and IDs in step. Fails naming sample and file.
    input:
        raw_reads,
    output:
        f"{RESULTS}/qc/checks/{{sample}}.tsv",
    log:
        "logs/qc/check_reads/{sample}.log",
    group:
        "per_sample"
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 500 * attempt,
        runtime=lambda wc, attempt: 10 * attempt,
    script:
        "../scripts/check_reads.py"


rule cutadapt_trim_paired:
    # Remove primers from read pairs with cutadapt; the text report (log) feeds MultiQC and the
    # JSON report the read tracking.
    input:
        reads=raw_reads,
        check=f"{RESULTS}/qc/checks/{{sample}}.tsv",
    output:
        r1=temp(f"{RESULTS}/qc/trimmed/{{sample}}_R1.fastq.gz"),
        r2=temp(f"{RESULTS}/qc/trimmed/{{sample}}_R2.fastq.gz"),
        json=f"{RESULTS}/qc/cutadapt/{{sample}}.json",
        report=f"{RESULTS}/qc/cutadapt/{{sample}}.cutadapt.txt",
    log:
        "logs/qc/cutadapt/{sample}.log",
    benchmark:
        f"{RESULTS}/benchmarks/qc/cutadapt/{{sample}}.tsv"
    wildcard_constraints:
        sample=sample_regex(paired=True),
    group:
        "per_sample"
    conda:
        "../../envs/cutadapt.yaml"
    threads: 2
    resources:
        mem_mb=lambda wc, attempt: 1000 * attempt,
        runtime=lambda wc, attempt: 30 * attempt,
    params:
        primers=cutadapt_primer_args,
        min_len=config["qc"]["min_len"],
    shell:
        "cutadapt {params.primers:q} --minimum-length {params.min_len} --cores {threads}"
        " --json {output.json:q} -o {output.r1:q} -p {output.r2:q} {input.reads:q} > {output.report:q} 2> {log:q}"


rule cutadapt_trim_single:
    # Remove the forward primer from single-end reads with cutadapt.
    input:
        reads=raw_reads,
        check=f"{RESULTS}/qc/checks/{{sample}}.tsv",
    output:
        r1=temp(f"{RESULTS}/qc/trimmed/{{sample}}_R1.fastq.gz"),
        json=f"{RESULTS}/qc/cutadapt/{{sample}}.json",
        report=f"{RESULTS}/qc/cutadapt/{{sample}}.cutadapt.txt",
    log:
        "logs/qc/cutadapt/{sample}.log",
    benchmark:
        f"{RESULTS}/benchmarks/qc/cutadapt/{{sample}}.tsv"
    wildcard_constraints:
        sample=sample_regex(paired=False),
    group:
        "per_sample"
    conda:
        "../../envs/cutadapt.yaml"
    threads: 2
    resources:
        mem_mb=lambda wc, attempt: 1000 * attempt,
        runtime=lambda wc, attempt: 30 * attempt,
    params:
        primers=cutadapt_primer_args,
        min_len=config["qc"]["min_len"],
    shell:
        "cutadapt {params.primers:q} --minimum-length {params.min_len} --cores {threads}"
        " --json {output.json:q} -o {output.r1:q} {input.reads:q} > {output.report:q} 2> {log:q}"


rule check_primers:
    # Fraction of reads with the forward primer, for every sample in one job (a gate before
    # denoising): a warning below qc.min_primer_fraction, an error naming the sample when
    # qc.require_primers is set.
    input:
        expand(f"{RESULTS}/qc/cutadapt/{{sample}}.json", sample=SAMPLES),
    output:
        f"{RESULTS}/qc/primer_check.tsv",
    log:
        "logs/qc/check_primers.log",
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 500 * attempt,
        runtime=lambda wc, attempt: 5 * attempt,
    params:
        samples=SAMPLES,
        primers=config["qc"]["primers"],
        require=config["qc"]["require_primers"],
        min_fraction=config["qc"]["min_primer_fraction"],
    script:
        "../scripts/check_primers.py"
