"""Reference 16S genes to cut amplicons from, and the DADA2 package's extdata folder."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import dnaio
from gutbrain.errors import InputError
from gutbrain.primers import extract_amplicon

from tools.simulate.reads import is_acgt

TEN_16S = "ten_16s.100.fa.gz"


@dataclass(frozen=True)
class Reference:
    """One reference 16S gene: identifier, genus, taxonomy string (SINTAX style) and sequence."""

    id: str
    genus: str
    taxonomy: str
    sequence: str


def parse_header(header: str) -> tuple[str, str, str]:
    """(id, genus, taxonomy) from a SINTAX header ``id;tax=d:X,...,g:Genus;`` or a
    ``Genus;size=N;`` header (as in the Zymo mock truth); taxonomy uses SINTAX notation."""
    name = header.split()[0] if header.strip() else header
    if ";tax=" in name:
        ident, _, tax = name.partition(";tax=")
        tax = tax.rstrip(";")
        ranks = dict(part.split(":", 1) for part in tax.split(",") if ":" in part)
        return ident, ranks.get("g", ""), tax
    genus = name.split(";")[0]
    return name.rstrip(";"), genus, f"g:{genus}"


def read_references(path: str | os.PathLike[str]) -> list[Reference]:
    """Reference 16S genes from a (gzipped) FASTA read with dnaio; InputError if unreadable."""
    try:
        with dnaio.open(path, fileformat="fasta") as reader:
            refs = []
            for rec in reader:
                ident, genus, tax = parse_header(rec.name)
                refs.append(Reference(ident, genus, tax, rec.sequence.upper()))
    except (OSError, dnaio.exceptions.FormatError) as exc:
        raise InputError(f"cannot read reference FASTA {path}: {exc}") from exc
    if not refs:
        raise InputError(f"reference FASTA {path} holds no sequences")
    return refs


def amplicons_of(
    refs: Sequence[Reference], fwd_primer: str, rev_primer: str,
    max_mismatch_frac: float = 0.1,
) -> list[tuple[Reference, str]]:
    """(reference, amplicon) for every reference whose amplicon can be cut and is pure ACGT."""
    out = []
    for ref in refs:
        amp = extract_amplicon(ref.sequence, fwd_primer, rev_primer, max_mismatch_frac)
        if amp is not None and is_acgt(amp):
            out.append((ref, amp))
    return out


def dada2_extdata_dir() -> Path:
    """The DADA2 R package's extdata folder (asks Rscript): the one place outside the workflow's
    own rule that looks it up (tests and benchmarks use it too). InputError when unavailable."""
    if shutil.which("Rscript") is None:
        raise InputError("Rscript not found: install R and the dada2 package "
                         "(Debian: r-bioc-dada2; make setup) or pass --dada2-extdata DIR")
    out = subprocess.run(
        ["Rscript", "-e", 'cat(system.file("extdata", package = "dada2"))'],
        capture_output=True, text=True, check=False,
    ).stdout.strip()
    if not out:
        raise InputError("R package dada2 is not installed: install it (Debian: r-bioc-dada2) "
                         "or pass --dada2-extdata DIR")
    return Path(out)
