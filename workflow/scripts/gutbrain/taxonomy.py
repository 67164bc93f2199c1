"""Taxonomy references and classifier outputs.

Converts the records of reference FASTA files between the SINTAX header format
(``>id;tax=d:Bacteria,p:Firmicutes,...,g:Roseburia;``) and the DADA2 training format
(``>Bacteria;Firmicutes;...;Roseburia;``), normalises the outputs of DADA2 ``assignTaxonomy``
and vsearch ``--sintax`` into one table, and flags off-target ASVs. The files are read and
written by :mod:`gutbrain.steps.references` and :mod:`gutbrain.steps.taxonomy`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import pandas as pd

from .errors import InputError
from .ranks import RANKS as RANK_NAMES
from .ranks import strip_rank_prefix

RANKS = list(RANK_NAMES)
SINTAX_PREFIX = dict(zip("dpcofgs", RANKS, strict=True))
PREFIX_OF = {rank: prefix for prefix, rank in SINTAX_PREFIX.items()}
_SINTAX_TAX = re.compile(r"tax=([^;]*)")
def _clean(name: str) -> str:
    """Strip rank prefixes such as ``g__`` and surrounding space/quotes."""
    return strip_rank_prefix(name.strip().strip('"'))


def parse_sintax_header(header: str, path: str = "", where: str = "") -> list[str]:
    """Ranks (kingdom..genus/species, '' where missing) from a SINTAX FASTA header."""
    match = _SINTAX_TAX.search(header)
    if not match:
        raise InputError(
            f"{path}: {where}: header has no 'tax=' field, so it is not SINTAX format: "
            f"'{header[:80]}' (set format: dada2 or fasta_tsv for this reference)"
        )
    ranks = dict.fromkeys(RANKS, "")
    for part in filter(None, match.group(1).split(",")):
        prefix, _, name = part.partition(":")
        if prefix not in SINTAX_PREFIX or not name:
            raise InputError(
                f"{path}: {where}: cannot parse taxonomy field '{part}' in '{header[:80]}'"
            )
        ranks[SINTAX_PREFIX[prefix]] = _clean(name)
    return [ranks[r] for r in RANKS]


def parse_dada2_header(header: str, path: str = "", where: str = "") -> list[str]:
    """Ranks from a DADA2 training header ``Kingdom;Phylum;...;Genus;``."""
    parts = [_clean(p) for p in header.split(";")]
    while parts and parts[-1] == "":
        parts.pop()
    if not parts or len(parts) > len(RANKS) or "=" in header or len(parts[0].split()) > 1:
        # A kingdom is one word: 'AB000001.1 Bacteroides sp. 16S ribosomal RNA gene' is free
        # text (an NCBI-style header), not a lineage.
        raise InputError(
            f"{path}: {where}: header is not a DADA2 lineage 'Kingdom;Phylum;...;Genus;': "
            f"'{header[:80]}' (set the reference's format: to sintax, fasta_tsv or gold if its "
            "headers are in another format)"
        )
    return parts + [""] * (len(RANKS) - len(parts))


_GOLD_TYPE_STRAIN = re.compile(r" \(T\)|;")


def gold_organism(header: str) -> tuple[str, str, list[str]]:
    """(id, organism name, lineage ranks) of a header of the RDP/Broad "gold" 16S set.

    Two header styles occur: genome-derived ``ID<TAB>Organism<TAB>details<TAB>lineage`` and RDP
    type strains ``ID Organism (T); strain; accession …<TAB>lineage``; the lineage is
    ``Bacteria; Phylum; Class; Order; Family; Genus``.
    """
    fields = header.rstrip("\n").split("\t")
    lineage = [part.strip() for part in fields[-1].split(";") if part.strip()]
    if len(fields) >= 4:
        ident, organism = fields[0].strip(), fields[1].strip()
    else:
        ident, _, rest = fields[0].partition(" ")
        organism = _GOLD_TYPE_STRAIN.split(rest, maxsplit=1)[0].strip()
    return ident, organism, lineage


def gold_genus(organism: str) -> str:
    """Genus of an organism name (first word; ``Candidatus`` and brackets skipped)."""
    words = organism.replace("[", "").replace("]", "").split()
    if words and words[0] in ("Candidatus", "uncultured") and len(words) > 1:
        words = words[1:]
    return words[0] if words else ""


def iter_gold(
    records: Iterable[tuple[str, str]],
    known_lineages: dict[str, list[str]] | None = None,
    stats: dict | None = None,
) -> Iterator[tuple[str, list[str], str]]:
    """Yield (id, ranks, sequence) from the (header, sequence) records of the RDP/Broad gold 16S
    set, with trustworthy lineages.

    Some lineages of this set belong to another organism (``Anabaena variabilis`` filed under
    Megamonas). A record keeps its lineage when the lineage's genus is the genus of its organism
    name; otherwise it takes the lineage of that genus from a consistent record of the set or
    from ``known_lineages`` (genus -> ranks, e.g. from the main reference); records left without
    a trustworthy lineage are skipped and counted in ``stats['gold_skipped']``.
    """
    parsed = []
    consistent: dict[str, list[str]] = {}
    for name, sequence in records:
        ident, organism, lineage = gold_organism(name)
        genus = gold_genus(organism)
        parsed.append((ident, genus, lineage, sequence))
        if len(lineage) == 6 and lineage[5] == genus:
            consistent.setdefault(genus, lineage)
    lookup = {**(known_lineages or {}), **consistent}
    skipped = 0
    for ident, genus, lineage, seq in parsed:
        ranks = lineage if len(lineage) == 6 and lineage[5] == genus else lookup.get(genus)
        if not ranks:
            skipped += 1
            continue
        yield ident, [*ranks[:6], ""], seq.upper().replace("U", "T")
    if stats is not None:
        stats["gold_skipped"] = stats.get("gold_skipped", 0) + skipped


def iter_reference(
    records: Iterable[tuple[str, str]],
    fmt: str,
    path: str,
    lineages: dict[str, list[str]] | None = None,
    lineage_table: str | None = None,
    known_lineages: dict[str, list[str]] | None = None,
    stats: dict | None = None,
) -> Iterator[tuple[str, list[str], str]]:
    """Yield (id, ranks, sequence) from the (header, sequence) records of a reference FASTA
    ``path`` in sintax, dada2, fasta_tsv (ID -> ranks from the file ``lineage_table``, read into
    ``lineages``) or gold format (``known_lineages`` and ``stats``: see :func:`iter_gold`)."""
    if fmt == "gold":
        yield from iter_gold(records, known_lineages, stats)
        return
    for n, (name, sequence) in enumerate(records, start=1):
        where = f"record {n}"
        if fmt == "sintax":
            ident = name.split(";")[0]
            ranks = parse_sintax_header(name, path, where)
        elif fmt == "dada2":
            ident = f"ref{n}"
            ranks = parse_dada2_header(name, path, where)
        elif fmt == "fasta_tsv":
            ident = name.split()[0]
            if lineages is None or ident not in lineages:
                raise InputError(
                    f"{path}: record {n} ('{ident}') has no lineage in {lineage_table}"
                )
            ranks = lineages[ident]
        else:
            raise InputError(
                f"unknown reference format '{fmt}' (use sintax, dada2, fasta_tsv or gold)"
            )
        yield ident, ranks, sequence.upper().replace("U", "T")


def dada2_header(ranks: list[str]) -> str:
    """DADA2 training header of a lineage down to its last assigned rank above species:
    ``Kingdom;Phylum;...;Genus;``."""
    genus_level = ranks[:6]
    last = max((i for i, r in enumerate(genus_level) if r), default=-1)
    return ";".join(genus_level[: last + 1]) + ";"


def sintax_header(ident: str, ranks: list[str]) -> str:
    """SINTAX header of a reference record: ``id;tax=d:Bacteria,...,g:Roseburia;``."""
    tax = ",".join(f"{PREFIX_OF[r]}:{name}" for r, name in zip(RANKS, ranks, strict=True) if name)
    return f"{ident};tax={tax};"


def from_dada2(assign: pd.DataFrame) -> pd.DataFrame:
    """Normalise the TSV written by our DADA2 script (asv_id, ranks, boot_<rank>) to our table."""
    out = pd.DataFrame({"asv_id": assign["asv_id"]})
    for rank in RANKS:
        col = rank.capitalize()
        out[rank] = assign[col].fillna("").astype(str).map(_clean) if col in assign else ""
    for rank in RANKS:
        boot = f"boot_{rank.capitalize()}"
        if boot in assign:
            out[f"{rank}_conf"] = (assign[boot].astype(float) / 100.0).round(4)
        elif rank == "species":
            out[f"{rank}_conf"] = [1.0 if s else float("nan") for s in out["species"]]
        else:
            out[f"{rank}_conf"] = float("nan")
    return out


_SINTAX_FIELD = re.compile(r"^([a-z]):(.*)\(([0-9.]+)\)$")


def from_sintax(lines: Iterable[str], cutoff: float, path: str = "") -> pd.DataFrame:
    """Parse the lines of vsearch ``--sintax --tabbedout`` (query, prediction with confidences,
    strand, ...) read from ``path``."""
    rows = []
    for line_no, line in enumerate(lines, start=1):
        fields = line.rstrip("\n").split("\t")
        row = {"asv_id": fields[0].split(";")[0]}
        for rank in RANKS:
            row[rank] = ""
            row[f"{rank}_conf"] = float("nan")
        prediction = fields[1] if len(fields) > 1 else ""
        for part in filter(None, prediction.split(",")):
            match = _SINTAX_FIELD.match(part)
            if not match or match.group(1) not in SINTAX_PREFIX:
                raise InputError(f"{path}: line {line_no}: cannot parse SINTAX field '{part}'")
            rank = SINTAX_PREFIX[match.group(1)]
            conf = float(match.group(3))
            row[f"{rank}_conf"] = conf
            if conf >= cutoff:
                row[rank] = _clean(match.group(2))
        rows.append(row)
    columns = ["asv_id"] + RANKS + [f"{r}_conf" for r in RANKS]
    return pd.DataFrame(rows, columns=columns)


def _truncate_below_cutoff(table: pd.DataFrame) -> pd.DataFrame:
    """Blank every rank below the first unassigned rank (a lineage never skips a rank)."""
    table = table.copy()
    for idx in table.index:
        blank = False
        for rank in RANKS:
            if blank:
                table.at[idx, rank] = ""
            elif not table.at[idx, rank]:
                blank = True
    return table


def off_target_reason(ranks: dict[str, str], remove: Iterable[str]) -> str:
    """Reason an ASV is off-target ('' when it is kept)."""
    remove = set(remove)
    kingdom = ranks.get("kingdom", "").lower()
    lineage = {ranks.get(r, "").lower() for r in RANKS}
    if "unassigned_kingdom" in remove and kingdom in ("", "unassigned", "unknown"):
        return "unassigned_kingdom"
    if "eukaryota" in remove and kingdom in ("eukaryota", "eukarya"):
        return "eukaryota"
    if "mitochondria" in remove and "mitochondria" in lineage:
        return "mitochondria"
    if "chloroplast" in remove and ("chloroplast" in lineage or "chloroplastida" in lineage):
        return "chloroplast"
    return ""


def finalize(table: pd.DataFrame, asv_ids: Iterable[str], remove: Iterable[str]) -> pd.DataFrame:
    """Order rows like ``asv_ids``, fill ASVs the classifier skipped, set the ``status`` column."""
    table = _truncate_below_cutoff(table.set_index("asv_id").reindex(list(asv_ids)).reset_index())
    for rank in RANKS:
        table[rank] = table[rank].fillna("").astype(str)
    remove = list(remove)
    table["status"] = [
        ("off_target:" + reason) if (reason := off_target_reason(row, remove)) else "kept"
        for row in table[RANKS].to_dict("records")
    ]
    return table[["asv_id"] + RANKS + [f"{r}_conf" for r in RANKS] + ["status"]]


def off_target_summary(table: pd.DataFrame, taxonomy: pd.DataFrame) -> pd.DataFrame:
    """Reads per sample and number of ASVs for each ``status`` of the :func:`finalize` table."""
    status = taxonomy.set_index("asv_id")["status"]
    summary = (
        table.groupby(status.reindex(table.index)).sum().rename_axis("status").reset_index()
        if len(table)
        else pd.DataFrame(columns=["status"])
    )
    summary.insert(1, "asvs", summary["status"].map(status.value_counts()).fillna(0).astype(int))
    return summary


#: The genus of an ASV whose genus is unassigned, as the function step names it.
UNCLASSIFIED = "unclassified"


def genus_of_asvs(taxonomy_tsv: str) -> dict[str, str]:
    """ASV -> genus from the taxonomy table ('unclassified' when the genus is unassigned)."""
    from gutbrain import tables

    tax = tables.read("asv_taxonomy", taxonomy_tsv, dtype=str, keep_default_na=False)
    return {a: (g or UNCLASSIFIED) for a, g in zip(tax["asv_id"], tax["genus"], strict=True)}
