"""Write the cohort report (gutbrain.report)."""

import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

from gutbrain.report import write_cohort_output  # noqa: E402
from gutbrain.report.pipeline import inputs_from_snakemake, run_date  # noqa: E402

write_cohort_output(
    inputs_from_snakemake(snakemake.input, snakemake.input.samples),  # noqa: F821
    snakemake.output[0],  # noqa: F821
    thresholds=snakemake.params.thresholds,  # noqa: F821
    run_date=run_date(),
)
