"""Genome-derived genus profiles: the project's offline functional reference.

A *genus profile* reference summarises the gene content of sequenced genomes per genus:

* ``genera.tsv``: genus, ``n_genomes``, ``n_genomes_16s`` (genomes with a known 16S copy
  number) and ``mean_16s_copies`` (mean over those genomes; empty when none is known);
* ``ec_profile.tsv.gz``: genus, ec, ``mean_copies`` (mean EC copies over the genus's genomes,
  genomes without the EC counting 0) and ``fraction_genomes`` (fraction carrying it); only
  non-zero rows are stored;
* ``ec_annotated.txt``: every EC the source annotates in at least one genome. An EC not in this
  list is *unknown* for the reference (not zero);
* ``ko_ec.tsv``: the KEGG ortholog -> EC crosswalk used to turn EC profiles into KO profiles;
* ``reference.yaml``: name, kind, version, sources with sha256, licence, how it was built.

KO values come from ECs (:func:`ko_profile`): a KO is *known* when at least one of its ECs is
annotated by the reference, and its copies in a genus are the smallest copies among its annotated
ECs (a multi-EC KO is only as present as its least-present activity). KOs with no EC, or whose
ECs the reference never annotates, are unknown and absent from every KO table built from it.
KOs that share one EC (the subunits of a complex, or distinct gene families with one activity)
get the same value: this reference cannot tell them apart.

The shipped reference (``resources/genus_profile/``) is built by ``python -m
gutbrain.genus_profile`` (``make genus-profile``) from the MicFunPred human genome tables
(Mongad et al. 2021, Genomics 113:3635; MIT licence) and PICRUSt2's KEGG KO descriptions.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .errors import InputError
from .io import atomic_path, write_text, write_tsv
from .ranks import strip_rank_prefix

PathLike = str | os.PathLike[str]

KIND = "genus_profile"
EC_PATTERN = re.compile(r"^EC:\d+\.(\d+|-)\.(\d+|-)\.(n?\d+|-)$")
_KO_EC = re.compile(r"\[EC:([^\]]+)\]")
#: First words of genome names that are not genus names (higher ranks, placeholders).
_NOT_GENUS_SUFFIXES = ("aceae", "ales", "ia_bacterium")
_NOT_GENUS_WORDS = {"candidate", "uncultured", "unclassified", "unknown", "bacterium",
                    "unidentified", "environmental", "metagenome", "mixed"}
_GTDB_SUFFIX = re.compile(r"_[A-Z]{1,2}$")
_NUMBERED = re.compile(r"(?:_|\s)(?:sensu_stricto|sensu\sstricto)(?:_\d+|\s\d+)?$")


@dataclass(frozen=True)
class GenusProfile:
    """A loaded genus profile reference (EC copies per genus, and what it can see)."""

    genera: pd.DataFrame  # index genus; n_genomes, n_genomes_16s, mean_16s_copies
    ec: pd.DataFrame  # genus x EC mean copies (float32), columns = annotated ECs
    fraction: pd.DataFrame  # genus x EC fraction of genomes carrying it
    ko_ec: pd.DataFrame  # columns ko, ec
    manifest: Mapping[str, object] = field(default_factory=dict)

    @property
    def annotated_ecs(self) -> list[str]:
        return list(self.ec.columns)


# ----------------------------------------------------------------------------- names


def genus_of_genome(name: str) -> str | None:
    """The genus of a genome name such as ``Bacteroides_fragilis_638R`` (None if not a genus).

    The first word is the genus; ``Candidatus`` is skipped; names that start with a higher rank
    or a placeholder (``Lachnospiraceae_bacterium``, ``candidate_division``) have no genus.
    """
    words = [w for w in re.split(r"[_\s]+", name.strip()) if w]
    if words and words[0].strip("[]'\"").lower() == "candidatus":
        words = words[1:]
    if not words:
        return None
    return normalise_genus(words[0])


def normalise_genus(name: str) -> str | None:
    """One spelling for a genus name across SILVA, GTDB, RDP, NCBI and the DADA2 package.

    Strips rank prefixes (``g__``, ``g:``), brackets and quotes (``[Eubacterium]``), the
    ``Candidatus`` prefix, GTDB's split suffixes (``Prevotella_A`` -> ``Prevotella``),
    ``sensu stricto`` numbering (``Clostridium_sensu_stricto_1`` -> ``Clostridium``), and takes
    the first name of merged genera (``Escherichia-Shigella``, ``Escherichia/Shigella``).
    Returns None for empty, placeholder or higher-rank names (``uncultured``,
    ``Lachnospiraceae_NK4A136_group``, ``Clostridium_XlVa`` clusters) and for names that are not
    a single capitalised word after cleaning.
    """
    text = strip_rank_prefix(str(name).strip().strip("'\""))
    if not text or text.lower() in _NOT_GENUS_WORDS or text.lower() in {"na", "nan", "none"}:
        return None
    text = re.sub(r"^Candidatus[_\s]+", "", text)
    group = re.match(r"^\[([A-Z][a-z]+)\][_\s].*group$", text)
    if group:  # SILVA "[Ruminococcus]_torques_group": the bracketed genus
        return group.group(1)
    if text.endswith("group") or "_cluster" in text.lower():
        return None
    text = text.replace("[", "").replace("]", "")
    text = _NUMBERED.sub("", text)
    text = re.split(r"[-/]", text, maxsplit=1)[0]
    text = _GTDB_SUFFIX.sub("", text)
    if not re.fullmatch(r"[A-Z][a-z]+", text):
        return None
    lower = text.lower()
    if lower in _NOT_GENUS_WORDS or lower.endswith(_NOT_GENUS_SUFFIXES):
        return None
    return text


# ----------------------------------------------------------------------------- building


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


def build_profile(
    genome_ec: pd.DataFrame, copies_16s: pd.Series
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Aggregate genomes into genus profiles.

    Returns ``(genera, ec_long, counts)``: the genus table, the long EC table (genus, ec,
    mean_copies, fraction_genomes; non-zero rows only) and counts of genomes used and skipped.
    Genomes whose name has no genus (``Lachnospiraceae_bacterium_…``) are skipped and counted.
    """
    genus = pd.Series([genus_of_genome(n) for n in genome_ec.index], index=genome_ec.index)
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
    write_text(yaml.safe_dump(dict(manifest), sort_keys=False, allow_unicode=True),
               out / "reference.yaml")


def build_reference(
    ec_table: PathLike, copies_table: PathLike, ko_info: PathLike, out_dir: PathLike,
    source: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Build the genus profile reference folder from the genome tables and the KO crosswalk."""
    from .references import sha256sum

    genome_ec = read_genome_ec_table(ec_table)
    copies = read_genome_copies(copies_table)
    genera, ec_long, counts = build_profile(genome_ec, copies)
    ecs = annotated_ecs(genome_ec)
    ko_ec = read_ko_ec_crosswalk(ko_info)
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
        ],
        "licence": src.get("licence", ""),
        "citation": src.get("citation", ""),
    }
    write_reference(out_dir, genera, ec_long, ecs, ko_ec, manifest)
    return counts


# ----------------------------------------------------------------------------- loading


def reference_files(folder: PathLike) -> dict[str, Path]:
    """The files of a genus profile reference folder (InputError naming a missing one)."""
    base = Path(folder)
    files = {name.split(".")[0]: base / name for name in
             ("genera.tsv", "ec_profile.tsv.gz", "ec_annotated.txt", "ko_ec.tsv",
              "reference.yaml")}
    missing = [str(p) for p in files.values() if not p.is_file()]
    if missing:
        raise InputError(f"genus profile reference {base}: missing file(s) {', '.join(missing)}")
    return files


def load_profile(folder: PathLike) -> GenusProfile:
    """Load a genus profile reference folder into dense genus x EC tables."""
    files = reference_files(folder)
    genera = pd.read_csv(files["genera"], sep="\t", dtype={"genus": str}).set_index("genus")
    for column in ("n_genomes", "n_genomes_16s", "mean_16s_copies"):
        if column not in genera.columns:
            raise InputError(f"{files['genera']}: missing column '{column}'")
    ecs = [line.strip() for line in files["ec_annotated"].read_text().splitlines()
           if line.strip()]
    long = pd.read_csv(files["ec_profile"], sep="\t", dtype={"genus": str, "ec": str})
    unknown = set(long["ec"]) - set(ecs)
    if unknown:
        raise InputError(f"{files['ec_profile']}: ECs not in ec_annotated.txt, e.g. "
                         f"{sorted(unknown)[:3]}")
    absent = set(long["genus"]) - set(genera.index)
    if absent:
        raise InputError(f"{files['ec_profile']}: genera not in genera.tsv, e.g. "
                         f"{sorted(absent)[:3]}")
    ec = _dense(long, "mean_copies", genera.index, ecs)
    fraction = _dense(long, "fraction_genomes", genera.index, ecs)
    ko_ec = pd.read_csv(files["ko_ec"], sep="\t", dtype=str)
    manifest = yaml.safe_load(files["reference"].read_text(encoding="utf-8")) or {}
    return GenusProfile(genera=genera, ec=ec, fraction=fraction, ko_ec=ko_ec,
                        manifest=manifest)


def _dense(long: pd.DataFrame, value: str, genera: pd.Index, ecs: list[str]) -> pd.DataFrame:
    rows = genera.get_indexer(long["genus"])
    cols = pd.Index(ecs).get_indexer(long["ec"])
    dense = np.zeros((len(genera), len(ecs)), dtype=np.float32)
    dense[rows, cols] = long[value].to_numpy(np.float32)
    return pd.DataFrame(dense, index=genera, columns=pd.Index(ecs, name="ec"))


def ko_profile(ec: pd.DataFrame, ko_ec: pd.DataFrame) -> pd.DataFrame:
    """Genus x KO copies from genus x EC copies (see the module docstring for the rule).

    Only KOs with at least one EC among ``ec``'s columns appear (the KOs the reference sees).
    """
    pairs = ko_ec[ko_ec["ec"].isin(set(ec.columns))]
    kos = sorted(pairs["ko"].unique())
    out = np.empty((len(ec.index), len(kos)), dtype=np.float32)
    values = ec.to_numpy(np.float32)
    col = {e: i for i, e in enumerate(ec.columns)}
    for j, (_ko, group) in enumerate(pairs.groupby("ko", sort=True)):
        idx = [col[e] for e in group["ec"]]
        out[:, j] = values[:, idx].min(axis=1)
    return pd.DataFrame(out, index=ec.index, columns=pd.Index(kos, name="ko"))


# ----------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    """``python -m gutbrain.genus_profile``: rebuild the shipped reference from its sources."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ec", required=True, help="genome x EC table (human_ec.tsv.gz)")
    parser.add_argument("--copies", required=True, help="genome 16S copies (human_16S_cp.txt.gz)")
    parser.add_argument("--ko-info", required=True, help="KEGG KO descriptions (ko_info.tsv.gz)")
    parser.add_argument("--out", required=True, help="output folder")
    args = parser.parse_args(argv)
    try:
        counts = build_reference(args.ec, args.copies, args.ko_info, args.out, SHIPPED_SOURCE)
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
    "licence": "MicFunPred data: MIT (LICENSE.txt of the MicFunPred repository at that "
               "commit); KO->EC pairs are facts from KEGG as listed by PICRUSt2",
    "citation": "Mongad DS et al. (2021) MicFunPred: a conserved approach to predict functional "
                "profiles from 16S rRNA gene sequence data. Genomics "
                "113:3635-3643; doi 10.1016/j.ygeno.2021.08.016. Kanehisa M, Goto S (2000) KEGG. "
                "Nucleic Acids Res 28:27.",
}


if __name__ == "__main__":
    raise SystemExit(main())
