# Reference files: download (checksummed), conversion to each classifier's format, provenance.


rule download_taxonomy_reference:
    # Download a taxonomy reference (or its species file) once into the shared cache; the sha256
    # is checked against the config or against the lock file written on the first download.
    output:
        f"{CACHE}/taxonomy/{{ref}}/download/{{kind}}.fa.gz",
    log:
        f"logs/references/download_{{ref}}_{{kind}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/references/download_taxonomy_reference/{{ref}}_{{kind}}.tsv"
    wildcard_constraints:
        kind="reference|species",
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=scaled(500),
        runtime=scaled(60),
    params:
        source=download_url,
    script:
        "../scripts/download_reference.py"


rule fetch_taxonomy_part:
    # Download a further part of a taxonomy reference (an extra entry with a url) when it is
    # not installed; from a Debian package, the file inside it. Both checksums are checked.
    output:
        f"{CACHE}/taxonomy/{{ref}}/extra/{{index}}/{{file}}",
    log:
        f"logs/references/fetch_{{ref}}_{{index}}_{{file}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/references/fetch_taxonomy_part/{{ref}}_{{index}}_{{file}}.tsv"
    wildcard_constraints:
        index=r"\d+",
        file=r"[^/]+",
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=scaled(500),
        runtime=scaled(60),
    params:
        part=lambda wc: taxonomy_reference(wc.ref)["extra"][int(wc.index)],
    script:
        "../scripts/fetch_reference_part.py"


rule dada2_package_file:
    # Copy a file shipped with the DADA2 R package (extdata) into the reference cache, so that
    # no R runs while Snakemake parses the workflow.
    output:
        f"{CACHE}/dada2_package/{{file}}",
    log:
        "logs/references/dada2_package_{file}.log",
    benchmark:
        f"{RESULTS}/benchmarks/references/dada2_package_file/{{file}}.tsv"
    wildcard_constraints:
        file=r"[^/]+",
    conda:
        "../../envs/dada2.yaml"
    threads: 1
    resources:
        mem_mb=scaled(500),
        runtime=scaled(10),
    script:
        "../scripts/dada2_package_file.R"


rule prepare_taxonomy_reference:
    # Convert a taxonomy reference into the DADA2 training format and the SINTAX format, and
    # write its provenance record.
    input:
        fasta=taxonomy_source_file,
        lineages=taxonomy_local_table,
        extra=taxonomy_extra_files,
    output:
        dada2=f"{CACHE}/taxonomy/{{ref}}/dada2.fa.gz",
        sintax=f"{CACHE}/taxonomy/{{ref}}/sintax.fa.gz",
        provenance=f"{CACHE}/taxonomy/{{ref}}/provenance.tsv",
    log:
        f"logs/references/prepare_{{ref}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/references/prepare_taxonomy_reference/{{ref}}.tsv"
    # A failure here comes from the reference file itself: retrying cannot help.
    retries: 0
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=scaled(2000),
        runtime=scaled(60),
    params:
        entry=lambda wc: taxonomy_reference(wc.ref),
        name=lambda wc: wc.ref,
    script:
        "../scripts/prepare_taxonomy_reference.py"


rule collect_provenance:
    # Every reference used by this run, with version, source, sha256 and date.
    input:
        provenance_inputs,
    output:
        published("provenance"),
    log:
        "logs/references/collect_provenance.log",
    benchmark:
        f"{RESULTS}/benchmarks/references/collect_provenance.tsv"
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=scaled(500),
        runtime=scaled(10),
    script:
        "../scripts/collect_provenance.py"
