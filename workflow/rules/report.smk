# Reports: the run summary (read tracking), MultiQC (cutadapt + read tracking), per-sample and
# cohort interpretation reports.


if ASV_TABLE_ENTRY:

    rule read_tracking_imported:
        # Read tracking without read-level steps: input = the imported table's totals per sample,
        # primer_trimmed..nonchimeric empty, taxonomy_kept from the on-target table as usual.
        input:
            imported=published("asv_table"),
            table=published("asv_table_filtered"),
        output:
            tsv=published("read_tracking"),
            mqc=f"{RESULTS}/qc/read_tracking_mqc.tsv",
        log:
            "logs/report/read_tracking.log",
        benchmark:
            f"{RESULTS}/benchmarks/report/read_tracking_imported.tsv"
        conda:
            "../../envs/python.yaml"
        threads: 1
        resources:
            mem_mb=scaled(500),
            runtime=scaled(10),
        params:
            samples=SAMPLES,
        script:
            "../scripts/read_tracking_imported.py"

else:

    rule read_tracking:
        # Reads per sample at every step that can lose them; flags samples left without reads
        # and those the primer check (check_primers) warned about (primer in too few reads).
        input:
            cutadapt=expand(f"{RESULTS}/qc/cutadapt/{{sample}}.json", sample=SAMPLES),
            primer_check=published("primer_check"),
            denoise=denoise_tracking(),
            prepare=unoise_count_files(),
            table=published("asv_table_filtered"),
        output:
            tsv=published("read_tracking"),
            mqc=f"{RESULTS}/qc/read_tracking_mqc.tsv",
        log:
            "logs/report/read_tracking.log",
        benchmark:
            f"{RESULTS}/benchmarks/report/read_tracking.tsv"
        conda:
            "../../envs/python.yaml"
        threads: 1
        resources:
            mem_mb=scaled(500),
            runtime=scaled(10),
        params:
            samples=SAMPLES,
            # the sheet's run column, when it has one (DADA2 error models per run)
            runs=dada2_runs() if "run" in SHEET.columns else [],
        script:
            "../scripts/read_tracking.py"


rule multiqc:
    # MultiQC over cutadapt reports (none when starting from an ASV table) and the read-tracking
    # table (no version check: no network).
    input:
        cutadapt=cutadapt_reports(),
        tracking=f"{RESULTS}/qc/read_tracking_mqc.tsv",
        extra=multiqc_extra_inputs(),
    output:
        report(
            f"{RESULTS}/multiqc/multiqc_report.html",
            category="Quality control",
            caption="../report/multiqc.rst",
        ),
    log:
        "logs/report/multiqc.log",
    benchmark:
        f"{RESULTS}/benchmarks/report/multiqc.tsv"
    conda:
        "../../envs/multiqc.yaml"
    threads: 1
    resources:
        mem_mb=scaled(2000),
        runtime=scaled(30),
    params:
        outdir=lambda wc, output: os.path.dirname(output[0]),
    shell:
        "multiqc --no-version-check --force --no-data-dir --outdir {params.outdir:q}"
        " --filename multiqc_report.html {input:q} > {log:q} 2>&1"


rule sample_reports:
    # Per-sample interpretation summaries, self-contained HTML (no network requests) and JSON,
    # rendered in one job: the inputs are run-wide tables, and one job per sample would cost a
    # Python start-up each (and on a cluster, a scheduler slot each).
    input:
        unpack(report_inputs),
    output:
        pages=report(
            directory(f"{RESULTS}/reports/samples"),
            patterns=["{name}.html"],
            category="Per-sample interpretation",
            labels={"sample": "{name}"},
            caption="../report/sample_report.rst",
        ),
    log:
        "logs/report/sample_reports.log",
    benchmark:
        f"{RESULTS}/benchmarks/report/sample_reports.tsv"
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=scaled(2000),
        runtime=scaled(30),
    params:
        thresholds=report_thresholds(),
    script:
        "../scripts/sample_reports.py"


rule cohort_report:
    # Cohort overview: one row per sample, module heatmap, PCoA, genus bars; links to samples.
    # Built from the sample pages' JSON documents (pages) and the run-wide tables.
    input:
        unpack(cohort_report_inputs),
        pages=f"{RESULTS}/reports/samples",
    output:
        report(
            f"{RESULTS}/reports/index.html",
            category="Cohort overview",
            caption="../report/cohort_report.rst",
        ),
    log:
        "logs/report/cohort_report.log",
    benchmark:
        f"{RESULTS}/benchmarks/report/cohort_report.tsv"
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=scaled(2000),
        runtime=scaled(30),
    params:
        thresholds=report_thresholds(),
    script:
        "../scripts/cohort_report.py"
