"""The run's results in other tools' formats (gutbrain.steps.export)."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain import __version__
from gutbrain.steps.export import export_results

export_results(dict(snakemake.input.items()), dict(snakemake.output.items()),
               r_script=snakemake.params.r_script, generated_by=f"gutbrain16s {__version__}")
