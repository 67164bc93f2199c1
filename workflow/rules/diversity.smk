# Alpha and beta diversity (scikit-bio) on rarefied counts; rarefaction depth chosen from the data.


rule diversity:
    # Observed ASVs, Shannon, Simpson, Faith PD; Bray-Curtis and (un)weighted UniFrac; PCoA.
    input:
        table=published("asv_table_filtered"),
        tree=f"{RESULTS}/phylogeny/asv_tree.nwk",
    output:
        alpha=published("alpha"),
        rarefaction=f"{RESULTS}/diversity/rarefaction.json",
        beta=expand(f"{RESULTS}/diversity/beta_{{metric}}.tsv", metric=BETA_METRICS),
        pcoa=expand(published("pcoa", metric="{metric}"), metric=BETA_METRICS),
    log:
        "logs/diversity/diversity.log",
    benchmark:
        f"{RESULTS}/benchmarks/diversity/diversity.tsv"
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=scaled(4000),
        runtime=scaled(60),
    params:
        seed=config["diversity"]["seed"],
    script:
        "../scripts/diversity.py"
