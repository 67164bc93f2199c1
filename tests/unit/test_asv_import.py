"""Checking an existing ASV table and its sequences (gutbrain.asv_import; the files are read by
gutbrain.steps.import_, tested in test_steps_import) and the read tracking of runs started from
one (gutbrain.tracking.build_imported_tracking)."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest
from gutbrain import asv_import
from gutbrain.errors import InputError
from gutbrain.tracking import STEPS, build_imported_tracking

from tests.fixtures.asv_tables import (
    BIOM_TSV,
    COUNTS,
    IDS,
    SAMPLES,
    SEQS,
    TSV_VARIANTS,
    biom_table,
    write_biom,
    write_text,
)


def _lines(text: str) -> list[str]:
    return text.splitlines()


# ---------------------------------------------------------------- formats and header


def test_format_detection(tmp_path):
    assert asv_import.table_format(write_biom(tmp_path / "t.biom")) == "biom-hdf5"
    json_path = write_text(tmp_path / "t.json", biom_table().to_json("test"))
    assert asv_import.table_format(json_path) == "biom-json"
    assert asv_import.table_format(write_text(tmp_path / "t.tsv", BIOM_TSV)) == "tsv"


@pytest.mark.parametrize("text", TSV_VARIANTS.values(), ids=TSV_VARIANTS.keys())
def test_tsv_variants_parse_the_same(tmp_path, text):
    path = write_text(tmp_path / "t.tsv", text)
    assert asv_import.table_samples(path) == SAMPLES
    table = asv_import.parse_tsv_table(path, _lines(text.lstrip("\ufeff")))
    assert list(table.index) == IDS and list(table.columns) == SAMPLES
    assert (table.to_numpy() == COUNTS).all() and table.dtypes.eq("int64").all()


def test_biom_hdf5_and_json_samples_and_frame(tmp_path):
    hdf5 = write_biom(tmp_path / "t.biom")
    json_path = write_text(tmp_path / "t.json", biom_table().to_json("x"))
    for path in (hdf5, json_path):
        assert asv_import.table_samples(path) == SAMPLES
    table = asv_import.biom_frame("t.biom", biom_table())
    assert list(table.index) == IDS and (table.to_numpy() == COUNTS).all()


def test_header_reading_stops_at_the_header(tmp_path):
    # a broken data line does not matter when only the samples are read (parse time)
    path = write_text(tmp_path / "t.tsv", "#OTU ID\ts1\ts2\nf1\tnot-a-number\n")
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
    path = write_text(tmp_path / "t.tsv", text)
    with pytest.raises(InputError) as err:
        asv_import.table_samples(path)
    assert str(path) in str(err.value) and fragment in str(err.value)


def test_missing_table_is_named(tmp_path):
    with pytest.raises(InputError, match="input.asv_table"):
        asv_import.table_samples(tmp_path / "absent.biom")


def test_gzipped_tsv_table_has_the_same_samples(tmp_path):
    plain = write_text(tmp_path / "t.tsv", BIOM_TSV)
    gz = tmp_path / "t.tsv.gz"
    gz.write_bytes(gzip.compress(BIOM_TSV.encode()))
    assert asv_import.table_samples(gz) == asv_import.table_samples(plain)


def test_biom_bad_sample_id_is_named(tmp_path):
    path = write_biom(tmp_path / "t.biom", samples=["s1", "s/2"])
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
    text = f"# c\n#OTU ID\ts1\ts2\nf1\t5\t0\nf2\t10\t{cell}\n"
    path = tmp_path / "t.tsv"
    with pytest.raises(InputError) as err:
        asv_import.parse_tsv_table(path, _lines(text))
    message = str(err.value)
    assert f"ASV table {path}, line 4, column 's2' (feature 'f2')" in message
    assert fragment in message


def test_wrong_field_count_and_duplicates_are_named():
    with pytest.raises(InputError, match=r"short.tsv, line 2: 2 tab-separated fields.*has 3"):
        asv_import.parse_tsv_table("short.tsv", _lines("asv_id\ts1\ts2\nf1\t5\n"))
    dup = _lines("asv_id\ts1\nf1\t5\nf2\t1\nf1\t3\n")
    with pytest.raises(InputError, match=r"feature ID 'f1' appears twice \(line 2 and line 4\)"):
        asv_import.parse_tsv_table("dup.tsv", dup)
    with pytest.raises(InputError, match=r"line 2: feature ID 'ASV 1' contains ' '"):
        asv_import.parse_tsv_table("bad.tsv", _lines("asv_id\ts1\nASV 1\t5\n"))


@pytest.mark.parametrize(
    "value, fragment", [(-1.0, "is negative"), (0.25, "not a whole number")]
)
def test_biom_bad_counts_name_feature_and_sample(value, fragment):
    counts = COUNTS.astype(float)
    counts[2, 1] = value
    with pytest.raises(InputError) as err:
        asv_import.biom_frame("t.biom", biom_table(counts))
    assert "feature 'f3' in sample 's2'" in str(err.value) and fragment in str(err.value)


def test_empty_table_and_empty_samples():
    empty = "e.tsv"
    table = asv_import.parse_tsv_table(empty, ["asv_id\ts1\ts2"])
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


def test_sequence_problems_are_named():
    path = "s.fa"
    seqs = {i: s.upper() for i, s in SEQS.items()}
    asv_import.check_sequences(path, {**seqs, "extra": "AC"}, IDS)
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

    sheet = load_metadata_sheet(write_text(tmp_path / "m.tsv", "# note\nsample\tgroup\ns1\tcase\n"))
    assert list(sheet.index) == ["s1"] and sheet.loc["s1", "group"] == "case"
    no_col = write_text(tmp_path / "n.tsv", "name\tgroup\ns1\tcase\n")
    with pytest.raises(InputError, match=r"n.tsv, line 1: column 'sample' missing"):
        load_metadata_sheet(no_col)
    bad = write_text(tmp_path / "b.tsv", "sample\tgroup\ns1\tx\ns 2\ty\n")
    with pytest.raises(InputError, match=r"b.tsv, line 3: sample ID 's 2'"):
        load_metadata_sheet(bad)
