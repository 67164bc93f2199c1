"""Write the cohort report from the sample pages' JSON documents (gutbrain.steps.report)."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.steps.report import cohort_report

cohort_report(
    snakemake.input,
    snakemake.input.samples,
    snakemake.output[0],
    thresholds=snakemake.params.thresholds,
    pages=snakemake.input.pages,
)
