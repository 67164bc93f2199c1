"""Write every sample's interpretation report, HTML and JSON (gutbrain.steps.report)."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.steps.report import sample_reports

sample_reports(
    snakemake.input,
    snakemake.input.samples,
    snakemake.output.pages,
    thresholds=snakemake.params.thresholds,
)
