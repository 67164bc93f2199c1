"""Write every sample's interpretation report, HTML and JSON (gutbrain.report)."""

from pathlib import Path

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.report import write_sample_outputs
from gutbrain.report.pipeline import inputs_from_snakemake, run_date

inputs = inputs_from_snakemake(snakemake.input, snakemake.input.samples)
out = Path(snakemake.output.pages)
out.mkdir(parents=True, exist_ok=True)
date = run_date()
for sample in inputs.samples["sample"]:
    write_sample_outputs(
        str(sample),
        inputs,
        out / f"{sample}.html",
        out / f"{sample}.json",
        thresholds=snakemake.params.thresholds,
        run_date=date,
    )
