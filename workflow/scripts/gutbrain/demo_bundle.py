"""The offline demo reference bundle: a coarse literature-based genus profile.

One pseudo-genome per genus that has at least one KO in ``genus_traits.tsv`` and occurs in a
SINTAX-formatted 16S reference (the DADA2 package's ``ten_16s.100.fa.gz`` for the demo):

- ``16S.fna``: up to N real 16S sequences of that genus, headers ``genusprofile_<Genus>|<id>``;
- ``ko.txt.gz``: ``assembly`` then ``ko:K#####`` columns; 1 for every KO the literature table
  lists for the genus (presence only), 0 otherwise;
- ``16S.txt.gz``: ``assembly<TAB>16S_rRNA_Count`` from ``genus_16s_copies.tsv`` (a default
  when the genus is missing there, flagged in ``metadata.tsv``);
- ``metadata.tsv``: ``assembly, taxonomy`` (``d__...;g__Genus``) plus provenance columns;
- ``bundle.yaml``: ``name, version, kind: literature_genus_profile, description, source``.

Genera with curated traits but no KO are left out: an all-zero row would claim the genes are
absent, which the literature does not say. ASVs of genera outside the bundle therefore end up
beyond the distance cut-off and are counted as not predicted. All files are written sorted,
atomically and byte-reproducibly (gzip without timestamp).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dnaio
import pandas as pd
import yaml

from gutbrain.errors import InputError
from gutbrain.io import atomic_path
from gutbrain.literature import (
    genus_kos,
    genus_traits_summary,
    load_genus_copies,
    load_genus_traits,
)

PathLike = str | os.PathLike[str]

GENOME_PREFIX = "genusprofile_"
BUNDLE_NAME = "gutbrain-demo-genus-profile"
BUNDLE_KIND = "literature_genus_profile"
RANK_LETTERS = ("d", "p", "c", "o", "f", "g")
DEFAULT_COPIES = 4.0
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def parse_sintax_header(header: str) -> tuple[str, dict[str, str]]:
    """Split a SINTAX header ``id;tax=d:Bacteria,...,g:Genus;`` into (id, {rank letter: name}).

    A header without ``tax=`` gives an empty rank mapping.
    """
    text = header.strip().split(None, 1)[0] if header.strip() else ""
    seq_id, _, rest = text.partition(";")
    ranks: dict[str, str] = {}
    for field in rest.split(";"):
        if not field.startswith("tax="):
            continue
        for item in field[4:].split(","):
            letter, sep, name = item.partition(":")
            if sep and name.strip():
                ranks[letter.strip()] = name.strip().strip('"')
    return seq_id, ranks


def iter_sintax(path: PathLike) -> Iterator[tuple[str, str, dict[str, str]]]:
    """Yield (sequence ID, uppercase DNA sequence, ranks) for each record of a SINTAX FASTA."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"SINTAX reference {p} does not exist; check the path")
    try:
        with dnaio.open(p, mode="r") as reader:
            for number, record in enumerate(reader, start=1):
                seq_id, ranks = parse_sintax_header(record.name)
                if not seq_id:
                    raise InputError(f"{p}: record {number} has an empty header")
                yield seq_id, record.sequence.upper().replace("U", "T"), ranks
    except dnaio.exceptions.FileFormatError as exc:
        raise InputError(f"{p}: not a valid FASTA file ({exc})") from exc


def genome_id(genus: str) -> str:
    """Pseudo-genome ID of a genus: ``genusprofile_<Genus>`` (unsafe characters -> ``_``)."""
    return GENOME_PREFIX + _UNSAFE.sub("_", genus)


def lineage_string(ranks: dict[str, str]) -> str:
    """``d__Bacteria;p__...;g__Genus`` from SINTAX rank letters (missing ranks omitted)."""
    return ";".join(f"{letter}__{ranks[letter]}" for letter in RANK_LETTERS if letter in ranks)


def _gzip_bytes(text: str) -> bytes:
    """Gzip ``text`` reproducibly (no file name, zero timestamp)."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as handle:
        handle.write(text.encode("utf-8"))
    return buffer.getvalue()


def _table_text(frame: pd.DataFrame) -> str:
    return frame.to_csv(sep="\t", index=False, lineterminator="\n")


def _sha256(path: PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _collect_sequences(
    sintax_fasta: PathLike, genera: set[str]
) -> tuple[dict[str, dict[str, str]], dict[str, Counter[str]], int]:
    """Sequences (id -> seq) and lineage counts per wanted genus; also the number of records
    that carried SINTAX taxonomy at all."""
    seqs: dict[str, dict[str, str]] = defaultdict(dict)
    lineages: dict[str, Counter[str]] = defaultdict(Counter)
    with_tax = 0
    for seq_id, sequence, ranks in iter_sintax(sintax_fasta):
        if ranks:
            with_tax += 1
        genus = ranks.get("g", "")
        if genus in genera and sequence:
            seqs[genus].setdefault(seq_id, sequence)
            lineages[genus][lineage_string(ranks)] += 1
    return seqs, lineages, with_tax


def build_demo_bundle(
    sintax_fasta: PathLike,
    genus_traits_tsv: PathLike,
    genus_copies_tsv: PathLike,
    out_dir: PathLike,
    max_seqs_per_genus: int = 3,
    include_proxy_kos: bool = True,
    default_copies: float = DEFAULT_COPIES,
) -> dict[str, Any]:
    """Build the demo reference bundle in ``out_dir``; return a summary dict.

    Sequences per genus are the first ``max_seqs_per_genus`` by sorted sequence ID. With
    ``include_proxy_kos`` the proxy KOs of genus_traits.tsv (broader families such as the
    acetate CoA-transferases standing in for ``but``) count as present too. Summary keys:
    ``out_dir, genomes, n_genomes, n_sequences, kos, n_kos, genera_not_in_reference,
    genera_without_kos, default_copies_genera``.
    """
    if max_seqs_per_genus < 1:
        raise InputError(f"max_seqs_per_genus must be at least 1, got {max_seqs_per_genus}")
    if default_copies < 1:
        raise InputError(f"default 16S copy number must be at least 1, got {default_copies}")
    traits = load_genus_traits(genus_traits_tsv)
    copies_table = load_genus_copies(genus_copies_tsv)
    copies = dict(zip(copies_table["genus"], copies_table["copies_16s"], strict=True))
    statistic = dict(zip(copies_table["genus"], copies_table["statistic"], strict=True))
    kos_by_genus = genus_kos(traits, include_proxies=include_proxy_kos)
    trait_names = genus_traits_summary(traits)
    without_kos = sorted(g for g, kos in kos_by_genus.items() if not kos)
    wanted = {g for g, kos in kos_by_genus.items() if kos}

    seqs, lineages, with_tax = _collect_sequences(sintax_fasta, wanted)
    if with_tax == 0:
        raise InputError(
            f"{sintax_fasta}: no record carries SINTAX taxonomy (';tax=d:...,g:Genus;'); "
            "give a SINTAX-formatted 16S reference"
        )
    included = sorted(seqs)
    if not included:
        raise InputError(
            f"{sintax_fasta}: none of the genera with KOs in {genus_traits_tsv} occurs in this "
            "reference; use a reference that contains them"
        )
    all_kos = sorted({ko for g in included for ko in kos_by_genus[g]})

    fasta_records: list[tuple[str, str]] = []
    ko_rows, copy_rows, meta_rows = [], [], []
    for genus in included:
        gid = genome_id(genus)
        chosen = sorted(seqs[genus])[:max_seqs_per_genus]
        fasta_records.extend((f"{gid}|{seq_id}", seqs[genus][seq_id]) for seq_id in chosen)
        present = set(kos_by_genus[genus])
        ko_rows.append([gid] + [1 if ko in present else 0 for ko in all_kos])
        if genus in copies:
            value = copies[genus]
            copy_source = f"rrnDB v4.2.2 genus {statistic[genus]} (genus_16s_copies.tsv)"
        else:
            value = default_copies
            copy_source = "default: genus not in genus_16s_copies.tsv"
        copy_rows.append([gid, f"{value:g}"])
        lineage = sorted(lineages[genus].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        meta_rows.append([gid, lineage, genus, copy_source, len(chosen), len(present),
                          ";".join(trait_names.get(genus, []))])

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with atomic_path(out / "16S.fna") as tmp:
        with dnaio.open(tmp, mode="w", fileformat="fasta") as writer:
            for name, sequence in fasta_records:
                writer.write(dnaio.SequenceRecord(name, sequence))
    ko_frame = pd.DataFrame(ko_rows, columns=["assembly"] + [f"ko:{k}" for k in all_kos])
    with atomic_path(out / "ko.txt.gz") as tmp:
        tmp.write_bytes(_gzip_bytes(_table_text(ko_frame)))
    copy_frame = pd.DataFrame(copy_rows, columns=["assembly", "16S_rRNA_Count"])
    with atomic_path(out / "16S.txt.gz") as tmp:
        tmp.write_bytes(_gzip_bytes(_table_text(copy_frame)))
    meta_frame = pd.DataFrame(meta_rows, columns=["assembly", "taxonomy", "genus",
                                                  "copies_16s_source", "n_16s_sequences",
                                                  "n_kos", "traits"])
    with atomic_path(out / "metadata.tsv") as tmp:
        tmp.write_text(_table_text(meta_frame), encoding="utf-8")

    inputs = {Path(p).name: _sha256(p) for p in (sintax_fasta, genus_traits_tsv,
                                                genus_copies_tsv)}
    combined = hashlib.sha256("".join(f"{k}={v}\n" for k, v in sorted(inputs.items()))
                              .encode()).hexdigest()[:12]
    manifest = {
        "name": BUNDLE_NAME,
        "version": f"1+{combined}",
        "kind": BUNDLE_KIND,
        "description": (
            "Demo reference: coarse literature-based genus profile, not genome-derived copy "
            f"numbers. One pseudo-genome per genus ({len(included)} genera) with KO presence "
            "(1 = the curated literature lists the KO for some strains of the genus; proxy "
            f"KOs {'included' if include_proxy_kos else 'excluded'}); genera without curated "
            "KOs are left out, so their ASVs count as not predicted. For demonstrations and "
            "tests only, not for research conclusions."
        ),
        "source": (
            "KOs: resources/genus_traits.tsv (gutbrain16s curated literature table, sha256 "
            f"{inputs[Path(genus_traits_tsv).name][:12]}); 16S sequences: "
            f"{Path(sintax_fasta).name} (DADA2 package extdata, sha256 "
            f"{inputs[Path(sintax_fasta).name][:12]}); 16S copies: rrnDB v4.2.2 genus "
            "values via resources/genus_16s_copies.tsv (Stoddard et al. 2015 Nucleic Acids "
            "Res 43:D593, doi 10.1093/nar/gku1201)"
        ),
    }
    with atomic_path(out / "bundle.yaml") as tmp:
        tmp.write_text(yaml.safe_dump(manifest, sort_keys=False, width=100, allow_unicode=True),
                       encoding="utf-8")

    return {
        "out_dir": str(out),
        "genomes": [genome_id(g) for g in included],
        "n_genomes": len(included),
        "n_sequences": len(fasta_records),
        "kos": all_kos,
        "n_kos": len(all_kos),
        "genera_not_in_reference": sorted(wanted - set(included)),
        "genera_without_kos": without_kos,
        "default_copies_genera": sorted(g for g in included if g not in copies),
    }
