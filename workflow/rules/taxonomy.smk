# Taxonomic classification (DADA2 naive Bayes or SINTAX), off-target removal.


if not CLASSIFY_IN_DENOISE:

    rule dada2_assign_taxonomy:
        # Naive Bayes classifier (assignTaxonomy, fixed seed) plus exact species where available,
        # for an imported ASV table (with a denoiser, the denoising job classifies and
        # build_asv_table keys the classifications by ASV ID).
        input:
            fasta=f"{RESULTS}/asv/asv_seqs.fasta",
            reference=prepared_reference("dada2"),
            species=species_reference,
        output:
            published("assignments", method="dada2"),
        log:
            "logs/taxonomy/dada2_assign_taxonomy.log",
        benchmark:
            f"{RESULTS}/benchmarks/taxonomy/dada2_assign_taxonomy.tsv"
        conda:
            "../../envs/dada2.yaml"
        threads: 2
        resources:
            mem_mb=scaled(4000),
            runtime=scaled(120),
        params:
            min_boot=config["taxonomy"]["min_boot"],
            seed=config["taxonomy"]["seed"],
        script:
            "../scripts/dada2_assign_taxonomy.R"


rule sintax_assign_taxonomy:
    # SINTAX classifier (vsearch, fixed random seed).
    input:
        fasta=f"{RESULTS}/asv/asv_seqs.fasta",
        reference=prepared_reference("sintax"),
    output:
        published("assignments", method="sintax"),
    log:
        "logs/taxonomy/sintax_assign_taxonomy.log",
    benchmark:
        f"{RESULTS}/benchmarks/taxonomy/sintax_assign_taxonomy.tsv"
    conda:
        "../../envs/vsearch.yaml"
    threads: 2
    resources:
        mem_mb=scaled(2000),
        runtime=scaled(60),
    params:
        cutoff=config["taxonomy"]["sintax_cutoff"],
    shell:
        "vsearch --sintax {input.fasta:q} --db {input.reference:q} --sintax_cutoff {params.cutoff}"
        " --tabbedout {output:q} --randseed 1 --threads 1 --strand plus > {log:q} 2>&1"


rule filter_taxonomy:
    # One taxonomy table for both classifiers; off-target ASVs removed from the table used
    # downstream and counted.
    input:
        assignments=published("assignments", method=config["taxonomy"]["method"]),
        table=published("asv_table"),
    output:
        taxonomy=published("asv_taxonomy"),
        table=published("asv_table_filtered"),
        summary=published("off_target_summary"),
    log:
        "logs/taxonomy/filter_taxonomy.log",
    benchmark:
        f"{RESULTS}/benchmarks/taxonomy/filter_taxonomy.tsv"
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=scaled(2000),
        runtime=scaled(30),
    params:
        method=config["taxonomy"]["method"],
        cutoff=config["taxonomy"]["sintax_cutoff"],
        off_target=config["taxonomy"]["remove"],
    script:
        "../scripts/filter_taxonomy.py"
