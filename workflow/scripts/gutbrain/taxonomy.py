"""Taxonomy references and classifier outputs.

Converts reference FASTA files between the SINTAX header format
(``>id;tax=d:Bacteria,p:Firmicutes,...,g:Roseburia;``) and the DADA2 training format
(``>Bacteria;Firmicutes;...;Roseburia;``), normalises the outputs of DADA2 ``assignTaxonomy``
and vsearch ``--sintax`` into one table, and flags off-target ASVs.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import dnaio
import pandas as pd

from .errors import InputError
from .io import atomic_path
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
    if not parts or len(parts) > len(RANKS) or "=" in header:
        raise InputError(
            f"{path}: {where}: header is not a DADA2 lineage 'Kingdom;Phylum;...;Genus;': "
            f"'{header[:80]}'"
        )
    return parts + [""] * (len(RANKS) - len(parts))


def read_lineage_table(path: str) -> dict[str, list[str]]:
    """Read a two-column TSV (id, semicolon-separated lineage kingdom..genus[;species])."""
    table = pd.read_csv(path, sep="\t", header=None, dtype=str, comment="#", keep_default_na=False)
    if table.shape[1] < 2:
        raise InputError(f"{path}: expected two tab-separated columns (id, lineage)")
    out = {}
    for line, (ident, lineage) in enumerate(zip(table[0], table[1], strict=True), start=1):
        out[ident.strip()] = parse_dada2_header(lineage, path, f"line {line}")
    return out


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
    path: str, known_lineages: dict[str, list[str]] | None = None, stats: dict | None = None
) -> Iterator[tuple[str, list[str], str]]:
    """Yield (id, ranks, sequence) from the RDP/Broad gold 16S set, with trustworthy lineages.

    Some lineages of this set belong to another organism (``Anabaena variabilis`` filed under
    Megamonas). A record keeps its lineage when the lineage's genus is the genus of its organism
    name; otherwise it takes the lineage of that genus from a consistent record of the set or
    from ``known_lineages`` (genus -> ranks, e.g. from the main reference); records left without
    a trustworthy lineage are skipped and counted in ``stats['gold_skipped']``.
    """
    records = []
    consistent: dict[str, list[str]] = {}
    with dnaio.open(path) as reader:
        for rec in reader:
            ident, organism, lineage = gold_organism(rec.name)
            genus = gold_genus(organism)
            records.append((ident, genus, lineage, rec.sequence))
            if len(lineage) == 6 and lineage[5] == genus:
                consistent.setdefault(genus, lineage)
    lookup = {**(known_lineages or {}), **consistent}
    skipped = 0
    for ident, genus, lineage, seq in records:
        ranks = lineage if len(lineage) == 6 and lineage[5] == genus else lookup.get(genus)
        if not ranks:
            skipped += 1
            continue
        yield ident, [*ranks[:6], ""], seq.upper().replace("U", "T")
    if stats is not None:
        stats["gold_skipped"] = stats.get("gold_skipped", 0) + skipped


def iter_reference(
    path: str, fmt: str, lineage_table: str | None = None,
    known_lineages: dict[str, list[str]] | None = None, stats: dict | None = None,
) -> Iterator[tuple[str, list[str], str]]:
    """Yield (id, ranks, sequence) from a reference FASTA in sintax, dada2, fasta_tsv or gold
    format (``known_lineages`` and ``stats``: see :func:`iter_gold`)."""
    if fmt == "gold":
        yield from iter_gold(path, known_lineages, stats)
        return
    lineages = read_lineage_table(lineage_table) if fmt == "fasta_tsv" and lineage_table else None
    with dnaio.open(path) as reader:
        for n, rec in enumerate(reader, start=1):
            where = f"record {n}"
            if fmt == "sintax":
                ident = rec.name.split(";")[0]
                ranks = parse_sintax_header(rec.name, path, where)
            elif fmt == "dada2":
                ident = f"ref{n}"
                ranks = parse_dada2_header(rec.name, path, where)
            elif fmt == "fasta_tsv":
                ident = rec.name.split()[0]
                if lineages is None or ident not in lineages:
                    raise InputError(
                        f"{path}: record {n} ('{ident}') has no lineage in {lineage_table}"
                    )
                ranks = lineages[ident]
            else:
                raise InputError(
                    f"unknown reference format '{fmt}' (use sintax, dada2, fasta_tsv or gold)"
                )
            yield ident, ranks, rec.sequence.upper().replace("U", "T")


def convert_reference(
    path: str, fmt: str, dada2_out: str, sintax_out: str, lineage_table: str | None = None,
    extra: Iterable[tuple[str, str]] = (),
) -> dict[str, int]:
    """Write a reference in both classifier formats; return counts (sequences, genera).

    ``extra`` adds further (path, format) parts after the main one; a ``gold`` part borrows
    genus lineages from the parts before it (see :func:`iter_gold`).
    """
    genera = set()
    lineages: dict[str, list[str]] = {}
    stats: dict[str, int] = {}
    n = 0
    parts = [(path, fmt, lineage_table), *((p, f, None) for p, f in extra)]

    def records() -> Iterator[tuple[str, list[str], str]]:
        for part_path, part_fmt, table in parts:
            yield from iter_reference(part_path, part_fmt, table, lineages, stats)

    with atomic_path(dada2_out) as tmp_d, atomic_path(sintax_out) as tmp_s:
        with dnaio.FastaWriter(tmp_d) as wd, dnaio.FastaWriter(tmp_s) as ws:
            for ident, ranks, seq in records():
                if ranks[5] and all(ranks[:5]):
                    lineages.setdefault(ranks[5], list(ranks[:6]))
                n += 1
                genus_level = ranks[:6]
                last = max((i for i, r in enumerate(genus_level) if r), default=-1)
                wd.write(dnaio.SequenceRecord(";".join(genus_level[: last + 1]) + ";", seq))
                tax = ",".join(
                    f"{PREFIX_OF[r]}:{name}" for r, name in zip(RANKS, ranks, strict=True) if name
                )
                ws.write(dnaio.SequenceRecord(f"{ident};tax={tax};", seq))
                if ranks[5]:
                    genera.add(ranks[5])
    if n == 0:
        raise InputError(f"{path}: the reference holds no sequences")
    return {"sequences": n, "genera": len(genera), **stats}


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


def from_sintax(path: str, cutoff: float) -> pd.DataFrame:
    """Parse vsearch ``--sintax --tabbedout`` (query, prediction with confidences, strand, ...)."""
    rows = []
    with open(path, encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
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


def prepare_reference(
    name: str,
    entry: dict,
    fasta: str,
    lineages: str | None,
    dada2_out: str,
    sintax_out: str,
    provenance_out: str,
) -> dict[str, int]:
    """Convert a registry reference to both classifier formats and write its provenance row."""
    from .references import provenance_row, sha256sum, write_provenance

    extra = [(part["fasta"], part["format"]) for part in entry.get("extra", [])]
    counts = convert_reference(fasta, entry["format"], dada2_out, sintax_out, lineages, extra)
    source = entry.get("url") or fasta
    rows = [
        provenance_row(
            name,
            "taxonomy_reference",
            entry.get("version", "unknown"),
            source,
            sha256sum(fasta),
            date=None,
        )
    ]
    rows += [
        provenance_row(
            f"{name}:{Path(part['fasta']).name}",
            "taxonomy_reference_part",
            part.get("version", entry.get("version", "unknown")),
            part["fasta"],
            sha256sum(part["fasta"]),
            date=None,
        )
        for part in entry.get("extra", [])
    ]
    write_provenance(rows, provenance_out)
    print(f"reference {name}: {counts}", file=sys.stderr)
    return counts


def filter_taxonomy(
    assignments: str,
    asv_table: str,
    method: str,
    cutoff: float,
    remove: Iterable[str],
    taxonomy_out: str,
    table_out: str,
    summary_out: str,
) -> pd.DataFrame:
    """Write the unified taxonomy table, the on-target ASV table and an off-target summary."""
    from .asv import read_asv_table
    from .io import write_tsv

    table = read_asv_table(asv_table)
    if method == "dada2":
        raw = from_dada2(
            pd.read_csv(
                assignments,
                sep="\t",
                dtype={"asv_id": str},
                keep_default_na=False,
                na_values=["NA"],
            )
        )
    else:
        raw = from_sintax(assignments, cutoff)
    taxonomy = finalize(raw, table.index, remove)
    write_tsv(taxonomy, taxonomy_out)
    kept = taxonomy.loc[taxonomy["status"] == "kept", "asv_id"]
    write_tsv(table.loc[list(kept)].reset_index(), table_out)
    status = taxonomy.set_index("asv_id")["status"]
    summary = (
        table.groupby(status.reindex(table.index)).sum().rename_axis("status").reset_index()
        if len(table)
        else pd.DataFrame(columns=["status"])
    )
    summary.insert(1, "asvs", summary["status"].map(status.value_counts()).fillna(0).astype(int))
    write_tsv(summary, summary_out)
    return taxonomy


def assignments_by_asv(by_sequence: str, asv_fasta: str, out: str) -> pd.DataFrame:
    """Turn per-sequence DADA2 classifications into per-ASV rows for the ASVs in ``asv_fasta``.

    Sequences removed by the ASV filters are dropped; every ASV must have a classification.
    """
    from .io import write_tsv

    table = pd.read_csv(by_sequence, sep="\t", dtype=str, keep_default_na=False)
    table["sequence"] = table["sequence"].str.upper()
    table = table.drop_duplicates("sequence").set_index("sequence")
    with dnaio.open(asv_fasta) as reader:
        asvs = [(rec.name, rec.sequence.upper()) for rec in reader]
    missing = [name for name, seq in asvs if seq not in table.index]
    if missing:
        raise InputError(
            f"{by_sequence}: {len(missing)} ASVs of {asv_fasta} have no classification "
            f"(e.g. {missing[0]}); rerun the DADA2 step"
        )
    rows = table.loc[[seq for _, seq in asvs]].reset_index(drop=True)
    rows.insert(0, "asv_id", [name for name, _ in asvs])
    write_tsv(rows, out)
    return rows
