# Reports: MultiQC (cutadapt + read tracking), per-sample and cohort interpretation reports.


rule multiqc:
    # MultiQC over cutadapt reports and the read-tracking table (no version check: no network).
    input:
        cutadapt=expand(
            f"{RESULTS}/qc/cutadapt/{{sample}}.cutadapt.txt", sample=SAMPLES
        ),
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
    conda:
        "../../envs/multiqc.yaml"
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 2000 * attempt,
        runtime=lambda wc, attempt: 30 * attempt,
    params:
        outdir=lambda wc, output: os.path.dirname(output[0]),
    shell:
        "multiqc --no-version-check --force --no-data-dir --outdir {params.outdir:q}"
        " --filename multiqc_report.html {input:q} > {log:q} 2>&1"


rule sample_report:
    # Per-sample interpretation summary: self-contained HTML (no network requests) and JSON.
    input:
        unpack(report_inputs),
    output:
        html=report(
            f"{RESULTS}/reports/samples/{{sample}}.html",
            category="Per-sample interpretation",
            labels={"sample": "{sample}", "type": "HTML"},
            caption="../report/sample_report.rst",
        ),
        json=f"{RESULTS}/reports/samples/{{sample}}.json",
    log:
        "logs/report/sample_report/{sample}.log",
    group:
        "reports"
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 1000 * attempt,
        runtime=lambda wc, attempt: 10 * attempt,
    params:
        thresholds=config.get("report", {}),
        samples=config["samples"],
    script:
        "../scripts/sample_report.py"


rule cohort_report:
    # Cohort overview: one row per sample, module heatmap, PCoA, genus bars; links to samples.
    input:
        unpack(report_inputs),
        pages=expand(f"{RESULTS}/reports/samples/{{sample}}.html", sample=SAMPLES),
    output:
        report(
            f"{RESULTS}/reports/index.html",
            category="Cohort overview",
            caption="../report/cohort_report.rst",
        ),
    log:
        "logs/report/cohort_report.log",
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 2000 * attempt,
        runtime=lambda wc, attempt: 30 * attempt,
    params:
        thresholds=config.get("report", {}),
        samples=config["samples"],
    script:
        "../scripts/cohort_report.py"
