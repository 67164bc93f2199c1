"""Convert a taxonomy reference to the DADA2 and SINTAX formats and record its provenance
(gutbrain.steps.references)."""

from pathlib import Path

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.steps.references import prepare_taxonomy_reference

prepare_taxonomy_reference(
    name=snakemake.params.name,
    entry=dict(snakemake.params.entry),
    fasta=snakemake.input.fasta,
    lineages=snakemake.input.lineages or None,
    dada2_out=snakemake.output.dada2,
    sintax_out=snakemake.output.sintax,
    provenance_out=snakemake.output.provenance,
    # <cache>/taxonomy/<ref>/provenance.tsv: the parse-time checks remember in <cache>/checked.
    extra_paths=list(snakemake.input.extra),
    checked_dir=str(Path(snakemake.output.provenance).parents[2] / "checked"),
)
