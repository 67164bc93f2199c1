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
