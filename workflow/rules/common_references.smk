# Python helpers of the rules (see common.smk for the map): taxonomy references (registry, downloads, extra parts), the function step's references (genus profile, bundles), and the check of every reference file at parse time.
import os

from snakemake.exceptions import WorkflowError

from gutbrain.errors import InputError
from gutbrain.references import extra_part_path

# ---------------------------------------------------------------- references


def taxonomy_reference_name():
    """Name of the configured taxonomy reference, checked against the registry."""
    name = config["taxonomy"]["reference"]
    registry = config["references"].get("taxonomy", {})
    if name not in registry:
        raise WorkflowError(
            f"config key taxonomy.reference names '{name}', which is not in references.taxonomy "
            f"(known: {', '.join(sorted(registry)) or 'none'})."
        )
    return name


def taxonomy_reference(name):
    """Registry entry of a taxonomy reference."""
    return config["references"]["taxonomy"][name]


def taxonomy_source_file(wildcards):
    """The raw reference file for a taxonomy reference (downloaded, shipped or local)."""
    entry = taxonomy_reference(wildcards.ref)
    if entry["source"] == "dada2_package":
        return f"{CACHE}/dada2_package/{entry['file']}"
    if entry["source"] == "local":
        return entry["fasta"]
    return f"{CACHE}/taxonomy/{wildcards.ref}/download/reference.fa.gz"


def taxonomy_extra_files(wildcards):
    """Further FASTA parts of a taxonomy reference (its 'extra' list): installed, or fetched."""
    parts = taxonomy_reference(wildcards.ref).get("extra", [])
    paths = [
        extra_part_path(CACHE, wildcards.ref, i, part) for i, part in enumerate(parts)
    ]
    for part, path in zip(parts, paths):
        if path is None:
            hint = part.get("install", "")
            raise WorkflowError(
                f"taxonomy reference '{wildcards.ref}' (references.taxonomy.{wildcards.ref}"
                f".extra) needs {part['fasta']}, which is missing"
                + (f": {hint}" if hint else "")
                + ", or give the part a url (and url_sha256) to download it. Or choose "
                "another taxonomy.reference (dada2_demo needs only the DADA2 package; "
                "silva_138.2, gtdb_r220 and rdp_19 are downloaded)."
            )
    return paths


def taxonomy_local_table(wildcards):
    """The local taxonomy TSV of a fasta_tsv reference (empty list otherwise)."""
    entry = taxonomy_reference(wildcards.ref)
    if entry["format"] == "fasta_tsv":
        return entry["taxonomy"]
    return []


def species_reference(wildcards=None):
    """The DADA2 assignSpecies file of the configured reference, when it has one."""
    name = taxonomy_reference_name()
    if taxonomy_reference(name).get("species_url"):
        return f"{CACHE}/taxonomy/{name}/download/species.fa.gz"
    return []


def download_url(wildcards):
    """URL and expected sha256 of a taxonomy reference file to download."""
    entry = taxonomy_reference(wildcards.ref)
    if wildcards.kind == "species":
        return {"url": entry["species_url"], "sha256": entry.get("species_sha256", "")}
    return {"url": entry["url"], "sha256": entry.get("sha256", "")}


def prepared_reference(fmt):
    """Classifier-ready reference of the configured taxonomy reference."""
    return f"{CACHE}/taxonomy/{taxonomy_reference_name()}/{fmt}.fa.gz"


# ---------------------------------------------------------------- function


def repo_file(path):
    """A shipped resource: relative paths not found in the working directory come from the repo."""
    if os.path.isabs(path) or os.path.exists(path):
        return path
    return str(REPO_ROOT / path)


def bundle_entry():
    """Registry entry of the configured bundle, or None for plain folders."""
    name = config["function"]["bundle"]
    return config["references"].get("bundles", {}).get(name)


GENUS_PROFILE_FILES = [
    "genera.tsv",
    "ec_profile.tsv.gz",
    "ec_annotated.txt",
    "ko_ec.tsv",
    "reference.yaml",
]


def genus_profile_files(wildcards=None):
    """Files of the configured genus profile reference (method genus_profile)."""
    folder = repo_file(config["function"]["genus_profile"])
    if not os.path.isdir(folder):
        raise WorkflowError(
            f"config key function.genus_profile is '{config['function']['genus_profile']}': "
            "no such folder (the shipped reference is resources/genus_profile)."
        )
    return {
        f"ref_{name.split('.')[0]}": os.path.join(folder, name)
        for name in GENUS_PROFILE_FILES
    }


def bundle_files(wildcards=None):
    """Files of the configured reference bundle (fasta, ko, copies, optional metadata/manifest).
    A bundle folder is looked into here, when the DAG is built (not while parsing; see
    docs/DEVELOPMENT.md, "Where to continue", for why this is not a checkpoint)."""
    name = config["function"]["bundle"]
    entry = bundle_entry()
    if entry is None:
        if not os.path.isdir(name):
            raise WorkflowError(
                f"config key function.bundle is '{name}': not a name in "
                f"references.bundles, and not an existing folder."
            )
        from gutbrain.bundle import find_bundle_files

        try:
            found = find_bundle_files(name)
        except InputError as err:
            raise WorkflowError(f"function.bundle folder {name}: {err}") from None
        files = {
            "bundle_fasta": found.fasta,
            "bundle_ko": found.ko,
            "bundle_copies": found.copies,
        }
        if found.metadata:
            files["bundle_metadata"] = found.metadata
        if found.manifest:
            files["bundle_manifest"] = found.manifest
        if found.ec:
            files["bundle_ec"] = found.ec
        return {k: str(v) for k, v in files.items()}
    parts = [
        p
        for p in ("fasta", "ko", "copies", "metadata", "ec")
        if p in entry.get("files", {})
    ]
    if entry["source"] == "local":
        return {
            f"bundle_{p}": os.path.join(entry["path"], entry["files"][p]) for p in parts
        }
    # The download keeps its file name: readers tell a gzip by its .gz.
    return {
        f"bundle_{p}": f"{CACHE}/bundles/{name}/{p}/{os.path.basename(entry['files'][p])}"
        for p in parts
    }


def bundle_download(wildcards):
    """URL and expected sha256 of one part of a downloadable bundle."""
    entry = config["references"]["bundles"][wildcards.bundle]
    return {
        "url": f"{entry['base_url']}{entry['files'][wildcards.part]}",
        "sha256": entry.get("sha256", {}).get(wildcards.part, ""),
    }


def bundle_source():
    """Where the configured bundle comes from, for provenance."""
    entry = bundle_entry()
    if entry is None:
        return os.path.abspath(config["function"]["bundle"])
    return entry.get("base_url") or entry.get("path", "")


GENUS_METHOD = config["function"]["method"] == "genus_profile"


def function_provenance():
    """Provenance table of the functional reference (genus profile or bundle)."""
    if GENUS_METHOD:
        return f"{RESULTS}/function/reference_provenance.tsv"
    return f"{RESULTS}/function/bundle_provenance.tsv"


OFFICIAL_MODULES_URL = (
    "https://raw.githubusercontent.com/omixer/omixer-rpmR/"
    "184f1cc99aefed722e20eb00eda082348a064c4e/inst/extdata/"
)


def official_modules_download(wildcards):
    """URL of one official module file (no sha256 in the config: the lock file written on the
    first download checks the later ones)."""
    return {"url": f"{OFFICIAL_MODULES_URL}{wildcards.name}.txt", "sha256": ""}


def function_outputs():
    """Outputs of functional prediction (shared by the nearest and PICRUSt2 backends)."""
    base = f"{RESULTS}/function"
    return {
        "hits": f"{base}/reference_hits.tsv",
        "predictions": published("asv_predictions"),
        "asv_ko": published("asv_ko_copies"),
        "ko_abundance": published("ko_abundance"),
        "ec_abundance": published("ec_abundance"),
        "contributions": published("ko_contributions"),
        "confidence": published("sample_confidence"),
        "confidence_mqc": f"{base}/sample_confidence_mqc.tsv",
    }


# ---------------------------------------------------------------- references checked on every use


def _check_references():
    """Checksum and content of every reference file this run reads that exists now
    (gutbrain.reference_checks), before any job runs; remembered per file in the cache.
    """
    from gutbrain.reference_checks import (
        CheckMemo,
        verify_bundle_files,
        verify_genus_profile,
        verify_routes_match,
        verify_taxonomy_reference,
    )

    memo = CheckMemo(f"{CACHE}/checked")
    try:
        name = taxonomy_reference_name()
        verify_taxonomy_reference(name, taxonomy_reference(name), CACHE, memo)
        folder = repo_file(config["function"]["genus_profile"])
        if os.path.isdir(folder):
            verify_genus_profile(folder, memo)
            verify_routes_match(folder, repo_file(config["function"]["routes"]), memo)
        if not GENUS_METHOD:
            verify_bundle_files(
                config["function"]["bundle"],
                bundle_entry(),
                bundle_files(),
                CACHE,
                memo,
            )
    except InputError as err:
        raise WorkflowError(f"Reference problem: {err}") from None


_check_references()
