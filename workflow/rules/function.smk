# Functional prediction: reference bundle, nearest-genome (or PICRUSt2) gene-content prediction,
# module scores, marker genes.


rule build_demo_bundle:
    # Offline demo bundle: real 16S sequences from the DADA2 package reference per genus of the
    # curated trait table, with literature-based genus KO presence (a coarse genus profile,
    # not genome-derived copy numbers).
    input:
        sintax=lambda wc: os.path.join(dada2_extdata(), "ten_16s.100.fa.gz"),
        traits=repo_file("resources/genus_traits.tsv"),
        copies=repo_file("resources/genus_16s_copies.tsv"),
    output:
        fasta=f"{RESULTS}/function/demo_bundle/16S.fna",
        ko=f"{RESULTS}/function/demo_bundle/ko.txt.gz",
        copies=f"{RESULTS}/function/demo_bundle/16S.txt.gz",
        metadata=f"{RESULTS}/function/demo_bundle/metadata.tsv",
        manifest=f"{RESULTS}/function/demo_bundle/bundle.yaml",
    log:
        "logs/function/build_demo_bundle.log",
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 1000 * attempt,
        runtime=lambda wc, attempt: 10 * attempt,
    script:
        "../scripts/build_demo_bundle.py"


rule download_bundle_file:
    # One file of a downloadable reference bundle into the shared cache (sha256 checked against
    # the config or the lock file written on first download).
    output:
        f"{CACHE}/bundles/{{bundle}}/{{part}}",
    log:
        f"logs/references/download_bundle_{{bundle}}.{{part}}.log",
    wildcard_constraints:
        part="fasta|ko|copies|metadata",
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 500 * attempt,
        runtime=lambda wc, attempt: 120 * attempt,
    params:
        source=bundle_download,
    script:
        "../scripts/download_reference.py"


rule prepare_bundle:
    # Validate the bundle (genome IDs agree, numeric tables) and write the vsearch database.
    input:
        unpack(bundle_files),
        catalog=repo_file(config["function"]["catalog"]),
        markers=repo_file(config["function"]["markers"]),
    output:
        db=f"{RESULTS}/function/search_db.fasta",
        provenance=f"{RESULTS}/function/bundle_provenance.tsv",
    log:
        "logs/function/prepare_bundle.log",
    benchmark:
        f"{RESULTS}/benchmarks/function/prepare_bundle.tsv"
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 4000 * attempt,
        runtime=lambda wc, attempt: 60 * attempt,
    params:
        name=config["function"]["bundle"],
        source=bundle_source(),
    script:
        "../scripts/prepare_bundle.py"


rule predict_function:
    # Nearest reference genomes by 16S identity -> predicted KO and 16S copies per ASV ->
    # copy-number-normalised KO abundance per sample, contributions and confidence.
    input:
        unpack(bundle_files),
        asv_fasta=f"{RESULTS}/asv/asv_seqs.fasta",
        table=f"{RESULTS}/taxonomy/asv_table_filtered.tsv",
        taxonomy=f"{RESULTS}/taxonomy/asv_taxonomy.tsv",
        db=f"{RESULTS}/function/search_db.fasta",
        catalog=repo_file(config["function"]["catalog"]),
        markers=repo_file(config["function"]["markers"]),
    output:
        **function_outputs(),
    log:
        "logs/function/predict_function.log",
    benchmark:
        f"{RESULTS}/benchmarks/function/predict_function.tsv"
    conda:
        "../../envs/python.yaml"
    threads: 2
    resources:
        mem_mb=lambda wc, attempt: 4000 * attempt,
        runtime=lambda wc, attempt: 60 * attempt,
    params:
        top_k=config["function"]["top_k"],
        min_identity=config["function"]["min_identity"],
        max_distance=config["function"]["max_distance"],
    script:
        "../scripts/predict_function.py"


rule score_modules:
    # Omixer-RPM-style module scores (coverage, best path, median of step abundances), per-taxon
    # contributions, marker genes.
    input:
        ko_abundance=f"{RESULTS}/function/ko_abundance.tsv",
        asv_ko=f"{RESULTS}/function/asv_ko_copies.tsv",
        predictions=f"{RESULTS}/function/asv_predictions.tsv",
        contributions=f"{RESULTS}/function/ko_contributions.tsv",
        table=f"{RESULTS}/taxonomy/asv_table_filtered.tsv",
        taxonomy=f"{RESULTS}/taxonomy/asv_taxonomy.tsv",
        catalog=repo_file(config["function"]["catalog"]),
        markers=repo_file(config["function"]["markers"]),
    output:
        scores=f"{RESULTS}/function/module_scores.tsv",
        contributions=f"{RESULTS}/function/module_contributions.tsv",
        markers=f"{RESULTS}/function/marker_genes.tsv",
        scores_mqc=f"{RESULTS}/function/module_scores_mqc.tsv",
    log:
        "logs/function/score_modules.log",
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 2000 * attempt,
        runtime=lambda wc, attempt: 30 * attempt,
    params:
        min_coverage=config["function"]["min_coverage"],
    script:
        "../scripts/score_modules.py"
