"""Tests for gutbrain.bundle and gutbrain.genome_tables: bundles, their tables, search database."""

from __future__ import annotations

from pathlib import Path

import dnaio
import numpy as np
import pytest
from gutbrain.bundle import (
    clean_sequence,
    find_bundle_files,
    genome_id_from_header,
    load_bundle,
    write_search_db,
)
from gutbrain.errors import InputError
from gutbrain.genome_tables import normalise_ko, read_ec_table, read_ko_table

FASTA = """>G2 some description
ACGU-ACGU..acgt
>G1|copy1
ACGTACGTACGTAAAA
>G1|copy2
ACGTACGTACGTAAAA
>G1 third copy differs
ACGTACGTACGTAAAC
>G3
TTTTGGGGCCCCAAAA
"""
KO = "assembly\tko:K00001\tko:K00002\tK00010\nG1\t1\t0\t2\nG2\t0\t3\t0\nG3\t1\t1\t0.5\n"
COPIES = "assembly\t16S_rRNA_Count\nG1\t3\nG2\t1\nG3\t2\n"
META = "genome\ttaxonomy\nG1\td__Bacteria;g__Alpha\nG2\td__Bacteria;g__Beta\nG9\tx\n"
MANIFEST = "name: tiny\nversion: '1.0'\nkind: genome\ndescription: test bundle\nsource: here\n"


def make_bundle(folder: Path, **overrides: str | None) -> Path:
    """Write a tiny bundle; overrides replace (or with None, drop) a file's text."""
    files = {"16S.fna": FASTA, "ko.txt": KO, "16S.txt": COPIES, "metadata.tsv": META,
             "bundle.yaml": MANIFEST}
    files.update(overrides)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        if text is not None:
            (folder / name).write_text(text)
    return folder


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("ACGU-acgu..", "ACGTACGT"), ("--..", ""), ("nNuU", "NNTT")],
)
def test_clean_sequence(raw: str, expected: str) -> None:
    assert clean_sequence(raw) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [("G1 desc", "G1"), ("G1|x y", "G1"), ("GCF_000011125.1", "GCF_000011125.1"),
     ("G1\tx", "G1")],
)
def test_genome_id_from_header(header: str, expected: str) -> None:
    assert genome_id_from_header(header) == expected


@pytest.mark.parametrize(("name", "expected"), [("ko:K00001", "K00001"), ("K00002", "K00002"),
                                                ("KO:K00003", "K00003")])
def test_normalise_ko(name: str, expected: str) -> None:
    assert normalise_ko(name) == expected


def test_load_bundle_folder(tmp_path: Path) -> None:
    bundle = load_bundle(make_bundle(tmp_path / "b"))
    assert (bundle.name, bundle.version, bundle.kind) == ("tiny", "1.0", "genome")
    assert bundle.description == "test bundle"
    assert list(bundle.ko.index) == ["G1", "G2", "G3"]
    assert list(bundle.ko.columns) == ["K00001", "K00002", "K00010"]
    assert all(dtype == np.float32 for dtype in bundle.ko.dtypes)
    assert bundle.ko.loc["G3", "K00010"] == pytest.approx(0.5)
    assert bundle.copies_16s.to_dict() == {"G1": 3.0, "G2": 1.0, "G3": 2.0}
    assert bundle.taxonomy is not None
    assert bundle.taxonomy["G2"] == "d__Bacteria;g__Beta"
    assert bundle.taxonomy.isna()["G3"]


def test_load_bundle_without_optional_files(tmp_path: Path) -> None:
    folder = make_bundle(tmp_path / "plain", **{"metadata.tsv": None, "bundle.yaml": None})
    bundle = load_bundle(folder)
    assert bundle.name == "plain" and bundle.kind == "genome" and bundle.taxonomy is None


def test_load_bundle_restricted_kos(tmp_path: Path) -> None:
    bundle = load_bundle(make_bundle(tmp_path / "b"), kos=["ko:K00002", "K00010", "K99999"])
    assert list(bundle.ko.columns) == ["K00002", "K00010", "K99999"]
    assert bundle.kos_absent == ("K99999",)
    assert bundle.ko["K99999"].sum() == 0
    assert bundle.ko["K00002"].tolist() == [0.0, 3.0, 1.0]


def test_load_bundle_explicit_paths(tmp_path: Path) -> None:
    folder = make_bundle(tmp_path / "b")
    (folder / "renamed.fna").write_text(FASTA)
    bundle = load_bundle(fasta=folder / "renamed.fna", ko=folder / "ko.txt",
                         copies=folder / "16S.txt", name="explicit")
    assert bundle.name == "explicit"
    assert bundle.fasta == folder / "renamed.fna"
    assert bundle.ko.shape == (3, 3)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ko.txt": None}, "missing KO table"),
        ({"16S.fna": None}, "missing 16S sequences"),
        ({"ko.txt": KO.replace("G2\t0\t3", "G2\tx\t3")}, "line 3 (genome G2), column ko:K00001"),
        ({"ko.txt": KO.replace("G3\t1\t1", "G3\t1\t-1")}, "line 4 (genome G3), column ko:K00002"),
        ({"ko.txt": KO.replace("G3\t1\t1", "G3\t1\t")}, "missing value"),
        ({"ko.txt": KO + "G1\t1\t1\t1\n"}, "duplicated genome ID"),
        ({"16S.txt": COPIES.replace("G2\t1", "G2\t0")}, "line 3 (genome G2): 16S copy number 0"),
        ({"16S.txt": COPIES.replace("G2\t1", "G2\tmany")}, "column 16S_rRNA_Count"),
        ({"16S.txt": COPIES + "G4\t1\n"}, "1 in copy table"),
        ({"16S.fna": FASTA + ">G7\nACGT\n>G8\nACGT\n"}, "2 in FASTA"),
        ({"bundle.yaml": "kind: genus\n"}, "kind 'genus'"),
        ({"bundle.yaml": "nmae: x\n"}, "unknown key"),
        ({"16S.fna": ">G1\n----\n"}, "no bases"),
    ],
)
def test_load_bundle_errors(tmp_path: Path, overrides: dict, message: str) -> None:
    folder = make_bundle(tmp_path / "bad", **overrides)
    with pytest.raises(InputError) as err:
        load_bundle(folder)
    assert message in str(err.value)


def test_mismatch_message_names_files_and_examples(tmp_path: Path) -> None:
    folder = make_bundle(tmp_path / "bad", **{"16S.txt": COPIES + "G4\t1\nG5\t2\n"})
    with pytest.raises(InputError, match=r"2 in copy table .*16S\.txt only \(e\.g\. G4, G5\)"):
        load_bundle(folder)


def test_bad_requested_ko(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not of the form"):
        read_ko_table(make_bundle(tmp_path / "b") / "ko.txt", kos=["butyrate"])


def test_write_search_db(tmp_path: Path) -> None:
    bundle = load_bundle(make_bundle(tmp_path / "b"))
    out = tmp_path / "db.fasta"
    assert write_search_db(bundle, out) == 4
    with dnaio.open(out) as reader:
        records = [(r.name, r.sequence) for r in reader]
    assert records == [
        ("G1|1", "ACGTACGTACGTAAAA"),
        ("G1|2", "ACGTACGTACGTAAAC"),
        ("G2|1", "ACGTACGTACGT"),
        ("G3|1", "TTTTGGGGCCCCAAAA"),
    ]
    first = out.read_bytes()
    write_search_db(bundle, out)
    assert out.read_bytes() == first


@pytest.mark.shared_data
def test_archaeal_picrust2_bundle(shared_data: Path) -> None:
    arc = shared_data / "picrust2" / "archaea"
    bundle = load_bundle(fasta=arc / "arc_ref" / "arc_ref.fna", ko=arc / "ko.txt.gz",
                         copies=arc / "16S.txt.gz", metadata=arc / "archaea_metadata.csv.gz",
                         kos=["K01580", "K00001"])
    assert bundle.ko.shape == (1002, 2)
    assert list(bundle.ko.columns) == ["K00001", "K01580"]
    assert bundle.copies_16s.min() >= 1
    assert bundle.taxonomy is not None and bundle.taxonomy.name == "gtdb_taxonomy"
    assert bundle.taxonomy.str.startswith("d__Archaea").all()


def test_read_ec_table_names_columns_as_ec_abundance_does(tmp_path) -> None:
    path = tmp_path / "ec.txt"
    path.write_text("assembly\t1.1.1.1\tEC:2.7.2.7\t3.5.1.n3\nG1\t1\t0\t2\nG2\t0\t3\t0\n")
    table = read_ec_table(path)
    assert list(table.columns) == ["EC:1.1.1.1", "EC:2.7.2.7", "EC:3.5.1.n3"]
    assert table.loc["G2", "EC:2.7.2.7"] == 3
    path.write_text("assembly\t1.1.1.1\tK00001\nG1\t1\t0\n")
    with pytest.raises(InputError, match="K00001 are not EC numbers"):
        read_ec_table(path)


def test_read_ec_table_reads_picrust2s_archaeal_ec_table() -> None:
    """PICRUSt2's own ec.txt.gz (archaea, 1,002 genomes) in the shared data, read in place."""
    path = Path(__file__).resolve().parents[3] / "shared/data/picrust2/archaea/ec.txt.gz"
    if not path.is_file():
        pytest.skip(f"{path} absent (shared data not mounted)")
    table = read_ec_table(path)
    assert table.shape[0] == 1002 and table.shape[1] > 1000
    assert table.columns.str.startswith("EC:").all()


def test_bundle_folder_finds_an_ec_table(tmp_path) -> None:
    for name in ("16S.fna", "ko.txt", "16S.txt"):
        (tmp_path / name).write_text("x")
    assert find_bundle_files(tmp_path).ec is None
    (tmp_path / "ec.txt.gz").write_text("x")
    assert find_bundle_files(tmp_path).ec == tmp_path / "ec.txt.gz"
