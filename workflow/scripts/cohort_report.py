"""Write the cohort report (gutbrain.report)."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.report import write_cohort_output
from gutbrain.report.pipeline import inputs_from_snakemake, run_date

write_cohort_output(
    inputs_from_snakemake(snakemake.input, snakemake.input.samples),
    snakemake.output[0],
    thresholds=snakemake.params.thresholds,
    run_date=run_date(),
)
