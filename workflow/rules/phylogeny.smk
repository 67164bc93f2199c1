# ASV tree: MAFFT alignment and FastTree (GTR); rooted at midpoint where it is read.


rule build_tree:
    # Multiple alignment (MAFFT, automatic strategy) and approximate-ML tree (FastTree, GTR).
    input:
        f"{RESULTS}/asv/asv_seqs.fasta",
    output:
        alignment=f"{RESULTS}/phylogeny/asv_alignment.fasta",
        tree=f"{RESULTS}/phylogeny/asv_tree.nwk",
    log:
        "logs/phylogeny/build_tree.log",
    benchmark:
        f"{RESULTS}/benchmarks/phylogeny/build_tree.tsv"
    conda:
        "../../envs/phylogeny.yaml"
    threads: 2
    resources:
        mem_mb=scaled(4000),
        runtime=scaled(120),
    shell:
        "(mafft --auto --thread {threads} {input:q} > {output.alignment:q}"
        " && FastTree -nt -gtr -seed 314159 {output.alignment:q} > {output.tree:q}) 2> {log:q}"
