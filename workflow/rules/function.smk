# Functional prediction: genome-derived genus profiles (default), or a reference bundle with
# nearest-genome (or PICRUSt2) gene-content prediction; module scores, marker genes.


rule download_bundle_file:
    # One file of a downloadable reference bundle into the shared cache (sha256 checked against
    # the config or the lock file written on first download).
    output:
        f"{CACHE}/bundles/{{bundle}}/{{part}}/{{file}}",
    log:
        f"logs/references/download_bundle_{{bundle}}.{{part}}.{{file}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/references/download_bundle_file/{{bundle}}.{{part}}.{{file}}.tsv"
    wildcard_constraints:
        part="fasta|ko|copies|metadata|ec",
        file=r"[^/]+",
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=scaled(500),
        runtime=scaled(120),
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
        mem_mb=scaled(4000),
        runtime=scaled(60),
    params:
        name=config["function"]["bundle"],
        source=bundle_source(),
    script:
        "../scripts/prepare_bundle.py"


if GENUS_METHOD:

    rule predict_function_genus:
        # Each ASV's genus -> genome-derived genus profile -> copy-number-normalised EC and KO
        # abundance per sample, contributions and confidence (fraction of reads predicted and
        # the genomes behind them).
        input:
            unpack(genus_profile_files),
            table=published("asv_table_filtered"),
            taxonomy=published("asv_taxonomy"),
            catalog=repo_file(config["function"]["catalog"]),
            markers=repo_file(config["function"]["markers"]),
        output:
            **function_outputs(),
            provenance=f"{RESULTS}/function/reference_provenance.tsv",
        log:
            "logs/function/predict_function_genus.log",
        benchmark:
            f"{RESULTS}/benchmarks/function/predict_function_genus.tsv"
        conda:
            "../../envs/python.yaml"
        threads: 1
        resources:
            mem_mb=scaled(2000),
            runtime=scaled(30),
        params:
            reference=repo_file(config["function"]["genus_profile"]),
        script:
            "../scripts/predict_function_genus.py"

elif config["function"]["method"] == "nearest":

    rule predict_function:
        # Nearest reference genomes by 16S identity -> predicted KO and 16S copies per ASV ->
        # copy-number-normalised KO abundance per sample, contributions and confidence.
        input:
            unpack(bundle_files),
            asv_fasta=f"{RESULTS}/asv/asv_seqs.fasta",
            table=published("asv_table_filtered"),
            taxonomy=published("asv_taxonomy"),
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
            mem_mb=scaled(4000),
            runtime=scaled(60),
        params:
            top_k=config["function"]["top_k"],
            min_identity=config["function"]["min_identity"],
            max_distance=config["function"]["max_distance"],
        script:
            "../scripts/predict_function.py"

else:

    rule picrust2_pipeline:
        # Optional backend: PICRUSt2 (placement + hidden-state prediction) in its own env.
        # PICRUSt2 2.6 places bacteria and archaea separately and writes combined_* tables
        # (or only bac_*/arc_* when one domain has no sequence); 2.5 wrote KO_predicted.tsv.gz
        # etc. The first file found is taken. Not run in CI (PICRUSt2 is not installable
        # there): a stand-in that writes 2.6's layout tests the rule.
        input:
            fasta=f"{RESULTS}/asv/asv_seqs.fasta",
            biom=f"{RESULTS}/asv/asv_table.biom",
        output:
            functions=f"{RESULTS}/function/picrust2/KO_predicted.tsv.gz",
            ec=f"{RESULTS}/function/picrust2/EC_predicted.tsv.gz",
            marker=f"{RESULTS}/function/picrust2/marker_predicted_and_nsti.tsv.gz",
        log:
            "logs/function/picrust2_pipeline.log",
        benchmark:
            f"{RESULTS}/benchmarks/function/picrust2_pipeline.tsv"
        conda:
            "../../envs/picrust2.yaml"
        threads: 4
        resources:
            mem_mb=scaled(16000),
            runtime=scaled(240),
        params:
            outdir=lambda wc, output: os.path.join(
                os.path.dirname(output.functions), "run"
            ),
        shell:
            "(rm -rf {params.outdir:q} && picrust2_pipeline.py -s {input.fasta:q}"
            " -i {input.biom:q} -o {params.outdir:q} -p {threads} --in_traits KO,EC"
            " --skip_norm --no_pathways"
            ' && pick() {{ for f in "$@"; do [ -e {params.outdir:q}/$f ] && {{ echo $f; return; }};'
            ' done; echo "PICRUSt2 wrote none of: $*" >&2; return 1; }}'
            " && cp {params.outdir:q}/$(pick combined_KO_predicted.tsv.gz"
            " bac_KO_predicted.tsv.gz arc_KO_predicted.tsv.gz KO_predicted.tsv.gz)"
            " {output.functions:q}"
            " && cp {params.outdir:q}/$(pick combined_EC_predicted.tsv.gz"
            " bac_EC_predicted.tsv.gz arc_EC_predicted.tsv.gz EC_predicted.tsv.gz) {output.ec:q}"
            " && cp {params.outdir:q}/$(pick combined_marker_predicted_and_nsti.tsv.gz"
            " marker_predicted_and_nsti.tsv.gz) {output.marker:q}) > {log:q} 2>&1"

    rule ingest_picrust2:
        # PICRUSt2's per-ASV KO copies and NSTI into the tables the nearest predictor writes.
        input:
            functions=f"{RESULTS}/function/picrust2/KO_predicted.tsv.gz",
            ec=f"{RESULTS}/function/picrust2/EC_predicted.tsv.gz",
            marker=f"{RESULTS}/function/picrust2/marker_predicted_and_nsti.tsv.gz",
            table=published("asv_table_filtered"),
            taxonomy=published("asv_taxonomy"),
            catalog=repo_file(config["function"]["catalog"]),
            markers=repo_file(config["function"]["markers"]),
        output:
            **function_outputs(),
        log:
            "logs/function/ingest_picrust2.log",
        benchmark:
            f"{RESULTS}/benchmarks/function/ingest_picrust2.tsv"
        conda:
            "../../envs/python.yaml"
        threads: 1
        resources:
            mem_mb=scaled(4000),
            runtime=scaled(30),
        params:
            max_nsti=config["function"]["max_nsti"],
        script:
            "../scripts/ingest_picrust2.py"


rule score_modules:
    # Omixer-RPM-style module scores (coverage, best path, median of step abundances), per-taxon
    # contributions, marker genes.
    input:
        ko_abundance=published("ko_abundance"),
        asv_ko=published("asv_ko_copies"),
        predictions=published("asv_predictions"),
        contributions=published("ko_contributions"),
        table=published("asv_table_filtered"),
        taxonomy=published("asv_taxonomy"),
        catalog=repo_file(config["function"]["catalog"]),
        markers=repo_file(config["function"]["markers"]),
        ko_ec=genus_profile_crosswalk(),
    output:
        scores=published("module_scores"),
        contributions=published("module_contributions"),
        markers=published("marker_genes"),
        scores_mqc=f"{RESULTS}/function/module_scores_mqc.tsv",
    log:
        "logs/function/score_modules.log",
    benchmark:
        f"{RESULTS}/benchmarks/function/score_modules.tsv"
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=scaled(2000),
        runtime=scaled(30),
    params:
        min_coverage=config["function"]["min_coverage"],
    script:
        "../scripts/score_modules.py"


rule score_routes:
    # Genome-resolved routes: share of predicted cells in genera whose genomes carry the whole
    # route, defining-enzyme copies per cell, carrier genera.
    input:
        table=published("asv_table_filtered"),
        taxonomy=published("asv_taxonomy"),
        routes=repo_file(config["function"]["routes"]),
        genus_copies=repo_file("resources/genus_16s_copies.tsv"),
    output:
        measures=published("route_measures"),
        contributors=published("route_contributors"),
        mqc=f"{RESULTS}/function/route_measures_mqc.tsv",
    log:
        "logs/function/score_routes.log",
    benchmark:
        f"{RESULTS}/benchmarks/function/score_routes.tsv"
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=scaled(2000),
        runtime=scaled(30),
    params:
        reference=repo_file(config["function"]["genus_profile"]),
        present_share=config["function"]["route_present_share"],
        min_resolved=config["function"]["route_min_resolved"],
    script:
        "../scripts/score_routes.py"


rule download_official_modules:
    # The official GBM and GMM module files (academic non-commercial licence: downloaded at the
    # user's request, never shipped), checksummed like every reference.
    output:
        f"{CACHE}/modules/{{name}}.txt",
    log:
        f"logs/references/download_modules_{{name}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/references/download_official_modules/{{name}}.tsv"
    wildcard_constraints:
        name="GBMs.v1.0|GMMs.v1.07",
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=scaled(500),
        runtime=scaled(30),
    params:
        source=official_modules_download,
    script:
        "../scripts/download_reference.py"


rule score_official_modules:
    # Score the official GBMs and GMMs on the predicted KO abundances (same algorithm).
    input:
        ko_abundance=published("ko_abundance"),
        modules=expand(
            f"{CACHE}/modules/{{name}}.txt", name=["GBMs.v1.0", "GMMs.v1.07"]
        ),
    output:
        f"{RESULTS}/function/official_module_scores.tsv",
    log:
        "logs/function/score_official_modules.log",
    benchmark:
        f"{RESULTS}/benchmarks/function/score_official_modules.tsv"
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=scaled(2000),
        runtime=scaled(30),
    params:
        min_coverage=config["function"]["min_coverage"],
    script:
        "../scripts/score_official_modules.py"
