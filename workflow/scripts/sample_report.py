"""Write one sample's interpretation report, HTML and JSON (gutbrain.report)."""

import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

from gutbrain.report import write_sample_outputs  # noqa: E402
from gutbrain.report.pipeline import inputs_from_snakemake, run_date  # noqa: E402

write_sample_outputs(
    snakemake.wildcards.sample,  # noqa: F821
    inputs_from_snakemake(snakemake.input, snakemake.params.samples),  # noqa: F821
    snakemake.output.html,  # noqa: F821
    snakemake.output.json,  # noqa: F821
    thresholds=snakemake.params.thresholds,  # noqa: F821
    run_date=run_date(),
)
