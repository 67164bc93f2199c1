"""Convert a taxonomy reference to the DADA2 and SINTAX formats and record its provenance."""

import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

from gutbrain.taxonomy import prepare_reference  # noqa: E402

prepare_reference(
    name=snakemake.params.name,  # noqa: F821
    entry=dict(snakemake.params.entry),  # noqa: F821
    fasta=snakemake.input.fasta,  # noqa: F821
    lineages=snakemake.input.lineages or None,  # noqa: F821
    dada2_out=snakemake.output.dada2,  # noqa: F821
    sintax_out=snakemake.output.sintax,  # noqa: F821
    provenance_out=snakemake.output.provenance,  # noqa: F821
)
