# Entry from an existing ASV table (config key input.asv_table, with input.asv_seqs): replaces
# read QC and denoising (qc.smk, denoise.smk are not included). Writes the same ASV outputs as
# build_asv_table, keeping the table's feature IDs, so every later rule runs unchanged.


rule import_asv_table:
    # Check the table (BIOM or TSV) and FASTA; errors name the file and the line, ID or sample.
    input:
        unpack(imported_sheet),
        table=ASV_TABLE,
        seqs=ASV_SEQS,
    output:
        table=published("asv_table"),
        fasta=f"{RESULTS}/asv/asv_seqs.fasta",
        biom=f"{RESULTS}/asv/asv_table.biom",
        metadata=f"{RESULTS}/asv/sample_metadata.tsv",
        provenance=f"{RESULTS}/asv/import_provenance.tsv",
    log:
        "logs/asv/import_asv_table.log",
    benchmark:
        f"{RESULTS}/benchmarks/asv/import_asv_table.tsv"
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=scaled(2000),
        runtime=scaled(30),
    params:
        samples=SAMPLES,
    script:
        "../scripts/import_asv_table.py"
