# Python helpers of the rules (see common.smk for the map): the run's final targets and the inputs of the report rules.
import os

# ---------------------------------------------------------------- targets


def compare_outputs():
    """The gathered comparison tables when the run compares groups, else []."""
    if not CONTRASTS:
        return []
    return [published("comparisons"), published("compare_checks")]


def final_outputs():
    """Everything `snakemake` builds by default."""
    return [
        published("read_tracking"),
        published("asv_table"),
        f"{RESULTS}/asv/asv_seqs.fasta",
        f"{RESULTS}/asv/asv_table.biom",
        published("asv_taxonomy"),
        published("provenance"),
        f"{RESULTS}/multiqc/multiqc_report.html",
        *function_outputs().values(),
        published("module_scores"),
        published("module_contributions"),
        published("marker_genes"),
        published("route_measures"),
        published("alpha"),
        f"{RESULTS}/reports/index.html",
        f"{RESULTS}/reports/samples",
        *compare_outputs(),
        f"{RESULTS}/export/asv_table.biom",
        f"{RESULTS}/export/picrust2/KO_pred_metagenome_unstrat.tsv",
        *(
            [f"{RESULTS}/function/official_module_scores.tsv"]
            if config["function"].get("download_official_modules")
            else []
        ),
    ]


def unoise_count_files():
    """Per-sample merge/filter counts of the UNOISE3 path (none for DADA2)."""
    if config["denoise"]["method"] != "unoise3":
        return []
    return expand(published("prepare_counts", sample="{sample}"), sample=SAMPLES)


def provenance_inputs(wildcards=None):
    """Provenance records of every reference this run uses (and of an imported ASV table)."""
    return [
        f"{CACHE}/taxonomy/{taxonomy_reference_name()}/provenance.tsv",
        function_provenance(),
        *([f"{RESULTS}/asv/import_provenance.tsv"] if ASV_TABLE_ENTRY else []),
    ]


def cutadapt_reports():
    """Per-sample cutadapt reports for MultiQC (none when starting from an ASV table)."""
    if ASV_TABLE_ENTRY:
        return []
    return expand(f"{RESULTS}/qc/cutadapt/{{sample}}.cutadapt.txt", sample=SAMPLES)


def imported_sheet(wildcards=None):
    """{'sheet': path} of the metadata sheet when starting from an ASV table with one."""
    sheet = str(config.get("samples", "") or "")
    return {"sheet": sheet} if sheet else {}


def report_sample_sheet():
    """Sample table the reports read: the sample sheet, or, when starting from an ASV table,
    the table's samples with the sheet's metadata (written by import_asv_table)."""
    if ASV_TABLE_ENTRY:
        return f"{RESULTS}/asv/sample_metadata.tsv"
    return published("samples")


def multiqc_extra_inputs():
    """Further MultiQC custom-content tables (route shares, module scores, confidence)."""
    return [
        f"{RESULTS}/function/route_measures_mqc.tsv",
        f"{RESULTS}/function/module_scores_mqc.tsv",
        f"{RESULTS}/function/sample_confidence_mqc.tsv",
        *([f"{RESULTS}/compare/compare_mqc.tsv"] if CONTRASTS else []),
    ]


# ---------------------------------------------------------------- diversity and reports

BETA_METRICS = ["braycurtis", "weighted_unifrac", "unweighted_unifrac"]


def report_inputs(wildcards=None):
    """Result tables and shipped resources the interpretation reports read, and the optional
    reference cohort (input.reference_cohort, relative to the working directory)."""
    return {
        "read_tracking": published("read_tracking"),
        "asv_table": published("asv_table_filtered"),
        "taxonomy": published("asv_taxonomy"),
        "alpha": published("alpha"),
        "module_scores": published("module_scores"),
        "module_contributions": published("module_contributions"),
        "marker_genes": published("marker_genes"),
        "route_measures": published("route_measures"),
        "route_contributors": published("route_contributors"),
        "routes": repo_file(config["function"]["routes"]),
        "route_validation": repo_file("resources/route_validation.tsv"),
        "sample_confidence": published("sample_confidence"),
        "provenance": published("provenance"),
        "bundle": bundle_manifest(),
        "taxa_of_interest": repo_file("resources/taxa_of_interest.tsv"),
        "genus_traits": repo_file("resources/genus_traits.tsv"),
        "module_catalog": repo_file(config["function"]["catalog"]),
        "marker_catalog": repo_file(config["function"]["markers"]),
        "compounds": repo_file("resources/compounds.yaml"),
        **{f"pcoa_{m}": published("pcoa", metric=m) for m in BETA_METRICS},
        **reference_cohort_input(),
        "samples": report_sample_sheet(),
    }


def cohort_report_inputs(wildcards=None):
    """The report inputs plus, when the run compares groups, the comparison tables (only the
    cohort page shows them)."""
    return {**report_inputs(), **compare_report_inputs()}


def compare_report_inputs():
    """The gathered group comparison, its checks and the measured agreement of comparisons
    with metagenomes, when the run compares groups; else {}."""
    if not CONTRASTS:
        return {}
    return {
        "comparisons": published("comparisons"),
        "compare_checks": published("compare_checks"),
        "compare_validation": repo_file("resources/compare_validation.tsv"),
    }


def genus_profile_crosswalk():
    """[the genus profile's ko_ec.tsv] with function.method genus_profile, else []: KOs that
    this reference predicts from one EC are one gene to it (marker genes count them once).
    """
    if config["function"]["method"] != "genus_profile":
        return []
    return [os.path.join(repo_file(config["function"]["genus_profile"]), "ko_ec.tsv")]


def report_thresholds():
    """The report settings (config section report) with the route thresholds of the function
    section, which set the route statuses the pages state."""
    return {
        **config.get("report", {}),
        "route_present_share": config["function"]["route_present_share"],
        "route_min_resolved": config["function"]["route_min_resolved"],
    }


def reference_cohort_input():
    """{'reference_cohort': path} when input.reference_cohort is set, else {}."""
    path = str(config.get("input", {}).get("reference_cohort", "") or "")
    if not path:
        return {}
    if not os.path.isfile(path):
        raise WorkflowError(
            f"config key input.reference_cohort is '{path}': no such file (relative paths "
            f"are relative to the working directory, {os.getcwd()}). Point it at a "
            'module_scores.tsv of a previous run or set it to "" to turn the comparison off.'
        )
    return {"reference_cohort": path}


def bundle_manifest():
    """The manifest of the functional reference: reference.yaml of a genus profile, or the
    bundle.yaml of a bundle ('' when it has none)."""
    if GENUS_METHOD:
        return genus_profile_files()["ref_reference"]
    return bundle_files().get("bundle_manifest", [])
