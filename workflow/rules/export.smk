# The run's results in the formats other tools read unchanged (results/export/).


rule export_results:
    # BIOM with taxonomy and sample metadata + the ASV tree + make_phyloseq.R (phyloseq), and
    # the KO and EC tables in PICRUSt2's layout (ggpicrust2, MaAsLin).
    input:
        table=published("asv_table_filtered"),
        taxonomy=published("asv_taxonomy"),
        samples=report_sample_sheet(),
        tree=f"{RESULTS}/phylogeny/asv_tree.nwk",
        ko=published("ko_abundance"),
        ec=published("ec_abundance"),
    output:
        biom=f"{RESULTS}/export/asv_table.biom",
        metadata=f"{RESULTS}/export/sample_metadata.tsv",
        tree=f"{RESULTS}/export/asv_tree.nwk",
        r_script=f"{RESULTS}/export/make_phyloseq.R",
        ko=f"{RESULTS}/export/picrust2/KO_pred_metagenome_unstrat.tsv",
        ec=f"{RESULTS}/export/picrust2/EC_pred_metagenome_unstrat.tsv",
    log:
        "logs/export/export_results.log",
    benchmark:
        f"{RESULTS}/benchmarks/export/export_results.tsv"
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=scaled(1000),
        runtime=scaled(10),
    params:
        r_script=repo_file("workflow/scripts/make_phyloseq.R"),
    script:
        "../scripts/export_results.py"
