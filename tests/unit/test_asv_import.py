"""Reading an existing ASV table and its sequences (gutbrain.asv_import) and the read tracking
of runs started from one (gutbrain.tracking.build_imported_tracking)."""

from __future__ import annotations

import gzip
from pathlib import Path

import biom
import h5py
import numpy as np
import pandas as pd
import pytest
from gutbrain import asv_import
from gutbrain.asv import read_asv_table
from gutbrain.errors import InputError
from gutbrain.tracking import STEPS, build_imported_tracking

IDS = ["f1", "f2", "f3"]
SAMPLES = ["s1", "s2"]
COUNTS = np.array([[5, 0], [10, 3], [0, 7]])
SEQS = {"f1": "acgtacgtac", "f2": "ACGTNNRYAC", "f3": "TTTTGGGGCC"}


def _biom(path: Path, counts=COUNTS, ids=IDS, samples=SAMPLES) -> Path:
    table = biom.Table(np.asarray(counts, dtype=float), list(ids), list(samples))
    with h5py.File(path, "w") as handle:
        table.to_hdf5(handle, "test")
    return path


def _fasta(path: Path, seqs=SEQS, gz: bool = False) -> Path:
    text = "".join(f">{i} some description\n{s}\n" for i, s in seqs.items())
    if gz:
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path


def _tsv(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


BIOM_TSV = (
    "# Constructed from biom file\n#OTU ID\ts1\ts2\nf1\t5.0\t0.0\nf2\t10.0\t3.0\nf3\t0.0\t7.0\n"
)


# ---------------------------------------------------------------- formats and header


def test_format_detection(tmp_path):
    assert asv_import.table_format(_biom(tmp_path / "t.biom")) == "biom-hdf5"
    table = biom.Table(COUNTS.astype(float), IDS, SAMPLES)
    json_path = _tsv(tmp_path / "t.json", table.to_json("test"))
    assert asv_import.table_format(json_path) == "biom-json"
    assert asv_import.table_format(_tsv(tmp_path / "t.tsv", BIOM_TSV)) == "tsv"


@pytest.mark.parametrize(
    "text",
    [
        BIOM_TSV,
        "asv_id\ts1\ts2\nf1\t5\t0\nf2\t10\t3\nf3\t0\t7\n",
        "#OTU ID\ts1\ts2\r\nf1\t5\t0\r\nf2\t10\t3\r\nf3\t0\t7\r\n",
        "# one\n# two\n#OTU ID\ts1\ts2\ttaxonomy\n"
        "f1\t5\t0\tk__B\nf2\t10\t3\tk__B\nf3\t0\t7\tk__B\n",
        "\ufeffasv_id\ts1\ts2\t\nf1\t5\t0\t\n\nf2\t10\t3\t\nf3\t0\t7\t\n",
    ],
    ids=["biom-convert", "own", "crlf", "taxonomy-column", "bom-trailing-tabs"],
)
def test_tsv_variants_read_the_same(tmp_path, text):
    path = _tsv(tmp_path / "t.tsv", text)
    assert asv_import.table_samples(path) == SAMPLES
    table = asv_import.read_table(path)
    assert list(table.index) == IDS and list(table.columns) == SAMPLES
    assert (table.to_numpy() == COUNTS).all() and table.dtypes.eq("int64").all()


def test_biom_hdf5_and_json_read_the_same(tmp_path):
    hdf5 = _biom(tmp_path / "t.biom")
    json_path = _tsv(
        tmp_path / "t.json", biom.Table(COUNTS.astype(float), IDS, SAMPLES).to_json("x")
    )
    for path in (hdf5, json_path):
        assert asv_import.table_samples(path) == SAMPLES
        table = asv_import.read_table(path)
        assert list(table.index) == IDS and (table.to_numpy() == COUNTS).all()


def test_header_reading_stops_at_the_header(tmp_path):
    # a broken data line does not matter when only the samples are read (parse time)
    path = _tsv(tmp_path / "t.tsv", "#OTU ID\ts1\ts2\nf1\tnot-a-number\n")
    assert asv_import.table_samples(path) == SAMPLES


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("#OTU ID\ts1\tbad id\nf1\t1\t2\n", "line 1: sample ID 'bad id' contains a space"),
        ("# c\n#OTU ID\ts1\ts1\nf1\t1\t2\n", "line 2: sample 's1' appears twice"),
        ("#OTU ID\nf1\n", "line 1: no sample columns"),
        ("feature\ts1\nf1\t1\n", "line 1: the header must start with 'asv_id' or '#OTU ID'"),
        ("# only comments\n", "has no header line"),
        ("", "has no header line"),
    ],
)
def test_header_problems_name_file_and_line(tmp_path, text, fragment):
    path = _tsv(tmp_path / "t.tsv", text)
    with pytest.raises(InputError) as err:
        asv_import.table_samples(path)
    assert str(path) in str(err.value) and fragment in str(err.value)


def test_missing_table_is_named(tmp_path):
    with pytest.raises(InputError, match="input.asv_table"):
        asv_import.table_samples(tmp_path / "absent.biom")


def test_gzipped_tsv_table_reads_like_the_plain_one(tmp_path):
    plain = _tsv(tmp_path / "t.tsv", BIOM_TSV)
    gz = tmp_path / "t.tsv.gz"
    gz.write_bytes(gzip.compress(BIOM_TSV.encode()))
    assert asv_import.table_samples(gz) == asv_import.table_samples(plain)
    assert asv_import.read_table(gz).equals(asv_import.read_table(plain))


def test_truncated_gzip_table_is_named(tmp_path):
    gz = tmp_path / "t.tsv.gz"
    gz.write_bytes(gzip.compress(BIOM_TSV.encode())[:-12])
    with pytest.raises(InputError, match="truncated or corrupt"):
        asv_import.read_table(gz)


def test_biom_bad_sample_id_is_named(tmp_path):
    path = _biom(tmp_path / "t.biom", samples=["s1", "s/2"])
    with pytest.raises(InputError, match=r"sample ID 's/2' contains a slash"):
        asv_import.table_samples(path)


def test_sheet_samples_must_be_in_table():
    asv_import.check_sheet_samples("t.biom", "sheet.tsv", SAMPLES, ["s2"])
    with pytest.raises(InputError) as err:
        asv_import.check_sheet_samples("t.biom", "sheet.tsv", SAMPLES, ["s1", "ghost"])
    assert "sheet.tsv" in str(err.value) and "'ghost'" in str(err.value)
    assert "t.biom" in str(err.value)


# ---------------------------------------------------------------- contents


@pytest.mark.parametrize(
    "cell, fragment",
    [
        ("x1", "'x1' is not a number"),
        ("-2", "negative count -2"),
        ("2.5", "2.5 is not a whole number"),
        ("", "'' is not a number"),
        ("nan", "'nan' is not a number"),
    ],
)
def test_bad_counts_name_line_and_column(tmp_path, cell, fragment):
    path = _tsv(tmp_path / "t.tsv", f"# c\n#OTU ID\ts1\ts2\nf1\t5\t0\nf2\t10\t{cell}\n")
    with pytest.raises(InputError) as err:
        asv_import.read_table(path)
    message = str(err.value)
    assert f"ASV table {path}, line 4, column 's2' (feature 'f2')" in message
    assert fragment in message


def test_wrong_field_count_and_duplicates_are_named(tmp_path):
    short = _tsv(tmp_path / "short.tsv", "asv_id\ts1\ts2\nf1\t5\n")
    with pytest.raises(InputError, match=r"line 2: 2 tab-separated fields.*has 3"):
        asv_import.read_table(short)
    dup = _tsv(tmp_path / "dup.tsv", "asv_id\ts1\nf1\t5\nf2\t1\nf1\t3\n")
    with pytest.raises(InputError) as err:
        asv_import.read_table(dup)
    assert f"ASV table {dup}: feature ID 'f1' appears twice (line 2 and line 4)" in str(err.value)
    bad = _tsv(tmp_path / "bad.tsv", "asv_id\ts1\nASV 1\t5\n")
    with pytest.raises(InputError, match=r"line 2: feature ID 'ASV 1' contains ' '"):
        asv_import.read_table(bad)


@pytest.mark.parametrize(
    "value, fragment", [(-1.0, "is negative"), (0.25, "not a whole number")]
)
def test_biom_bad_counts_name_feature_and_sample(tmp_path, value, fragment):
    counts = COUNTS.astype(float)
    counts[2, 1] = value
    path = _biom(tmp_path / "t.biom", counts=counts)
    with pytest.raises(InputError) as err:
        asv_import.read_table(path)
    assert "feature 'f3' in sample 's2'" in str(err.value) and fragment in str(err.value)


def test_empty_table_and_empty_samples(tmp_path):
    empty = _tsv(tmp_path / "e.tsv", "asv_id\ts1\ts2\n")
    table = asv_import.read_table(empty)
    with pytest.raises(InputError, match=f"ASV table {empty} is empty"):
        asv_import.check_counts(empty, table)
    counts = COUNTS.copy()
    counts[:, 1] = 0
    table = pd.DataFrame(counts, index=IDS, columns=SAMPLES)
    with pytest.raises(InputError, match=r"^ASV table t.tsv: 1 sample\(s\) have no reads .*: 's2'"):
        asv_import.check_counts("t.tsv", table)
    counts = np.vstack([COUNTS, [0, 0]])
    kept = asv_import.check_counts("t", pd.DataFrame(counts, index=[*IDS, "f4"], columns=SAMPLES))
    assert list(kept.index) == IDS


def test_sequences_read_checked_and_upper_cased(tmp_path):
    for gz in (False, True):
        path = _fasta(tmp_path / f"s{int(gz)}.fa", {**SEQS, "extra": "AC"}, gz=gz)
        seqs = asv_import.read_sequences(path)
        assert seqs["f1"] == "ACGTACGTAC" and set(seqs) == {*IDS, "extra"}
        asv_import.check_sequences(path, seqs, IDS)


def test_sequence_problems_are_named(tmp_path):
    path = _fasta(tmp_path / "s.fa")
    seqs = asv_import.read_sequences(path)
    with pytest.raises(InputError) as err:
        asv_import.check_sequences(path, seqs, [*IDS, "m1", "m2"])
    assert f"ASV sequences {path}: 2 feature ID(s) of the ASV table have no sequence" in str(
        err.value
    )
    assert "'m1', 'm2'" in str(err.value)
    for seq, fragment in (
        ("ACG-T", "alignment gap"),
        ("ACGU", "the sequence of 'f1' has 'U' at position 4"),
        ("", "empty"),
    ):
        with pytest.raises(InputError, match=fragment):
            asv_import.check_sequences(path, {"f1": seq}, ["f1"])
    dup = tmp_path / "dup.fa"
    dup.write_text(">a\nACGT\n>b\nACGT\n>a x\nACGT\n")
    with pytest.raises(InputError) as err:
        asv_import.read_sequences(dup)
    assert f"ASV sequences {dup}: ID 'a' appears twice (second time in record 3)" in str(err.value)
    with pytest.raises(InputError, match="input.asv_seqs"):
        asv_import.read_sequences(tmp_path / "absent.fa")


def test_import_writes_the_denoiser_outputs(tmp_path):
    table = _biom(tmp_path / "t.biom", counts=np.vstack([COUNTS, [0, 0]]), ids=[*IDS, "f4"])
    seqs = _fasta(tmp_path / "s.fa.gz", {**SEQS, "f4": "ACGT", "unused": "ACGT"}, gz=True)
    sheet = _tsv(tmp_path / "sheet.tsv", "sample\tgroup\ns2\tcase\n")
    out = tmp_path / "out"
    kept = asv_import.import_asv_table(
        table, seqs, SAMPLES, str(out / "asv_table.tsv"), str(out / "asv_seqs.fasta"),
        str(out / "asv_table.biom"), str(out / "meta.tsv"), str(out / "prov.tsv"),
        sheet_path=sheet,
    )
    written = read_asv_table(out / "asv_table.tsv")
    assert list(written.index) == ["f2", "f3", "f1"]  # total reads, then ID, like the denoisers
    assert list(written.columns) == SAMPLES and written.equals(kept)
    fasta = (out / "asv_seqs.fasta").read_text()
    assert fasta == ">f2\nACGTNNRYAC\n>f3\nTTTTGGGGCC\n>f1\nACGTACGTAC\n"
    loaded = biom.load_table(str(out / "asv_table.biom"))
    assert list(loaded.ids("observation")) == ["f2", "f3", "f1"]
    assert loaded.metadata("f1", axis="observation")["sequence"] == "ACGTACGTAC"
    meta = pd.read_csv(out / "meta.tsv", sep="\t", keep_default_na=False)
    assert meta.to_dict("list") == {"sample": SAMPLES, "group": ["", "case"]}
    prov = pd.read_csv(out / "prov.tsv", sep="\t")
    assert set(prov["name"]) == {"input.asv_table", "input.asv_seqs"}
    with pytest.raises(InputError, match="changed since the workflow started"):
        asv_import.import_asv_table(
            table, seqs, ["s1"], *(str(out / n) for n in ("a", "b", "c", "d", "e"))
        )


GOOD_TABLE = "asv_id\ts1\ts2\nf1\t5\t0\nf2\t10\t3\nf3\t0\t7\n"
GOOD_FASTA = "".join(f">{i}\n{s}\n" for i, s in SEQS.items())

BAD_IMPORTS = [
    # id, table text, FASTA text, message ({table} and {seqs}: the two paths)
    ("count_not_a_number", GOOD_TABLE.replace("\t10\t", "\t12x\t"), GOOD_FASTA,
     "ASV table {table}, line 3, column 's1' (feature 'f2'): '12x' is not a number"),
    ("empty_table", "asv_id\ts1\ts2\n", GOOD_FASTA, "ASV table {table} is empty"),
    ("sample_without_reads", "asv_id\ts1\ts2\nf1\t5\t0\nf2\t10\t0\n", GOOD_FASTA,
     "ASV table {table}: 1 sample(s) have no reads (all counts 0): 's2'"),
    ("duplicate_fasta_id", GOOD_TABLE, GOOD_FASTA + ">f1\nACGT\n",
     "ASV sequences {seqs}: ID 'f1' appears twice"),
    ("id_without_sequence", GOOD_TABLE, GOOD_FASTA[GOOD_FASTA.index(">f2"):],
     "ASV sequences {seqs}: 1 feature ID(s) of the ASV table have no sequence: 'f1'"),
    ("not_dna", GOOD_TABLE, GOOD_FASTA.replace("TTTTGGGGCC", "UUUUGGGGCC"),
     "ASV sequences {seqs}: the sequence of 'f3' has 'U' at position 1"),
]


@pytest.mark.parametrize(
    ("table_text", "fasta_text", "expected"),
    [c[1:] for c in BAD_IMPORTS],
    ids=[c[0] for c in BAD_IMPORTS],
)
def test_import_refuses_bad_inputs_naming_the_file(tmp_path, table_text, fasta_text, expected):
    """The import job's function runs every check: table counts, then the sequences."""
    table = _tsv(tmp_path / "t.tsv", table_text)
    seqs = _tsv(tmp_path / "s.fasta", fasta_text)
    out = tmp_path / "out"
    with pytest.raises(InputError) as err:
        asv_import.import_asv_table(
            table, seqs, SAMPLES, *(str(out / n) for n in ("t.tsv", "s.fa", "t.biom", "m", "p"))
        )
    assert expected.format(table=table, seqs=seqs) in str(err.value)
    assert not out.exists()


def test_sample_metadata_without_sheet():
    assert asv_import.sample_metadata(SAMPLES, None).to_dict("list") == {"sample": SAMPLES}


# ---------------------------------------------------------------- read tracking


def test_imported_tracking_keeps_columns_and_leaves_read_steps_empty():
    imported = pd.DataFrame(COUNTS, index=IDS, columns=SAMPLES)
    final = imported.loc[["f2"]]
    table = build_imported_tracking(SAMPLES, imported, final)
    assert list(table.columns) == ["sample", *STEPS, "primer_fraction", "flag"]
    assert list(table["input"]) == [15, 10] and list(table["taxonomy_kept"]) == [10, 3]
    assert table[STEPS[1:-1]].isna().all().all() and table["primer_fraction"].isna().all()
    assert list(table["flag"]) == ["", ""]
    none_left = build_imported_tracking(SAMPLES, imported, imported.loc[["f1"]])
    assert list(none_left["flag"]) == ["", "no_reads_in_final_table"]


# ---------------------------------------------------------------- metadata-only sample sheet


def test_metadata_sheet_needs_only_sample_column(tmp_path):
    from gutbrain.samples import load_metadata_sheet

    sheet = load_metadata_sheet(_tsv(tmp_path / "m.tsv", "# note\nsample\tgroup\ns1\tcase\n"))
    assert list(sheet.index) == ["s1"] and sheet.loc["s1", "group"] == "case"
    no_col = _tsv(tmp_path / "n.tsv", "name\tgroup\ns1\tcase\n")
    with pytest.raises(InputError, match=r"n.tsv, line 1: column 'sample' missing"):
        load_metadata_sheet(no_col)
    bad = _tsv(tmp_path / "b.tsv", "sample\tgroup\ns1\tx\ns 2\ty\n")
    with pytest.raises(InputError, match=r"b.tsv, line 3: sample ID 's 2'"):
        load_metadata_sheet(bad)
