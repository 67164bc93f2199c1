"""The function step (``workflow/rules/function.smk``), composed from the library modules.

Each function here is what one Snakemake rule does: read its inputs, call the pure functions in
``bundle``, ``predict``, ``modules``, ``scoring``, ``markers`` and ``picrust2``, write its outputs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import yaml

from gutbrain import picrust2, tables
from gutbrain.asv import read_asv_table
from gutbrain.bundle import load_bundle, write_search_db
from gutbrain.catalog import load_catalog
from gutbrain.genome_tables import read_ec_table
from gutbrain.io import atomic_path, write_mqc_table, write_tsv
from gutbrain.markers import catalog_kos, load_markers, marker_abundance
from gutbrain.modules import unknown_ortholog_messages
from gutbrain.predict import (
    ko_abundance,
    ko_contributions,
    parse_hits,
    predict_asv_traits,
    predict_asvs,
    run_vsearch_search,
    sample_confidence,
)
from gutbrain.references import provenance_row, sha256sum, write_provenance
from gutbrain.routes import route_cells
from gutbrain.scoring import module_contributions, score_modules
from gutbrain.taxonomy import UNCLASSIFIED, genus_of_asvs

log = logging.getLogger("gutbrain.function")

def needed_kos(catalog: str, markers: str) -> list[str]:
    """Every KO the module catalog and the marker list refer to."""
    return catalog_kos(load_catalog(catalog), load_markers(markers))


def prepare_bundle(
    files: Mapping[str, str],
    catalog: str,
    markers: str,
    search_db: str,
    provenance_out: str,
    name: str,
    source: str,
) -> None:
    """Validate a bundle (only the KOs needed), write its search database and provenance."""
    bundle = load_bundle(kos=needed_kos(catalog, markers), name=name, **_bundle_kwargs(files))
    n = write_search_db(bundle, search_db)
    log.info("bundle %s: %d genomes, %d reference sequences", bundle.name, len(bundle.genomes), n)
    rows = [
        provenance_row(
            name,
            f"function_bundle:{bundle.kind}",
            bundle.version or "unversioned",
            source or str(Path(files["ko"]).parent),
            sha256sum(files["ko"]),
        ),
        provenance_row("module_catalog", "resource", "project", catalog, sha256sum(catalog)),
        provenance_row("marker_genes", "resource", "project", markers, sha256sum(markers)),
    ]
    write_provenance(rows, provenance_out)


def _bundle_kwargs(files: Mapping[str, str]) -> dict[str, str]:
    keys = ("fasta", "ko", "copies", "metadata", "manifest")  # the EC table is read apart
    return {k: files[k] for k in keys if files.get(k)}


def predict_function(
    *,
    asv_fasta: str,
    asv_table: str,
    taxonomy: str,
    search_db: str,
    files: Mapping[str, str],
    catalog: str,
    markers: str,
    top_k: int,
    min_identity: float,
    max_distance: float,
    threads: int,
    out: Mapping[str, str],
) -> None:
    """Nearest-genome prediction: search, per-ASV KO copies, sample KO abundance, confidence."""
    kos = needed_kos(catalog, markers)
    bundle = load_bundle(kos=kos, **_bundle_kwargs(files))
    known = [k for k in bundle.ko.columns if k not in set(bundle.kos_absent)]
    for message in unknown_ortholog_messages(
        load_catalog(catalog), known, table_name=f"the bundle KO table {files['ko']}"
    ):
        log.warning("%s", message)
    table = read_asv_table(asv_table)
    # Several 16S copies per genome can fill the accepted hits: accept more, keep top_k genomes.
    run_vsearch_search(
        asv_fasta,
        search_db,
        out["hits"],
        top_k,
        min_identity,
        threads,
        maxaccepts=max(top_k * 4, 16),
    )
    # vsearch writes hits in thread order; sort them so the file is the same on every run.
    _sort_tsv_rows(out["hits"])
    hits = parse_hits(out["hits"])
    hits = hits[hits["query"].isin(table.index) | hits["target"].isna()]
    preds, asv_ko = predict_asvs(hits, bundle, list(table.index), max_distance, k=top_k)
    _write_function_tables(table, preds, asv_ko, genus_of_asvs(taxonomy), kos, out, "nearest")
    if not files.get("ec"):
        _write_no_ec_table(table, out["ec_abundance"], f"reference bundle {bundle.name!r}")
        return
    # ECs through the same nearest genomes and weights as the KOs.
    asv_ec = predict_asv_traits(hits, preds, read_ec_table(files["ec"]), k=top_k)
    ec = ko_abundance(table, preds, asv_ec)
    write_tsv(ec.rename_axis("ec").reset_index(), out["ec_abundance"])
    log.info("EC table %s: %d ECs predicted", files["ec"], ec.shape[0])


def _write_no_hits(path: str, why: str) -> None:
    """reference_hits.tsv with no rows (vsearch's headerless query/target/identity layout, the
    same shape as a nearest-genome run's), saying why in the log."""
    log.info("reference_hits.tsv has no rows: %s", why)
    Path(path).write_text("", encoding="utf-8")


def _write_no_ec_table(table: pd.DataFrame, path: str, what: str) -> None:
    """An EC table with no rows (the reference has no EC annotation), saying so in the log."""
    log.warning("%s has no EC table: ec_abundance.tsv has no rows", what)
    write_tsv(pd.DataFrame(columns=["ec", *[str(c) for c in table.columns]]), path)


def predict_function_genus(
    *,
    asv_table: str,
    taxonomy: str,
    reference: str,
    catalog: str,
    markers: str,
    out: Mapping[str, str],
) -> None:
    """Genus-profile prediction: ASV genus -> genome-derived genus profile -> EC and KO tables;
    ``out["provenance"]`` gets the provenance of the reference and the catalogs."""
    from gutbrain.genus_predict import assign_profiles, predict_tables
    from gutbrain.genus_predict import sample_confidence as genus_confidence
    from gutbrain.genus_profile import load_profile

    kos = needed_kos(catalog, markers)
    profile = load_profile(reference)
    table = read_asv_table(asv_table)
    genus = genus_of_asvs(taxonomy)
    # 'unclassified' is no genus for normalise_genus, so the table's labels go in as they are.
    preds = assign_profiles(genus, table.index, profile)
    tables = predict_tables(table, preds, profile, kos)
    seen = set(tables["ko_abundance"].index)
    unknown = [k for k in kos if k not in seen]
    if unknown:
        log.warning("%d catalog/marker KO(s) are not measurable with reference %s (no EC, or an "
                    "EC it does not annotate): %s", len(unknown),
                    profile.manifest.get("name", reference), ", ".join(unknown))
    _write_no_hits(out["hits"], "the genus_profile method searches no reference")
    write_tsv(tables["ec_abundance"].reset_index(), out["ec_abundance"])
    _write_prediction_tables(
        out, preds, tables["asv_ko"], tables["ko_abundance"],
        ko_contributions(table, preds, tables["asv_ko"], genus, kos),
        genus_confidence(table, preds), ["fraction_reads_predicted", "genomes_per_read"],
        "Fraction of reads whose genus has a genome-derived profile, and the read-weighted mean "
        "number of sequenced genomes behind those profiles.",
    )
    genus_profile_provenance(reference, catalog, markers, out["provenance"])


def genus_profile_provenance(reference: str, catalog: str, markers: str, out: str) -> None:
    """Provenance rows for the genus profile reference and the catalogs."""
    from gutbrain.genus_profile import reference_files

    files = reference_files(reference)
    manifest = yaml.safe_load(files["reference"].read_text(encoding="utf-8")) or {}
    rows = [
        provenance_row(
            str(manifest.get("name", "genus_profile")),
            "function_reference:genus_profile",
            str(manifest.get("version", "unversioned")),
            reference,
            sha256sum(files["ec_profile"]),
        ),
        provenance_row("module_catalog", "resource", "project", catalog, sha256sum(catalog)),
        provenance_row("marker_genes", "resource", "project", markers, sha256sum(markers)),
    ]
    write_provenance(rows, out)


def _sort_tsv_rows(path: str) -> None:
    """Sort the lines of a header-less text table in place (atomically)."""
    with open(path, encoding="utf-8") as handle:
        lines = sorted(handle.readlines())
    with atomic_path(path) as tmp:
        tmp.write_text("".join(lines), encoding="utf-8")


def ingest_picrust2(
    *,
    asv_table: str,
    taxonomy: str,
    functions: str,
    marker: str,
    catalog: str,
    markers: str,
    max_nsti: float,
    out: Mapping[str, str],
    ec_functions: str | None = None,
) -> None:
    """Turn PICRUSt2's per-ASV KO (and EC) and NSTI predictions into the same tables as
    ``nearest``; ``ec_abundance.tsv`` comes from ``EC_predicted.tsv.gz`` when given."""
    kos = needed_kos(catalog, markers)
    table = read_asv_table(asv_table)
    marker_table = picrust2.read_marker_predictions(marker)
    preds = picrust2.to_asv_predictions(marker_table, list(table.index), max_nsti)
    functions_table, _nsti = picrust2.read_predicted_functions(functions, kos=kos)
    asv_ko = picrust2.to_asv_ko(functions_table, preds)
    _write_no_hits(out["hits"], "the PICRUSt2 backend places ASVs itself")
    _write_function_tables(table, preds, asv_ko, genus_of_asvs(taxonomy), kos, out, "picrust2")
    if ec_functions is None:
        _write_no_ec_table(table, out["ec_abundance"], "the PICRUSt2 KO output")
        return
    ec_table, _ = picrust2.read_predicted_functions(ec_functions)
    ec = ko_abundance(table, preds, picrust2.to_asv_ko(ec_table, preds))
    write_tsv(ec.rename_axis("ec").reset_index(), out["ec_abundance"])


def _write_function_tables(
    table: pd.DataFrame,
    preds: pd.DataFrame,
    asv_ko: pd.DataFrame,
    genus: Mapping[str, str],
    kos: list[str],
    out: Mapping[str, str],
    method: str,
) -> None:
    _write_prediction_tables(
        out, preds, asv_ko, ko_abundance(table, preds, asv_ko),
        ko_contributions(table, preds, asv_ko, genus, kos),
        sample_confidence(table, preds, method,
                          {a: g for a, g in genus.items() if g != UNCLASSIFIED}),
        ["weighted_distance", "fraction_reads_predicted"],
        "Abundance-weighted distance (1 - identity) from the ASVs to their nearest reference "
        "genomes, and the fraction of reads whose function could be predicted.",
    )


def _write_prediction_tables(
    out: Mapping[str, str],
    preds: pd.DataFrame,
    asv_ko: pd.DataFrame,
    abundance: pd.DataFrame,
    contributions: pd.DataFrame,
    confidence: pd.DataFrame,
    confidence_columns: list[str],
    confidence_text: str,
) -> None:
    """The tables every prediction method writes: ASV statuses, ASV x KO copies, KO abundance,
    KO contributions, per-sample confidence and its MultiQC section."""
    write_tsv(preds, out["predictions"])
    write_tsv(asv_ko.rename_axis("asv_id").reset_index(), out["asv_ko"])
    write_tsv(abundance.reset_index(), out["ko_abundance"])
    write_tsv(contributions, out["contributions"])
    write_tsv(confidence, out["confidence"])
    write_mqc_table(confidence.set_index("sample")[confidence_columns], out["confidence_mqc"],
                    "gutbrain_confidence", "Prediction confidence", confidence_text)
    log.info("ASV prediction status: %s", preds["status"].value_counts().to_dict())


def score(
    *,
    ko_abundance_tsv: str,
    asv_ko_tsv: str,
    predictions: str,
    asv_table: str,
    taxonomy: str,
    contributions: str,
    catalog: str,
    markers: str,
    min_coverage: float,
    out: Mapping[str, str],
    ko_ec: str | None = None,
) -> None:
    """Module scores and contributions, marker genes, and MultiQC custom-content tables;
    ``ko_ec``: the genus profile's KO -> EC crosswalk (marker alternatives that are one EC to
    that reference are counted once)."""
    modules = load_catalog(catalog)
    marker_list = load_markers(markers)
    abundance = tables.read("ko_abundance", ko_abundance_tsv).set_index("ko")
    scores = score_modules(abundance, modules, min_coverage)
    write_tsv(scores, out["scores"])
    asv_ko = tables.read("asv_ko_copies", asv_ko_tsv).set_index("asv_id")
    preds = tables.read("asv_predictions", predictions).set_index("asv_id")
    table = read_asv_table(asv_table)
    predicted = [a for a in table.index if a in asv_ko.index]
    # Copy-number-normalised ASV abundances, so shares agree with ko_abundance.tsv.
    normalised = table.loc[predicted].div(preds.loc[predicted, "copies_16s"], axis=0)
    genus = genus_of_asvs(taxonomy)
    write_tsv(
        module_contributions(normalised, asv_ko, genus, modules, scores), out["contributions"]
    )
    contrib = tables.read("ko_contributions", contributions, keep_default_na=False)
    crosswalk = pd.read_csv(ko_ec, sep="\t", dtype=str) if ko_ec else None
    write_tsv(marker_abundance(abundance, contrib, marker_list, ko_ec=crosswalk), out["markers"])
    _write_mqc(scores, out["scores_mqc"])


def _write_mqc(scores: pd.DataFrame, path: str) -> None:
    """MultiQC custom content: scored modules (sample x module score)."""
    wide = scores[scores["status"] == "scored"].pivot_table(
        index="sample", columns="module", values="score", aggfunc="first"
    )
    write_mqc_table(
        wide,
        path,
        "gutbrain_module_scores",
        "Predicted module scores",
        "Predicted potential (Omixer-RPM-style module scores from 16S-based gene predictions; "
        "not measured activity). Modules below the coverage threshold are blank.",
    )


def score_module_files(
    ko_abundance_tsv: str, module_files: list[str], min_coverage: float, out: str
) -> pd.DataFrame:
    """Score modules from omixer-format files (e.g. the official GBMs/GMMs) on KO abundances."""
    from gutbrain.omixer import parse_omixer_modules

    abundance = tables.read("ko_abundance", ko_abundance_tsv).set_index("ko")
    frames = []
    for path in module_files:
        scores = score_modules(abundance, parse_omixer_modules(path), min_coverage)
        scores.insert(0, "module_file", Path(path).name)
        frames.append(scores)
    table = pd.concat(frames, ignore_index=True)
    write_tsv(table, out)
    return table


def score_routes(
    asv_table: str,
    taxonomy: str,
    routes: str,
    reference: str,
    genus_copies: str,
    present_share: float,
    min_resolved: float,
    out: Mapping[str, str],
) -> None:
    """Genome-resolved route measures per sample (:mod:`gutbrain.routes`): carrier share of
    predicted cells, defining-enzyme copies per cell, status, and the carrier genera."""
    from gutbrain.routes import load_route_reference, load_routes, sample_route_measures

    route_list = load_routes(routes)
    route_ref = load_route_reference(reference)
    if route_ref is None:
        log.warning("%s has no route_carriers.tsv: every route is not measurable with it",
                    reference)
    cells = route_cells(asv_table, taxonomy, reference, genus_copies).cells
    measures, contributors = sample_route_measures(cells, route_list, route_ref,
                                                   present_share, min_resolved)
    write_tsv(measures, out["measures"])
    write_tsv(contributors, out["contributors"])
    headline = measures[(measures["role"] == "headline")
                       & measures["status"].isin(["present", "low", "absent"])]
    wide = headline.pivot(index="sample", columns="route", values="carrier_share")
    wide = wide.reindex(index=list(cells.columns)).rename_axis("sample")
    write_mqc_table(wide, out["mqc"], "gutbrain_routes",
                    "Predicted cells in carrier genera (headline routes)",
                    "Share of predicted cells (reads / 16S copies) in genera whose genomes carry "
                    "the complete route: predicted potential per cell; empty where the route "
                    "cannot be judged.")
    counts = measures["status"].value_counts().to_dict()
    log.info("route measures: %d samples x %d routes; statuses %s", cells.shape[1],
             len(route_list), counts)
