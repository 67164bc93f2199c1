"""Curated literature resources: vocabulary, loaders with validation, evidence labels.

Three shipped tables (described in ``resources/README.md``):

- ``genus_traits.tsv``: one row per published fact about a genus's SCFA or neuroactive trait
  (controlled vocabulary :data:`TRAITS`), with the KEGG orthologs (``kos``) and proxy KOs
  (``proxy_kos``: broader families or unverified assignments) that stand for it.
- ``genus_16s_copies.tsv``: 16S rRNA gene copies per genus (rrnDB v4.2.2).
- ``taxa_of_interest.tsv``: one row per study and taxon: the direction of a group-level
  association with depression or mental quality of life. The reports merge findings per genus
  (:func:`gutbrain.report.taxa_facts.summarise_taxa`), never by hand.

Every finding is a group-level association or a trait reported for some strains; nothing here
describes an individual, and function inferred from 16S is a predicted potential.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable

import pandas as pd

from gutbrain.errors import InputError
from gutbrain.io import read_text_table

PathLike = str | os.PathLike[str]

#: Trait vocabulary of genus_traits.tsv: trait -> (category, description).
TRAITS: dict[str, tuple[str, str]] = {
    "butyrate_but": ("scfa:butyrate", "butyrate via butyryl-CoA:acetate CoA-transferase (but)"),
    "butyrate_buk": ("scfa:butyrate", "butyrate via phosphotransbutyrylase + butyrate kinase"),
    "butyrate_lactate": ("scfa:butyrate", "lactate (+ acetate) to butyrate via acetyl-CoA"),
    "butyrate_amino_acid": ("scfa:butyrate", "butyrate from glutamate or lysine"),
    "butyrate_unresolved": ("scfa:butyrate", "butyrate production; terminal route not resolved"),
    "propionate_succinate": ("scfa:propionate", "propionate via the succinate pathway"),
    "propionate_acrylate": ("scfa:propionate", "propionate from lactate via the acrylate pathway"),
    "propionate_propanediol": ("scfa:propionate", "propionate via 1,2-propanediol (pdu)"),
    "acetate": ("scfa:acetate", "acetate production (Pta-AckA, Wood-Ljungdahl, bifid shunt)"),
    "succinate_production": ("scfa_precursor:succinate", "succinate as end product (propionate "
                             "precursor for cross-feeding partners)"),
    "gaba_production": ("neuro:gaba", "GABA from glutamate (glutamate decarboxylase)"),
    "gaba_consumption": ("neuro:gaba", "GABA used as a growth substrate"),
    "glutamate_production": ("neuro:glutamate", "glutamate excretion"),
    "tryptamine": ("neuro:tryptophan", "tryptamine from tryptophan (tryptophan decarboxylase)"),
    "indole": ("neuro:tryptophan", "indole from tryptophan (tryptophanase)"),
    "indole_lactate": ("neuro:tryptophan", "indole-3-lactic acid via tryptophan"),
    "kynurenine_modulation": ("neuro:tryptophan", "host kynurenine:tryptophan ratio lowered "
                              "(no bacterial gene)"),
    "serotonin_host_induction": ("neuro:serotonin", "host serotonin synthesis stimulated "
                                 "(no bacterial gene)"),
    "aromatic_amine": ("neuro:amines", "phenylethylamine and other aromatic amines (aadc)"),
    "aromatic_amino_acid_reduction": ("neuro:amines", "reductive aromatic amino acid pathway"),
    "tyramine": ("neuro:amines", "tyramine from tyrosine (tyrDC)"),
    "biogenic_amines": ("neuro:amines", "production or degradation of biogenic amines"),
    "dopamine_from_ldopa": ("neuro:dopamine", "dopamine from L-DOPA (tyrosine decarboxylase)"),
    "dopamine_dehydroxylation": ("neuro:dopamine", "dopamine to m-tyramine (dopamine "
                                 "dehydroxylase)"),
    "ldopa_deamination": ("neuro:dopamine", "L-DOPA deamination (aromatic aminotransferase)"),
    "histamine": ("neuro:histamine", "histamine from histidine (histidine decarboxylase)"),
    "acetylcholine": ("neuro:acetylcholine", "acetylcholine synthesis"),
    "phenotype_association": ("association", "taxon-phenotype association, no gene-level trait"),
}
PREVALENCE = ("most_strains", "some_strains", "single_strain_reported", "unknown")
EVIDENCE = ("genomic", "biochemical", "in_vivo", "in_vivo_association", "review")
#: Where a trait row's evidence comes from (optional column ``origin`` of genus_traits.tsv).
ORIGINS = ("human", "animal", "food")
#: Evidence classes that show production itself (in culture or in a living host); with
#: ``origin`` human they make a genus a "known producer" in the reports.
DIRECT_EVIDENCE = ("biochemical", "in_vivo")
EVIDENCE_LABELS = {
    "genomic": "genes only (production not shown)",
    "in_vivo_association": "association only",
    "review": "review only (no primary source)",
}
#: rrnDB genera whose mean rests on this many genomes or fewer are flagged ``few_genomes``.
FEW_GENOMES = 2
COPY_STATISTICS = ("mean", "median")
RANKS = ("genus", "species", "family", "community_type")
#: Direction of a per-study finding -> sign (-1: lower with depression or worse wellbeing).
DIRECTIONS: dict[str, int] = {
    "depleted": -1,
    "associated_with_better_QoL": -1,
    "enriched": 1,
    "associated_with_worse_QoL": 1,
}
MIXED = "mixed"
#: Evidence strength of taxa findings, strongest first.
EVIDENCE_STRENGTH = (
    "meta-analysis",
    "replicated-across-cohorts",
    "single-large-cohort",
    "single-small-cohort",
)

TRAIT_COLUMNS = ("genus", "trait", "kos", "proxy_kos", "ko_note", "genes", "prevalence",
                 "evidence", "summary", "citation", "doi", "url")
COPY_COLUMNS = ("genus", "copies_16s", "statistic", "source")
TAXA_COLUMNS = ("taxon", "rank", "genus", "direction", "finding", "study", "doi", "url",
                "evidence_strength")


_GENUS = re.compile(r"^[A-Z][a-z]+$")
_KO = re.compile(r"^K\d{5}$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_URL = re.compile(r"^https?://\S+$")

Check = Callable[[str], str | None]


def _read_table(path: PathLike, required: Iterable[str], what: str) -> pd.DataFrame:
    """Read a shipped tab-separated table as stripped strings; check the header has
    ``required``."""
    table = read_text_table(
        path, required, not_found=f"check the path of the {what} (shipped in resources/)",
        hint=f"the header must contain {list(required)} (see resources/README.md)",
    )
    return table.apply(lambda col: col.str.strip())


def _check_column(path: PathLike, table: pd.DataFrame, column: str, check: Check) -> None:
    """Raise InputError naming file, line and column for the first cell ``check`` rejects."""
    for row, value in enumerate(table[column].tolist()):
        problem = check(value)
        if problem:
            raise InputError(f"{path}, line {row + 2}, column '{column}': {problem}")


def _non_empty(value: str) -> str | None:
    return None if value else "empty value; fill it in"


def _in_vocabulary(vocabulary: Iterable[str]) -> Check:
    allowed = tuple(vocabulary)

    def check(value: str) -> str | None:
        if value in allowed:
            return None
        return f"{value!r} is not one of {list(allowed)}"

    return check


def _genus_name(value: str) -> str | None:
    if _GENUS.match(value):
        return None
    return f"{value!r} is not a genus name (one capitalised word such as 'Faecalibacterium')"


def _ko_list(value: str) -> str | None:
    bad = [k for k in split_list(value) if not _KO.match(k)]
    if bad:
        return f"{bad[0]!r} is not a KEGG ortholog ID (K + 5 digits); separate KOs with ';'"
    return None


def _genus_list(value: str) -> str | None:
    bad = [g for g in split_list(value) if not _GENUS.match(g)]
    return f"{bad[0]!r} is not a genus name; separate synonyms with ';'" if bad else None


def _doi(value: str) -> str | None:
    if not value or _DOI.match(value):
        return None
    return f"{value!r} is not a DOI of the form 10.xxxx/...; put web addresses in 'url'"


def _url(value: str) -> str | None:
    if not value or _URL.match(value):
        return None
    return f"{value!r} is not an http(s) address"


def _check_source(path: PathLike, table: pd.DataFrame) -> None:
    """Every row needs a DOI or a URL."""
    for row, (doi, url) in enumerate(zip(table["doi"], table["url"], strict=True)):
        if not doi and not url:
            raise InputError(
                f"{path}, line {row + 2}, column 'doi': neither a DOI nor a url is given; "
                "cite the source of every fact"
            )


def split_list(cell: str) -> list[str]:
    """Split a ``;``-separated cell into stripped, non-empty items."""
    return [item.strip() for item in str(cell).split(";") if item.strip()]


def load_genus_traits(path: PathLike) -> pd.DataFrame:
    """Load and validate ``genus_traits.tsv``; return it as a table of strings.

    Raises InputError naming the file, line and column for an unknown trait, prevalence or
    evidence class, a malformed KO, genus, DOI or URL, a KO listed both as direct and proxy,
    or a row without summary, citation or source.
    """
    table = _read_table(path, TRAIT_COLUMNS, "genus trait table")
    checks: dict[str, Check] = {
        "genus": _genus_name,
        "trait": _in_vocabulary(TRAITS),
        "kos": _ko_list,
        "proxy_kos": _ko_list,
        "prevalence": _in_vocabulary(PREVALENCE),
        "evidence": _in_vocabulary(EVIDENCE),
        "summary": _non_empty,
        "citation": _non_empty,
        "doi": _doi,
        "url": _url,
    }
    if "synonyms" in table.columns:
        checks["synonyms"] = _genus_list
    if "origin" in table.columns:
        checks["origin"] = _in_vocabulary(ORIGINS)
    for column, check in checks.items():
        _check_column(path, table, column, check)
    _check_source(path, table)
    for row, (direct, proxy) in enumerate(zip(table["kos"], table["proxy_kos"], strict=True)):
        both = sorted(set(split_list(direct)) & set(split_list(proxy)))
        if both:
            raise InputError(
                f"{path}, line {row + 2}, column 'proxy_kos': {both[0]} is also in 'kos'; "
                "list a KO either as direct or as proxy"
            )
    return table


def load_genus_copies(path: PathLike) -> pd.DataFrame:
    """Load and validate ``genus_16s_copies.tsv``; ``copies_16s`` becomes float (>= 1)."""
    table = _read_table(path, COPY_COLUMNS, "16S copy-number table")
    _check_column(path, table, "genus", _genus_name)
    _check_column(path, table, "statistic", _in_vocabulary(COPY_STATISTICS))
    _check_column(path, table, "source", _non_empty)

    def copies(value: str) -> str | None:
        try:
            number = float(value)
        except ValueError:
            return f"{value!r} is not a number"
        return None if number >= 1 else f"{value} < 1; a genome carries at least one 16S gene"

    _check_column(path, table, "copies_16s", copies)
    if "few_genomes" in table.columns:
        _check_column(path, table, "few_genomes", _in_vocabulary(("true", "false")))
        if "rrndb_childcount" in table.columns:
            _check_few_genomes(path, table)
    dup = table["genus"].duplicated()
    if bool(dup.any()):
        row = int(dup.to_numpy().nonzero()[0][0])
        raise InputError(
            f"{path}, line {row + 2}, column 'genus': {table['genus'].iloc[row]!r} appears "
            "more than once; give one copy number per genus"
        )
    table["copies_16s"] = table["copies_16s"].astype(float)
    return table


def _check_few_genomes(path: PathLike, table: pd.DataFrame) -> None:
    """``few_genomes`` must be true exactly when rrnDB's childcount is <= FEW_GENOMES."""
    for row, (flag, count) in enumerate(zip(table["few_genomes"], table["rrndb_childcount"],
                                            strict=True)):
        want = "true" if count.isdigit() and int(count) <= FEW_GENOMES else "false"
        if flag != want:
            raise InputError(
                f"{path}, line {row + 2}, column 'few_genomes': is {flag!r} but "
                f"rrndb_childcount is {count!r}; it must be {want!r} (true when the value rests "
                f"on {FEW_GENOMES} genomes or fewer)"
            )


def evidence_label(evidence: str, origin: str = "") -> str:
    """How a trait row's evidence is labelled in reports: 'direct' for production shown in
    human strains or people; otherwise what it is (genes only, association, review, or
    non-human evidence)."""
    if evidence in DIRECT_EVIDENCE:
        if origin == "human":
            return "direct"
        if origin in ("animal", "food"):
            return f"non-human evidence only ({origin} strains or experiments)"
        return "origin of the evidence not recorded"
    return EVIDENCE_LABELS.get(evidence, "evidence class not recorded")


def load_taxa_of_interest(path: PathLike) -> pd.DataFrame:
    """Load and validate ``taxa_of_interest.tsv`` (one study and one direction per row).

    A row may not say ``mixed``: conflicts are derived with :func:`combined_direction`.
    """
    table = _read_table(path, TAXA_COLUMNS, "taxa-of-interest table")

    def direction(value: str) -> str | None:
        if value == MIXED:
            return ("'mixed' is computed from per-study rows by combined_direction; give each "
                    "study its own row with its own direction")
        return _in_vocabulary(DIRECTIONS)(value)

    checks: dict[str, Check] = {
        "taxon": _non_empty,
        "rank": _in_vocabulary(RANKS),
        "genus": _genus_name,
        "direction": direction,
        "finding": _non_empty,
        "study": _non_empty,
        "doi": _doi,
        "url": _url,
        "evidence_strength": _in_vocabulary(EVIDENCE_STRENGTH),
    }
    for column, check in checks.items():
        _check_column(path, table, column, check)
    _check_source(path, table)
    return table
