"""The import step (gutbrain.steps.import_): reading an existing ASV table of every accepted
format and its FASTA, and writing the denoisers' outputs from them."""

from __future__ import annotations

import gzip

import biom
import numpy as np
import pandas as pd
import pytest
from gutbrain.asv import read_asv_table
from gutbrain.errors import InputError
from gutbrain.steps.import_ import import_asv_table, read_sequences, read_table

from tests.fixtures.asv_tables import (
    BIOM_TSV,
    COUNTS,
    IDS,
    SAMPLES,
    SEQS,
    TSV_VARIANTS,
    biom_table,
    write_biom,
    write_fasta,
    write_text,
)


@pytest.mark.parametrize("text", TSV_VARIANTS.values(), ids=TSV_VARIANTS.keys())
def test_tsv_variants_read_the_same(tmp_path, text):
    table = read_table(write_text(tmp_path / "t.tsv", text))
    assert list(table.index) == IDS and list(table.columns) == SAMPLES
    assert (table.to_numpy() == COUNTS).all() and table.dtypes.eq("int64").all()


def test_biom_hdf5_and_json_read_the_same(tmp_path):
    hdf5 = write_biom(tmp_path / "t.biom")
    json_path = write_text(tmp_path / "t.json", biom_table().to_json("x"))
    for path in (hdf5, json_path):
        table = read_table(path)
        assert list(table.index) == IDS and (table.to_numpy() == COUNTS).all()


def test_gzipped_tsv_table_reads_like_the_plain_one(tmp_path):
    plain = write_text(tmp_path / "t.tsv", BIOM_TSV)
    gz = tmp_path / "t.tsv.gz"
    gz.write_bytes(gzip.compress(BIOM_TSV.encode()))
    assert read_table(gz).equals(read_table(plain))


def test_truncated_gzip_table_is_named(tmp_path):
    gz = tmp_path / "t.tsv.gz"
    gz.write_bytes(gzip.compress(BIOM_TSV.encode())[:-12])
    with pytest.raises(InputError, match="truncated or corrupt"):
        read_table(gz)


def test_file_problems_name_file_line_and_feature(tmp_path):
    path = write_text(tmp_path / "t.tsv", "# c\n#OTU ID\ts1\ts2\nf1\t5\t0\nf2\t10\tx1\n")
    with pytest.raises(InputError, match=f"{path}, line 4, column 's2' \\(feature 'f2'\\)"):
        read_table(path)
    counts = COUNTS.astype(float)
    counts[2, 1] = -1.0
    bad_biom = write_biom(tmp_path / "t.biom", counts=counts)
    with pytest.raises(InputError, match=r"feature 'f3' in sample 's2' \(-1.0\) is negative"):
        read_table(bad_biom)
    broken = write_text(tmp_path / "broken.biom", "{not json")
    with pytest.raises(InputError, match="broken.biom"):
        read_table(broken)


def test_sequences_read_and_upper_cased(tmp_path):
    for gz in (False, True):
        path = write_fasta(tmp_path / f"s{int(gz)}.fa", {**SEQS, "extra": "AC"}, gz=gz)
        seqs = read_sequences(path)
        assert seqs["f1"] == "ACGTACGTAC" and set(seqs) == {*IDS, "extra"}


def test_sequence_file_problems_are_named(tmp_path):
    dup = tmp_path / "dup.fa"
    dup.write_text(">a\nACGT\n>b\nACGT\n>a x\nACGT\n")
    with pytest.raises(InputError, match=r"ID 'a' appears twice \(second time in record 3\)"):
        read_sequences(dup)
    with pytest.raises(InputError, match="input.asv_seqs"):
        read_sequences(tmp_path / "absent.fa")


def test_import_writes_the_denoiser_outputs(tmp_path):
    table = write_biom(tmp_path / "t.biom", counts=np.vstack([COUNTS, [0, 0]]), ids=[*IDS, "f4"])
    seqs = write_fasta(tmp_path / "s.fa.gz", {**SEQS, "f4": "ACGT", "unused": "ACGT"}, gz=True)
    sheet = write_text(tmp_path / "sheet.tsv", "sample\tgroup\ns2\tcase\n")
    out = tmp_path / "out"
    kept = import_asv_table(
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
        import_asv_table(table, seqs, ["s1"], *(str(out / n) for n in ("a", "b", "c", "d", "e")))


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
    table = write_text(tmp_path / "t.tsv", table_text)
    seqs = write_text(tmp_path / "s.fasta", fasta_text)
    out = tmp_path / "out"
    with pytest.raises(InputError) as err:
        import_asv_table(
            table, seqs, SAMPLES, *(str(out / n) for n in ("t.tsv", "s.fa", "t.biom", "m", "p"))
        )
    assert expected.format(table=table, seqs=seqs) in str(err.value)
    assert not out.exists()
