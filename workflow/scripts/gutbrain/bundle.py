"""Reference bundles for functional prediction: the folder layout, loading and the vsearch database.

A reference bundle is a folder (documented in ``docs/reference_bundle.md``) holding reference
16S sequences (``16S.fna[.gz]``), a genome x KO copy-number table in the PICRUSt2 layout
(``ko.txt[.gz]``), a genome -> 16S copy-number table (``16S.txt[.gz]``), optional genome
taxonomy (``metadata.tsv[.gz]`` or PICRUSt2's ``*_metadata.csv.gz``) and an optional
``bundle.yaml`` manifest. Explicit file paths may be given instead, so PICRUSt2's own folders
(e.g. ``archaea/arc_ref/arc_ref.fna``) load without renaming.

The tables are read by :mod:`gutbrain.genome_tables` (only the KO columns asked for, in row
chunks converted to float32); this module checks that the files agree on the genomes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import dnaio
import pandas as pd
import yaml

from gutbrain.errors import InputError
from gutbrain.genome_tables import read_copy_table, read_ko_table, read_taxonomy
from gutbrain.io import atomic_path

PathLike = str | os.PathLike[str]

BUNDLE_KINDS = ("genome", "genus_profile")

_FASTA_NAMES = ("16S.fna", "16S.fna.gz", "16S.fasta", "16S.fasta.gz")
_KO_NAMES = ("ko.txt.gz", "ko.txt", "ko.tsv.gz", "ko.tsv")
_COPY_NAMES = ("16S.txt.gz", "16S.txt", "16S.tsv.gz", "16S.tsv")
_EC_NAMES = ("ec.txt.gz", "ec.txt", "ec.tsv.gz", "ec.tsv")
_METADATA_NAMES = ("metadata.tsv", "metadata.tsv.gz")
_GAP_TABLE = str.maketrans("", "", "-.")


@dataclass(frozen=True)
class BundlePaths:
    """The files that make up a reference bundle (``metadata``, ``manifest`` and the genome x
    EC table ``ec`` optional)."""

    fasta: Path
    ko: Path
    copies: Path
    metadata: Path | None = None
    manifest: Path | None = None
    ec: Path | None = None


@dataclass
class ReferenceBundle:
    """A loaded reference bundle.

    ``ko`` is genome x KO (float32, columns named ``K#####``, rows in genome-ID order);
    ``copies_16s`` is the 16S copy number per genome (same index); ``taxonomy`` maps genome to
    a ``;``-separated lineage (or is None); ``fasta`` is the reference 16S file as given.
    ``kos_absent`` lists requested KOs that no genome in the table carries (kept as zero columns).
    """

    name: str
    version: str
    kind: str
    ko: pd.DataFrame
    copies_16s: pd.Series
    taxonomy: pd.Series | None
    fasta: Path
    description: str = ""
    source: str = ""
    paths: BundlePaths | None = None
    kos_absent: tuple[str, ...] = field(default_factory=tuple)

    @property
    def genomes(self) -> pd.Index:
        """Genome IDs of the bundle, in table order."""
        return self.ko.index


def genome_id_from_header(header: str) -> str:
    """Genome ID of a FASTA header: the text before the first whitespace or ``|``."""
    return re.split(r"[\s|]", header.strip(), maxsplit=1)[0]


def clean_sequence(seq: str) -> str:
    """Ungap an (aligned) 16S sequence: drop ``-`` and ``.``, uppercase, U -> T."""
    return seq.translate(_GAP_TABLE).upper().replace("U", "T")


def _first_existing(folder: Path, names: Iterable[str]) -> Path | None:
    for name in names:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def find_bundle_files(folder: PathLike) -> BundlePaths:
    """Locate the files of a bundle folder; raise InputError naming what is missing."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"reference bundle folder {root} does not exist; check function.bundle")
    fasta = _first_existing(root, _FASTA_NAMES)
    ko = _first_existing(root, _KO_NAMES)
    copies = _first_existing(root, _COPY_NAMES)
    missing = [
        f"{label} (one of {', '.join(names)})"
        for label, found, names in (
            ("16S sequences", fasta, _FASTA_NAMES),
            ("KO table", ko, _KO_NAMES),
            ("16S copy-number table", copies, _COPY_NAMES),
        )
        if found is None
    ]
    if missing:
        raise InputError(
            f"reference bundle {root} is missing {'; '.join(missing)}; "
            "see docs/reference_bundle.md for the folder layout"
        )
    metadata = _first_existing(root, _METADATA_NAMES)
    if metadata is None:
        csvs = sorted(root.glob("*_metadata.csv.gz")) + sorted(root.glob("*_metadata.csv"))
        metadata = csvs[0] if csvs else None
    manifest = _first_existing(root, ("bundle.yaml", "bundle.yml"))
    assert fasta is not None and ko is not None and copies is not None
    return BundlePaths(fasta=fasta, ko=ko, copies=copies, metadata=metadata, manifest=manifest,
                       ec=_first_existing(root, _EC_NAMES))


def read_manifest(path: PathLike | None) -> dict[str, str]:
    """Read ``bundle.yaml`` (name, version, kind, description, source); {} when absent."""
    if path is None:
        return {}
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"{p}: not valid YAML ({exc}); fix the bundle manifest") from exc
    if not isinstance(data, dict):
        raise InputError(f"{p}: expected a mapping with name, version, kind; got {type(data)}")
    allowed = {"name", "version", "kind", "description", "source"}
    unknown = sorted(set(map(str, data)) - allowed)
    if unknown:
        raise InputError(f"{p}: unknown key(s) {unknown}; allowed: {sorted(allowed)}")
    kind = str(data.get("kind", "genome"))
    if kind not in BUNDLE_KINDS:
        raise InputError(f"{p}: kind {kind!r} is not one of {list(BUNDLE_KINDS)}")
    return {str(k): "" if v is None else str(v) for k, v in data.items()}


def iter_reference_fasta(path: PathLike) -> Iterator[tuple[str, str]]:
    """Yield (genome ID, ungapped uppercase DNA sequence) for each record of a 16S FASTA."""
    p = Path(path)
    try:
        with dnaio.open(p, mode="r") as reader:
            for number, record in enumerate(reader, start=1):
                seq = clean_sequence(record.sequence)
                genome = genome_id_from_header(record.name)
                if not genome:
                    raise InputError(f"{p}: record {number} has an empty header; name it")
                if not seq:
                    raise InputError(
                        f"{p}: record {number} ({genome}) has no bases after removing gaps"
                    )
                yield genome, seq
    except dnaio.exceptions.FileFormatError as exc:
        raise InputError(f"{p}: not a valid FASTA file ({exc})") from exc


def _check_same_genomes(sets: Mapping[str, set[str]]) -> None:
    """Raise InputError when the genome-ID sets of the bundle files differ."""
    items = list(sets.items())
    ref_label, ref = items[0]
    for label, ids in items[1:]:
        if ids == ref:
            continue
        only_ref = sorted(ref - ids)
        only_other = sorted(ids - ref)
        parts = []
        if only_ref:
            parts.append(f"{len(only_ref)} in {ref_label} only (e.g. {', '.join(only_ref[:3])})")
        if only_other:
            parts.append(f"{len(only_other)} in {label} only (e.g. {', '.join(only_other[:3])})")
        raise InputError(
            f"genome IDs differ between {ref_label} and {label}: {'; '.join(parts)}; "
            "every genome needs a KO row, a 16S copy number and at least one 16S sequence"
        )


def load_bundle(
    folder: PathLike | None = None,
    *,
    fasta: PathLike | None = None,
    ko: PathLike | None = None,
    copies: PathLike | None = None,
    metadata: PathLike | None = None,
    manifest: PathLike | None = None,
    kos: Iterable[str] | None = None,
    taxonomy_column: str | None = None,
    name: str | None = None,
) -> ReferenceBundle:
    """Load and validate a reference bundle from a folder and/or explicit file paths.

    Explicit paths override files found in ``folder``. With ``kos``, only those KO columns are
    read (the others never enter memory). Genome IDs must agree between the KO table, the copy
    table and the FASTA; otherwise InputError says how many differ and shows a few.
    """
    if folder is not None:
        found = find_bundle_files(folder)
    else:
        if fasta is None or ko is None or copies is None:
            raise InputError(
                "reference bundle: give a folder or all of fasta=, ko= and copies= paths"
            )
        found = BundlePaths(Path(fasta), Path(ko), Path(copies))
    paths = BundlePaths(
        fasta=Path(fasta) if fasta is not None else found.fasta,
        ko=Path(ko) if ko is not None else found.ko,
        copies=Path(copies) if copies is not None else found.copies,
        metadata=Path(metadata) if metadata is not None else found.metadata,
        manifest=Path(manifest) if manifest is not None else found.manifest,
    )
    for label, p in (("16S FASTA", paths.fasta), ("KO table", paths.ko),
                     ("16S copy table", paths.copies), ("metadata", paths.metadata),
                     ("manifest", paths.manifest)):
        if p is not None and not p.is_file():
            raise InputError(f"reference bundle {label} {p} does not exist")
    info = read_manifest(paths.manifest)
    ko_table, absent = read_ko_table(paths.ko, kos)
    copy_numbers = read_copy_table(paths.copies)
    fasta_ids = {genome for genome, _ in iter_reference_fasta(paths.fasta)}
    _check_same_genomes({
        f"KO table {paths.ko}": set(ko_table.index),
        f"copy table {paths.copies}": set(copy_numbers.index),
        f"FASTA {paths.fasta}": fasta_ids,
    })
    order = sorted(ko_table.index)
    ko_table = ko_table.loc[order]
    copy_numbers = copy_numbers.loc[order]
    taxonomy = None
    if paths.metadata is not None:
        taxonomy = read_taxonomy(paths.metadata, taxonomy_column).reindex(order)
    default_name = Path(folder).name if folder is not None else paths.ko.parent.name
    return ReferenceBundle(
        name=name or info.get("name") or default_name,
        version=info.get("version", ""),
        kind=info.get("kind", "genome"),
        ko=ko_table,
        copies_16s=copy_numbers,
        taxonomy=taxonomy,
        fasta=paths.fasta,
        description=info.get("description", ""),
        source=info.get("source", ""),
        paths=paths,
        kos_absent=absent,
    )


def write_search_db(bundle: ReferenceBundle, out_fasta: PathLike) -> int:
    """Write the ungapped reference 16S as FASTA for vsearch; return the number of records.

    Records are ordered by genome ID then by order in the source file; identical copies within
    a genome are written once. Headers are ``>genome|n`` (n = 1, 2, ... per genome), so
    :func:`gutbrain.predict.parse_hits` maps each target back to its genome.
    """
    per_genome: dict[str, list[str]] = {}
    for genome, seq in iter_reference_fasta(bundle.fasta):
        seqs = per_genome.setdefault(genome, [])
        if seq not in seqs:
            seqs.append(seq)
    n = 0
    with atomic_path(out_fasta) as tmp, dnaio.open(tmp, mode="w", fileformat="fasta") as writer:
        for genome in sorted(per_genome):
            for i, seq in enumerate(per_genome[genome], start=1):
                writer.write(dnaio.SequenceRecord(f"{genome}|{i}", seq))
                n += 1
    return n
