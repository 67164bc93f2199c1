# Group comparison of predicted potential (config section compare): one job per contrast, then
# the run's contrasts gathered for the reports and MultiQC.


rule compare_groups:
    # One contrast: compounds, routes and defining enzymes (rank tests, or models with the
    # covariates), genera (scikit-bio), and whether depth or predicted reads differ.
    input:
        route_measures=published("route_measures"),
        route_contributors=published("route_contributors"),
        routes=repo_file(config["function"]["routes"]),
        table=published("asv_table_filtered"),
        taxonomy=published("asv_taxonomy"),
        genus_copies=repo_file("resources/genus_16s_copies.tsv"),
        confidence=published("sample_confidence"),
    output:
        compounds=f"{RESULTS}/compare/{{contrast}}/compounds.tsv",
        routes=f"{RESULTS}/compare/{{contrast}}/routes.tsv",
        enzymes=f"{RESULTS}/compare/{{contrast}}/enzymes.tsv",
        genera=f"{RESULTS}/compare/{{contrast}}/genera.tsv",
        checks=f"{RESULTS}/compare/{{contrast}}/checks.tsv",
    log:
        "logs/compare/compare_groups_{contrast}.log",
    benchmark:
        f"{RESULTS}/benchmarks/compare/compare_groups/{{contrast}}.tsv"
    wildcard_constraints:
        contrast=(
            "|".join(re.escape(c) for c in CONTRASTS) if CONTRASTS else "NO_CONTRAST"
        ),
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=scaled(2000),
        runtime=scaled(30),
    params:
        contrast=lambda wc: contrast_params(CONTRASTS[wc.contrast]),
        reference=repo_file(config["function"]["genus_profile"]),
        fdr=config.get("compare", {}).get("fdr", 0.1),
    script:
        "../scripts/compare_groups.py"


rule compare_gather:
    # Every contrast's rows in one table (reports, JSON), the checks, and a MultiQC table.
    input:
        checks=expand(
            f"{RESULTS}/compare/{{contrast}}/checks.tsv", contrast=list(CONTRASTS)
        ),
        tables=expand(
            f"{RESULTS}/compare/{{contrast}}/{{family}}.tsv",
            contrast=list(CONTRASTS),
            family=["compounds", "routes", "enzymes", "genera"],
        ),
    output:
        comparisons=published("comparisons"),
        json=f"{RESULTS}/compare/comparisons.json",
        checks=published("compare_checks"),
        mqc=f"{RESULTS}/compare/compare_mqc.tsv",
    log:
        "logs/compare/compare_gather.log",
    benchmark:
        f"{RESULTS}/benchmarks/compare/compare_gather.tsv"
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=scaled(1000),
        runtime=scaled(10),
    script:
        "../scripts/compare_gather.py"
