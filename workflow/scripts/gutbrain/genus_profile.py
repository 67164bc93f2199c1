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
* ``ec_transferred.tsv``: old EC number -> current EC number for the entries the enzyme
  nomenclature transferred to exactly one new number. The genome tables and the crosswalk are
  renumbered with it when the reference is built, so every EC of the reference is current;
  measured tables that use the old numbers can be renumbered the same way before comparison
  (the benchmark does; prediction does not need it, so older reference folders without it
  still load);
* ``reference.yaml``: name, kind, version, sources with sha256, licence, how it was built.

KO values come from ECs (:func:`ko_profile`): a KO is *known* when at least one of its ECs is
annotated by the reference, and its copies in a genus are the smallest copies among its annotated
ECs (a multi-EC KO is only as present as its least-present activity). KOs with no EC, or whose
ECs the reference never annotates, are unknown and absent from every KO table built from it.
KOs that share one EC (the subunits of a complex, or distinct gene families with one activity)
get the same value: this reference cannot tell them apart.

The shipped reference (``resources/genus_profile/``) is built by ``python -m
gutbrain.genus_profile_build`` (``make genus-profile``) from the MicFunPred human genome tables
(Mongad et al. 2021, Genomics 113:3635; MIT licence) and PICRUSt2's KEGG KO and EC descriptions.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .errors import InputError
from .ranks import strip_rank_prefix

PathLike = str | os.PathLike[str]

KIND = "genus_profile"
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
    #: Species the build moved to their current genus ("Ruminococcus gnavus" -> genus).
    species_genera: Mapping[str, str] = field(default_factory=dict)

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


def normalise_genus(name: str, species_genera: Mapping[str, str] | None = None) -> str | None:
    """One spelling for a genus name across SILVA, GTDB, RDP, NCBI and the DADA2 package.

    Strips rank prefixes (``g__``, ``g:``), brackets and quotes (``[Eubacterium]``), the
    ``Candidatus`` prefix, GTDB's split suffixes (``Prevotella_A`` -> ``Prevotella``),
    ``sensu stricto`` numbering (``Clostridium_sensu_stricto_1`` -> ``Clostridium``), and takes
    the first name of merged genera (``Escherichia-Shigella``, ``Escherichia/Shigella``).
    SILVA's species groups (``[Ruminococcus]_gnavus_group``) take the bracketed genus, or the
    species' current genus when ``species_genera`` (``"Ruminococcus gnavus"`` ->
    ``"Mediterraneibacter"``, a reference's ``species_genera.tsv``) has moved it.
    Returns None for empty, placeholder or higher-rank names (``uncultured``,
    ``Lachnospiraceae_NK4A136_group``, ``Clostridium_XlVa`` clusters) and for names that are not
    a single capitalised word after cleaning.
    """
    text = strip_rank_prefix(str(name).strip().strip("'\""))
    if not text or text.lower() in _NOT_GENUS_WORDS or text.lower() in {"na", "nan", "none"}:
        return None
    text = re.sub(r"^Candidatus[_\s]+", "", text)
    group = re.match(r"^\[([A-Z][a-z]+)\][_\s]([a-z]+)?.*group$", text)
    if group:  # SILVA "[Ruminococcus]_torques_group": the bracketed genus, or its current one
        species = f"{group.group(1)} {group.group(2)}"
        return (species_genera or {}).get(species, group.group(1))
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
                        manifest=manifest, species_genera=read_species_map(folder))


def read_species_map(folder: PathLike) -> dict[str, str]:
    """``species_genera.tsv`` of a reference folder (species -> current genus); {} without."""
    path = Path(folder) / "species_genera.tsv"
    if not path.is_file():
        return {}
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    if not {"species", "genus"} <= set(table.columns):
        raise InputError(f"{path}: line 1: expected columns species, genus")
    return dict(zip(table["species"], table["genus"], strict=True))


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
    col = {e: i for i, e in enumerate(ec.columns)}
    by_ko = pairs.groupby("ko", sort=True)["ec"].agg(list)
    kos = list(by_ko.index)
    values = ec.to_numpy(np.float32)
    out = np.empty((len(ec.index), len(kos)), dtype=np.float32)
    single = [j for j, ecs in enumerate(by_ko) if len(ecs) == 1]
    out[:, single] = values[:, [col[by_ko.iloc[j][0]] for j in single]]
    for j, ecs in enumerate(by_ko):
        if len(ecs) > 1:
            out[:, j] = values[:, [col[e] for e in ecs]].min(axis=1)
    return pd.DataFrame(out, index=ec.index, columns=pd.Index(kos, name="ko"))
