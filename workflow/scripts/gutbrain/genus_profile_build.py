"""Build a genus profile reference (:mod:`gutbrain.genus_profile`) from genome tables.

Sources: a genome x EC copies table and a genome -> 16S copies table (MicFunPred's human
genome tables, Mongad et al. 2021), KEGG's KO descriptions (``ko_info.tsv.gz``: the KO -> EC
crosswalk) and the EC names (``ec_name.txt.gz``: which EC numbers the enzyme nomenclature
transferred to which), both as PICRUSt2 lists them.

Renumbering: genome annotations made before an EC number was transferred carry the old number,
while KEGG's crosswalk names the current one (formate dehydrogenase: EC 1.2.1.2 -> 1.17.1.9).
Each entry transferred to exactly one number (chains followed to the end) is renumbered in the
genome table (the larger of the old and the new number's copies is kept, see
:func:`renumber_ec_columns`) and in the crosswalk; entries split
among several numbers keep their old number, since the split cannot be made from the copies.

``python -m gutbrain.genus_profile_build`` (``make genus-profile``) rebuilds the shipped reference.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .errors import InputError
from .genus_profile import KIND, PathLike, genus_of_genome
from .io import atomic_path, read_text_table, write_text, write_tsv

EC_PATTERN = re.compile(r"^EC:\d+\.(\d+|-)\.(\d+|-)\.(n?\d+|-)$")
_KO_EC = re.compile(r"\[EC:([^\]]+)\]")
_EC_NUMBER = re.compile(r"\d+\.\d+\.\d+\.n?\d+")


def read_genome_ec_table(path: PathLike) -> pd.DataFrame:
    """Genome x EC copies from a MicFunPred-style table (first column genome, EC:… columns)."""
    try:
        table = pd.read_csv(path, sep="\t", index_col=0)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read the genome EC table ({err})") from err
    # Unnamed columns (pandas' name for an empty header cell) carry no EC: left out.
    unnamed = [c for c in table.columns if re.fullmatch(r"Unnamed: \d+", str(c))]
    table = table.drop(columns=unnamed)
    parts = {c: str(c).split(",") for c in table.columns}
    bad = [c for c, ecs in parts.items() if not all(EC_PATTERN.match(e.strip()) for e in ecs)]
    if bad:
        raise InputError(f"{path}: columns are not EC numbers like 'EC:4.1.1.15': {bad[:3]}")
    values = table.apply(pd.to_numeric, errors="coerce")
    if values.isna().any().any():
        row, col = np.argwhere(values.isna().to_numpy())[0]
        raise InputError(
            f"{path}: line {row + 2}, column {table.columns[col]}: not a number "
            f"({table.iat[row, col]!r})"
        )
    values.index = values.index.astype(str)
    # A column naming several ECs ('EC:2.7.1.71,EC:4.2.3.4') is a gene with each activity:
    # its copies count for every EC it names.
    split = {c: [e.strip() for e in ecs] for c, ecs in parts.items() if len(ecs) > 1}
    if split:
        single = values.drop(columns=list(split))
        for column, ecs in split.items():
            for ec in ecs:
                single[ec] = (single[ec] if ec in single.columns else 0.0) + values[column]
        values = single
    return values.astype(np.float32)


def read_genome_copies(path: PathLike) -> pd.Series:
    """Genome -> 16S copies (spaces in names become ``_``; 0 = unknown, kept as NaN)."""
    table = pd.read_csv(path, sep="\t", header=None, names=["genome", "copies"],
                        dtype={"genome": str}, keep_default_na=False)
    copies = pd.to_numeric(table["copies"], errors="coerce")
    if copies.isna().any():
        line = int(np.flatnonzero(copies.isna().to_numpy())[0]) + 1
        raise InputError(f"{path}: line {line}: 16S copy number is not a number")
    names = table["genome"].str.strip().str.replace(r"\s+", "_", regex=True)
    out = pd.Series(copies.to_numpy(np.float64), index=names, name="copies_16s")
    out = out[out.index != ""]
    out = out[~out.index.duplicated(keep="first")]
    return out.where(out > 0)


def read_ko_ec_crosswalk(path: PathLike) -> pd.DataFrame:
    """KO -> EC pairs from a KEGG KO description table (``K00001<TAB>…[EC:1.1.1.1]``)."""
    rows: list[tuple[str, str]] = []
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            ko, _, description = line.rstrip("\n").partition("\t")
            match = _KO_EC.search(description)
            if not match or not re.fullmatch(r"K\d{5}", ko):
                continue
            rows.extend((ko, f"EC:{ec}") for ec in match.group(1).split())
    return pd.DataFrame(rows, columns=["ko", "ec"]).drop_duplicates().reset_index(drop=True)


def read_ec_transfers(path: PathLike) -> dict[str, str]:
    """Old EC -> current EC from an EC name table (``1.2.1.2<TAB>Transferred entry 1.17.1.9``).

    Only entries transferred to exactly one number are kept; chains (A -> B -> C) are followed
    to their end. Numbers carry the ``EC:`` prefix.
    """
    direct: dict[str, str] = {}
    opener = gzip.open if str(path).endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                ec, _, name = line.rstrip("\n").partition("\t")
                if not name.startswith("Transferred entry"):
                    continue
                targets = _EC_NUMBER.findall(name)
                if _EC_NUMBER.fullmatch(ec.strip()) and len(targets) == 1:
                    direct[f"EC:{ec.strip()}"] = f"EC:{targets[0]}"
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read the EC name table ({err})") from err
    resolved = {}
    for old in direct:
        new, seen = direct[old], {old}
        while new in direct and new not in seen:
            seen.add(new)
            new = direct[new]
        resolved[old] = new
    return dict(sorted(resolved.items()))


def renumber_ec_columns(genome_ec: pd.DataFrame, transfers: Mapping[str, str]) -> pd.DataFrame:
    """Genome x EC table with transferred numbers renamed; where a genome carries both the old
    and the current number, the larger copy count is kept.

    The larger, not the sum: annotations often list one gene under both numbers (all 8 genomes
    with EC 3.3.2.5 and 3.3.2.2, and all 4 with 1.8.99.3 and 1.8.99.5, carry equal counts of
    each), and a sum would count those genes twice. The price is an under-count where a genome
    has distinct genes under each number.
    """
    moved = [c for c in genome_ec.columns if c in transfers]
    if not moved:
        return genome_ec
    names = [transfers.get(c, c) for c in genome_ec.columns]
    merged = genome_ec.T.groupby(names, sort=False).max().T
    return merged.astype(genome_ec.dtypes.iloc[0])


def renumber_crosswalk(ko_ec: pd.DataFrame, transfers: Mapping[str, str]) -> pd.DataFrame:
    """KO -> EC pairs with transferred EC numbers replaced by the current ones."""
    out = ko_ec.assign(ec=ko_ec["ec"].map(lambda ec: transfers.get(ec, ec)))
    return out.drop_duplicates().reset_index(drop=True)


def read_species_genera(path: PathLike) -> dict[str, str]:
    """Species -> current genus (``species_genera.tsv``: species, genus, source), for genome
    tables that still use a species' older genus (``Eubacterium rectale`` -> Agathobacter)."""
    table = read_text_table(path, ("species", "genus", "source"))
    out = {}
    for i, row in enumerate(table.to_dict("records")):
        species, genus = row["species"].strip(), row["genus"].strip()
        if not re.fullmatch(r"[A-Z][a-z]+ [a-z]+", species) or not re.fullmatch(
                r"[A-Z][a-z]+", genus) or not row["source"].strip():
            raise InputError(f"{path}: line {i + 2}: expected 'Genus species', a genus and a "
                             f"source (got {species!r}, {genus!r})")
        out[species] = genus
    return out


def genome_taxa(names: Iterable[str], renames: Mapping[str, str] | None = None
                ) -> tuple[pd.Series, pd.Series]:
    """Genus and species of each genome name (``Eubacterium_rectale_M104/1``), with species
    moved to their current genus by ``renames``; None where the name has no genus."""
    names = [str(n) for n in names]
    genera, species = [], []
    for name in names:
        words = [w for w in re.split(r"[_\s]+", name.strip()) if w]
        if words and words[0].strip("[]'\"").lower() == "candidatus":
            words = words[1:]
        pair = " ".join(w.strip("[]") for w in words[:2])
        genus = genus_of_genome(name)
        if genus is not None and renames and pair in renames:
            genus = renames[pair]
        genera.append(genus)
        epithet = words[1] if len(words) > 1 else "sp."
        species.append(None if genus is None else f"{genus} {epithet}")
    return pd.Series(genera, index=names, dtype=object), pd.Series(species, index=names,
                                                                   dtype=object)


def build_profile(
    genome_ec: pd.DataFrame, copies_16s: pd.Series, genus: pd.Series | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Aggregate genomes into genus profiles.

    Returns ``(genera, ec_long, counts)``: the genus table, the long EC table (genus, ec,
    mean_copies, fraction_genomes; non-zero rows only) and counts of genomes used and skipped.
    Genomes whose name has no genus (``Lachnospiraceae_bacterium_…``) are skipped and counted.
    ``genus`` gives each genome's genus (default: the first word of its name).
    """
    if genus is None:
        genus = genome_taxa(genome_ec.index)[0]
    genus = pd.Series(genus.to_numpy(), index=genome_ec.index, dtype=object)
    used = genus.notna()
    table = genome_ec.loc[used.to_numpy()]
    genus = genus[used]
    grouped = table.groupby(genus.to_numpy())
    mean = grouped.mean()
    fraction = (table > 0).groupby(genus.to_numpy()).mean()
    n_genomes = genus.value_counts()
    known = copies_16s.reindex(table.index)
    genera = pd.DataFrame({
        "n_genomes": n_genomes.reindex(mean.index).astype(int),
        "n_genomes_16s": known.notna().groupby(genus.to_numpy()).sum()
        .reindex(mean.index).astype(int),
        "mean_16s_copies": known.groupby(genus.to_numpy()).mean().reindex(mean.index),
    })
    genera.index.name = "genus"
    long = mean.stack()
    long = long[long > 0]
    ec_long = pd.DataFrame({
        "genus": long.index.get_level_values(0),
        "ec": long.index.get_level_values(1),
        "mean_copies": long.to_numpy(np.float64),
        "fraction_genomes": fraction.stack().reindex(long.index).to_numpy(np.float64),
    })
    counts = {"genomes": int(len(genome_ec)), "genomes_used": int(used.sum()),
              "genomes_without_genus": int((~used).sum()), "genera": int(len(genera))}
    return genera.sort_index().reset_index(), ec_long, counts


def annotated_ecs(genome_ec: pd.DataFrame) -> list[str]:
    """ECs carried by at least one genome: the ECs the reference can see."""
    return sorted(c for c in genome_ec.columns if float(genome_ec[c].max()) > 0)


def write_reference(
    out_dir: PathLike,
    genera: pd.DataFrame,
    ec_long: pd.DataFrame,
    ecs: Iterable[str],
    ko_ec: pd.DataFrame,
    manifest: Mapping[str, object],
    transfers: Mapping[str, str] | None = None,
) -> None:
    """Write a genus profile reference folder (stable formatting, sorted rows)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_tsv(genera, out / "genera.tsv")
    ec_sorted = ec_long.sort_values(["genus", "ec"], kind="mergesort")
    body = ec_sorted.to_csv(sep="\t", index=False, float_format="%.4g", lineterminator="\n")
    with atomic_path(out / "ec_profile.tsv.gz") as tmp:
        # mtime 0: the same table always gives the same bytes (and sha256).
        with open(tmp, "wb") as raw, gzip.GzipFile(
            filename="", fileobj=raw, mode="wb", mtime=0
        ) as handle:
            handle.write(body.encode("utf-8"))
    write_text("".join(f"{ec}\n" for ec in ecs), out / "ec_annotated.txt")
    known = set(ecs)
    write_tsv(ko_ec[ko_ec["ec"].isin(known)].sort_values(["ko", "ec"]), out / "ko_ec.tsv")
    transferred = pd.DataFrame(sorted((transfers or {}).items()), columns=["old_ec", "ec"])
    write_tsv(transferred, out / "ec_transferred.tsv")
    write_text(yaml.safe_dump(dict(manifest), sort_keys=False, allow_unicode=True),
               out / "reference.yaml")


def build_route_tables(genome_ec: pd.DataFrame, genus: pd.Series, species: pd.Series,
                       routes_path: PathLike) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Route carriage per genus and route visibility (:mod:`gutbrain.routes`) from the genomes
    that pass :func:`gutbrain.routes.genome_quality`; returns them with the genome counts."""
    from .routes import genome_quality, genus_route_carriers, load_routes, route_visibility

    routes = load_routes(routes_path)
    keep, counts = genome_quality(genome_ec)
    used = genome_ec.loc[keep.to_numpy()]
    used = used[~used.index.duplicated(keep="first")]
    first = ~genus.index.duplicated(keep="first")
    carriers = genus_route_carriers(used, genus[first], species[first], routes)
    visibility = route_visibility(genome_ec, routes, carriers)
    return carriers, visibility, counts


def build_reference(
    ec_table: PathLike, copies_table: PathLike, ko_info: PathLike, ec_names: PathLike,
    out_dir: PathLike, source: Mapping[str, str] | None = None,
    routes: PathLike | None = None, species_genera: PathLike | None = None,
) -> dict[str, int]:
    """Build the genus profile reference folder from the genome tables and the KEGG tables;
    with ``routes`` also the route carriage tables, with ``species_genera`` species moved to
    their current genus."""
    from .references import sha256sum

    transfers = read_ec_transfers(ec_names)
    raw = read_genome_ec_table(ec_table)
    genome_ec = renumber_ec_columns(raw, transfers)
    copies = read_genome_copies(copies_table)
    renames = read_species_genera(species_genera) if species_genera else None
    genus, species = genome_taxa(genome_ec.index, renames)
    genera, ec_long, counts = build_profile(genome_ec, copies, genus)
    if renames:
        counts["genomes_renamed"] = int(sum(
            1 for n, g in zip(genome_ec.index, genus, strict=True)
            if g is not None and g != genus_of_genome(str(n))))
    ecs = annotated_ecs(genome_ec)
    ko_ec = renumber_crosswalk(read_ko_ec_crosswalk(ko_info), transfers)
    counts["ecs_renumbered"] = sum(1 for c in raw.columns if c in transfers)
    src = dict(source or {})
    manifest = {
        "name": src.get("name", "human_genomes_genus_profile"),
        "kind": KIND,
        "version": src.get("version", "micfunpred@cd21300"),
        "description": (
            f"Genus-level enzyme profiles from {counts['genomes_used']:,} sequenced genomes of "
            f"human-associated bacteria ({counts['genera']} genera): mean EC copies per genome, "
            "fraction of genomes carrying each EC, mean 16S copies. KOs from ECs via KEGG."
        ),
        "built": datetime.date.today().isoformat(),
        "counts": {**counts, "ecs_annotated": len(ecs),
                   "kos_known": int(ko_ec[ko_ec["ec"].isin(set(ecs))]["ko"].nunique())},
        "sources": [
            {"file": Path(ec_table).name, "sha256": sha256sum(ec_table),
             "origin": src.get("ec_origin", "")},
            {"file": Path(copies_table).name, "sha256": sha256sum(copies_table),
             "origin": src.get("copies_origin", "")},
            {"file": Path(ko_info).name, "sha256": sha256sum(ko_info),
             "origin": src.get("ko_origin", "")},
            {"file": Path(ec_names).name, "sha256": sha256sum(ec_names),
             "origin": src.get("ec_names_origin", "")},
        ],
        "licence": src.get("licence", ""),
        "citation": src.get("citation", ""),
    }
    route_sources = []
    if routes is not None:
        carriers, visibility, genome_counts = build_route_tables(genome_ec, genus, species,
                                                                 routes)
        manifest["counts"]["route_genomes"] = genome_counts
        route_sources = [{"file": Path(p).name, "sha256": sha256sum(p),
                          "origin": "gutbrain16s resources/"} for p in (routes, species_genera)
                         if p is not None]
        manifest["sources"].extend(route_sources)
    write_reference(out_dir, genera, ec_long, ecs, ko_ec, manifest, transfers)
    if renames:
        write_tsv(pd.DataFrame(sorted(renames.items()), columns=["species", "genus"]),
                  Path(out_dir) / "species_genera.tsv")
    if routes is not None:
        write_tsv(carriers, Path(out_dir) / "route_carriers.tsv")
        write_tsv(visibility, Path(out_dir) / "route_visibility.tsv")
    # The checksum of every table, which each run checks before using the folder
    # (gutbrain.reference_checks.verify_genus_profile).
    manifest["files"] = {p.name: sha256sum(p) for p in sorted(Path(out_dir).iterdir())
                         if p.is_file() and p.name != "reference.yaml"}
    write_text(yaml.safe_dump(dict(manifest), sort_keys=False, allow_unicode=True),
               Path(out_dir) / "reference.yaml")
    return counts


# ----------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    """``python -m gutbrain.genus_profile_build``: rebuild the shipped reference."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ec", required=True, help="genome x EC table (human_ec.tsv.gz)")
    parser.add_argument("--copies", required=True, help="genome 16S copies (human_16S_cp.txt.gz)")
    parser.add_argument("--ko-info", required=True, help="KEGG KO descriptions (ko_info.tsv.gz)")
    parser.add_argument("--ec-names", required=True,
                        help="EC names with transferred entries (ec_name.txt.gz)")
    parser.add_argument("--routes", help="route definitions (resources/routes.tsv)")
    parser.add_argument("--species-genera",
                        help="species moved to their current genus (resources/species_genera.tsv)")
    parser.add_argument("--out", required=True, help="output folder")
    args = parser.parse_args(argv)
    try:
        counts = build_reference(args.ec, args.copies, args.ko_info, args.ec_names, args.out,
                                 SHIPPED_SOURCE, args.routes, args.species_genera)
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"genus profile: {counts}")
    return 0


#: Where the shipped reference comes from (written into reference.yaml).
SHIPPED_SOURCE = {
    "name": "human_genomes_genus_profile",
    "version": "micfunpred@cd21300",
    "ec_origin": "MicFunPred (github.com/microDM/MicFunPred) commit "
                 "cd2130018d6b551e9bd3dc0380d1572d6ada9f6d, "
                 "micfunpreDefinitions/data/db/human_ec.tsv.gz (IMG genome annotations)",
    "copies_origin": "MicFunPred commit cd2130018d6b551e9bd3dc0380d1572d6ada9f6d, "
                     "micfunpreDefinitions/data/db/human_16S_cp.txt",
    "ko_origin": "PICRUSt2 (github.com/picrust/picrust2) commit "
                 "b41a237646a342cf517bae57188450016444a0d3, "
                 "picrust2/default_files/description_mapfiles/ko_info.tsv.gz (KEGG KO names)",
    "ec_names_origin": "PICRUSt2 commit b41a237646a342cf517bae57188450016444a0d3, "
                       "picrust2/default_files/description_mapfiles/ec_name.txt.gz "
                       "(EC names, with the nomenclature's transferred entries)",
    "licence": "MicFunPred data: MIT (LICENSE.txt of the MicFunPred repository at that "
               "commit); KO->EC pairs are facts from KEGG as listed by PICRUSt2",
    "citation": "Mongad DS et al. (2021) MicFunPred: a conserved approach to predict functional "
                "profiles from 16S rRNA gene sequence data. Genomics "
                "113:3635-3643; doi 10.1016/j.ygeno.2021.08.016. Kanehisa M, Goto S (2000) KEGG. "
                "Nucleic Acids Res 28:27.",
}


if __name__ == "__main__":
    raise SystemExit(main())
