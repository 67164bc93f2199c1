# ASV inference: DADA2 (default) or UNOISE3, then the ASV table with stable IDs.


rule dada2_denoise:
    # Filter, learn error rates, infer samples, merge pairs and remove chimeras for the whole run
    # in one R session (loading DADA2 costs ~6 s; per-sample jobs would pay it per sample).
    # With DADA2 taxonomy too, the sequences are also classified in this session.
    input:
        unpack(dada2_classify_inputs),
        reads=all_trimmed_reads,
        primers=published("primer_check"),
    output:
        **denoise_outputs("dada2"),
    log:
        "logs/asv/dada2_denoise.log",
    benchmark:
        f"{RESULTS}/benchmarks/asv/dada2_denoise.tsv"
    conda:
        "../../envs/dada2.yaml"
    threads: 2
    resources:
        # R1 and R2 error rates are learned at the same time (two learning sets in memory).
        mem_mb=scaled(6000),
        runtime=scaled(120),
    params:
        **dada2_read_params(),
        **dada2_classify_params(),
        samples=SAMPLES,
        runs=dada2_runs(),
        trunc_len=dada2_trunc_len(),
        max_ee=max_expected_errors(),
        trunc_q=config["qc"]["trunc_q"],
        min_len=config["qc"]["min_len"],
        pool=config["denoise"]["pool"],
        seed=config["denoise"]["seed"],
        min_overlap=config["denoise"]["min_overlap"],
        scratch=lambda wc, output: os.path.join(
            os.path.dirname(output.seqtab), "filtered"
        ),
    script:
        "../scripts/dada2_denoise.R"


rule unoise_denoise:
    # Pool the run's uniques (written by the prepare_sample jobs), denoise (UNOISE3), remove
    # chimeras (UCHIME3) and count per sample (all samples mapped in one vsearch call). With
    # DADA2 taxonomy, an R process started with the job classifies the sequences.
    input:
        unpack(dada2_classify_inputs),
        primers=published("primer_check"),
        uniques=expand(
            f"{RESULTS}/asv/unoise3/uniques/{{sample}}.fasta", sample=SAMPLES
        ),
        counts=expand(published("prepare_counts", sample="{sample}"), sample=SAMPLES),
    output:
        **denoise_outputs("unoise3"),
    log:
        "logs/asv/unoise_denoise.log",
    benchmark:
        f"{RESULTS}/benchmarks/asv/unoise_denoise.tsv"
    conda:
        "../../envs/unoise.yaml"
    threads: 2
    resources:
        mem_mb=scaled(4000),
        runtime=scaled(120),
    params:
        **dada2_classify_params(),
        samples=SAMPLES,
        minsize=config["denoise"]["unoise_minsize"],
        alpha=config["denoise"]["unoise_alpha"],
    script:
        "../scripts/unoise_denoise.py"


rule build_asv_table:
    # Stable ASV IDs, length and abundance filters, TSV + FASTA + BIOM outputs; with DADA2
    # taxonomy, the denoising job's classifications keyed by these IDs.
    input:
        unpack(classified_inputs),
        seqtab=denoise_seqtab(),
    output:
        **asv_table_outputs(),
    log:
        "logs/asv/build_asv_table.log",
    benchmark:
        f"{RESULTS}/benchmarks/asv/build_asv_table.tsv"
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=scaled(2000),
        runtime=scaled(30),
    params:
        min_length=config["denoise"]["min_length"],
        max_length=config["denoise"]["max_length"],
        min_abundance=config["denoise"]["min_abundance"],
        asv_ids=config["denoise"]["asv_ids"],
    script:
        "../scripts/build_asv_table.py"
