"""The run's contrasts in one table (gutbrain.steps.compare.gather)."""

from pathlib import Path

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.steps.compare import gather

gather([str(Path(f).parent) for f in snakemake.input.checks], dict(snakemake.output.items()))
