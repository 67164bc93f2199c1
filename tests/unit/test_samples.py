"""Tests of gutbrain.samples: loading and checking the sample sheet."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pandas as pd
import pytest
import yaml
from gutbrain.errors import InputError
from gutbrain.samples import (
    SAMPLE_ID_PATTERN,
    load_sample_sheet,
    pairing,
    sample_id_problem,
    sample_table,
)

FASTQ = "@r1\nACGT\n+\nIIII\n"


@pytest.fixture()
def reads(tmp_path: Path) -> Path:
    """A folder tmp_path/reads with tiny FASTQ files a_R1.fq, a_R2.fq, b_R1.fq, b_R2.fq."""
    folder = tmp_path / "reads"
    folder.mkdir()
    for name in ("a_R1.fq", "a_R2.fq", "b_R1.fq", "b_R2.fq"):
        (folder / name).write_text(FASTQ)
    return folder


def write_sheet(folder: Path, text: str, name: str = "samples.tsv", **kw: str) -> Path:
    path = folder / name
    path.write_bytes(text.encode(kw.get("encoding", "utf-8")))
    return path


def test_bom_crlf_and_spaces_are_accepted(tmp_path: Path, reads: Path) -> None:
    text = (
        "\ufeff# demo sheet\r\n"
        " sample \t fq1 \tfq2 \t group\r\n"
        "\r\n"
        "A1 \t reads/a_R1.fq\treads/a_R2.fq \t case \r\n"
        "# a comment line\r\n"
        "B.2\treads/b_R1.fq\treads/b_R2.fq\tcontrol\r\n"
    )
    sheet = load_sample_sheet(write_sheet(tmp_path, text))
    assert list(sheet.index) == ["A1", "B.2"]
    assert sheet.index.name == "sample"
    assert list(sheet.columns) == ["fq1", "fq2", "fq1_raw", "fq2_raw", "group"]
    assert sheet.loc["A1", "group"] == "case"
    assert sheet.loc["A1", "fq1"] == str(reads / "a_R1.fq")
    assert sheet.loc["B.2", "fq2_raw"] == "reads/b_R2.fq"
    assert pairing(sheet) == "paired"


def test_metadata_stays_text_and_empty_fq2_is_empty_string(tmp_path: Path, reads: Path) -> None:
    text = "sample\tfq1\tfq2\tage\tnote\nA\treads/a_R1.fq\t\t007\tNA\nB\treads/b_R1.fq\t\t\t\n"
    sheet = load_sample_sheet(write_sheet(tmp_path, text))
    assert sheet.loc["A", "age"] == "007"
    assert sheet.loc["A", "note"] == "NA"
    assert sheet.loc["B", "note"] == ""
    assert sheet["fq2"].tolist() == ["", ""]
    assert all(isinstance(v, str) for v in sheet.to_numpy().ravel())
    assert pairing(sheet) == "single"


def test_relative_paths_resolve_against_the_sheet_folder(
    tmp_path: Path, reads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    text = f"sample\tfq1\tfq2\nA\t../reads/a_R1.fq\t{reads / 'a_R2.fq'}\n"
    path = write_sheet(config, text)
    monkeypatch.chdir(reads)  # the working directory must not matter
    sheet = load_sample_sheet(path)
    assert sheet.loc["A", "fq1"] == str(reads / "a_R1.fq")
    assert Path(sheet.loc["A", "fq1"]).is_absolute()
    assert sheet.loc["A", "fq2"] == str(reads / "a_R2.fq")


def test_trailing_empty_columns_are_ignored(tmp_path: Path, reads: Path) -> None:
    text = "sample\tfq1\tfq2\t\t\nA\treads/a_R1.fq\treads/a_R2.fq\t\t\n"
    sheet = load_sample_sheet(write_sheet(tmp_path, text))
    assert list(sheet.columns) == ["fq1", "fq2", "fq1_raw", "fq2_raw"]


HEADER = "sample\tfq1\tfq2\n"
OK_A = "A\treads/a_R1.fq\treads/a_R2.fq\n"
OK_B = "B\treads/b_R1.fq\treads/b_R2.fq\n"

BAD_SHEETS = [
    # id, sheet text, fragments the message must contain
    ("missing_column", "sample\tfq1\nA\treads/a_R1.fq\n", ["line 1", "fq2", "missing"]),
    ("no_samples", HEADER, ["lists no samples"]),
    ("only_comments", "# nothing here\n\n", ["is empty"]),
    ("empty_file", "", ["is empty"]),
    ("empty_id", HEADER + OK_A + "\treads/b_R1.fq\treads/b_R2.fq\n",
     ["line 3", "'sample'", "empty"]),
    ("space_in_id", HEADER + "S 1\treads/a_R1.fq\treads/a_R2.fq\n",
     ["line 2", "sample ID 'S 1'", "'sample'", "a space", "position 2"]),
    ("slash_in_id", HEADER + "run1/S1\treads/a_R1.fq\treads/a_R2.fq\n",
     ["line 2", "sample ID 'run1/S1'", "a slash '/'"]),
    ("semicolon_in_id", HEADER + "S1;S2\treads/a_R1.fq\treads/a_R2.fq\n",
     ["sample ID 'S1;S2'", "a semicolon ';'"]),
    ("leading_dash", HEADER + "-S1\treads/a_R1.fq\treads/a_R2.fq\n", ["'-S1'", "must start"]),
    ("non_ascii", HEADER + "Probe\u00e91\treads/a_R1.fq\treads/a_R2.fq\n",
     ["LATIN SMALL LETTER E WITH ACUTE"]),
    ("duplicate", HEADER + OK_A + OK_B + "# again\nA\treads/b_R1.fq\treads/b_R2.fq\n",
     ["sample 'A' appears twice", "line 2 and line 5", "'sample'"]),
    ("fq1_empty", HEADER + "A\t\treads/a_R2.fq\n", ["line 2", "'A'", "'fq1'", "empty"]),
    ("fq1_missing", HEADER + "A\treads/nope_R1.fq\treads/a_R2.fq\n",
     ["line 2", "'A'", "'fq1'", "nope_R1.fq", "does not exist"]),
    ("fq2_missing", HEADER + OK_A + "B\treads/b_R1.fq\treads/gone_R2.fq\n",
     ["line 3", "'B'", "'fq2'", "reads/gone_R2.fq", "does not exist"]),
    ("fq1_is_folder", HEADER + "A\treads\treads/a_R2.fq\n", ["'A'", "'fq1'", "not a regular file"]),
    ("same_file", HEADER + "A\treads/a_R1.fq\t./reads/../reads/a_R1.fq\n",
     ["line 2", "'A'", "'fq1' and 'fq2'", "same file", "a_R1.fq"]),
    ("mixed", HEADER + OK_A + "B\treads/b_R1.fq\t\n",
     ["mixes single-end and paired-end", "'B' (line 3)", "'fq2'", "input: allow_mixed_pairing"]),
    ("too_many_fields", HEADER + "# c\n" + OK_A + "B\treads/b_R1.fq\treads/b_R2.fq\textra\n",
     ["line 4", "fields"]),
    ("duplicate_header", "sample\tfq1\tfq2\tfq1\nA\treads/a_R1.fq\treads/a_R2.fq\tx\n",
     ["'fq1' appears twice"]),
    ("values_without_header", "sample\tfq1\tfq2\t\nA\treads/a_R1.fq\treads/a_R2.fq\tx\n",
     ["column 4", "no header"]),
]


@pytest.mark.parametrize(
    ("text", "fragments"), [c[1:] for c in BAD_SHEETS], ids=[c[0] for c in BAD_SHEETS]
)
def test_bad_sheets_raise_input_error_naming_sheet_and_place(
    tmp_path: Path, reads: Path, text: str, fragments: list[str]
) -> None:
    path = write_sheet(tmp_path, text)
    with pytest.raises(InputError) as err:
        load_sample_sheet(path)
    message = str(err.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message


def test_sheet_not_utf8(tmp_path: Path, reads: Path) -> None:
    path = write_sheet(tmp_path, HEADER + "Probe\u00e9\tx\ty\n", encoding="latin-1")
    with pytest.raises(InputError, match="not UTF-8"):
        load_sample_sheet(path)


def test_missing_sheet(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        load_sample_sheet(tmp_path / "nope.tsv")


def test_mixed_allowed_on_request(tmp_path: Path, reads: Path) -> None:
    sheet = load_sample_sheet(
        write_sheet(tmp_path, HEADER + OK_A + "B\treads/b_R1.fq\t\n"), allow_mixed=True
    )
    assert pairing(sheet) == "mixed"
    assert sheet.loc["B", "fq2"] == ""


@pytest.mark.parametrize(
    ("fq2", "expected"),
    [(["x", "y"], "paired"), (["", ""], "single"), (["x", ""], "mixed"), ([" ", "y"], "mixed")],
)
def test_pairing(fq2: list[str], expected: str) -> None:
    frame = pd.DataFrame({"sample": ["a", "b"], "fq1": ["p", "q"], "fq2": fq2})
    assert pairing(frame) == expected


def test_pairing_of_empty_sheet_is_an_error() -> None:
    with pytest.raises(ValueError):
        pairing(pd.DataFrame({"fq2": []}))


@pytest.mark.parametrize(
    ("sample", "fragment"),
    [
        ("S1", None), ("a.b-c_d", None), ("9x", None),
        ("", "empty"), ("_S1", "starts with '_'"), ("S 1", "a space"), ("a/b", "a slash"),
        ("a;b", "a semicolon"), ("a\\b", "a backslash"), ("a:b", "a colon"),
    ],
)
def test_sample_id_problem(sample: str, fragment: str | None) -> None:
    problem = sample_id_problem(sample)
    if fragment is None:
        assert problem is None
    else:
        assert problem is not None and fragment in problem


@pytest.fixture(scope="module")
def schema(repo: Path) -> dict:
    return yaml.safe_load((repo / "workflow/schemas/samples.schema.yaml").read_text())


def test_schema_documents_every_property(schema: dict) -> None:
    assert schema["required"] == ["sample", "fq1"]
    assert schema["properties"]["sample"]["pattern"] == SAMPLE_ID_PATTERN
    for name, prop in schema["properties"].items():
        assert prop.get("description"), name
    jsonschema.Draft202012Validator.check_schema(schema)


def test_loaded_sheet_passes_snakemake_validate(tmp_path: Path, reads: Path, repo: Path) -> None:
    from snakemake.utils import validate

    sheet = load_sample_sheet(write_sheet(tmp_path, HEADER + OK_A + OK_B + "C\treads/a_R1.fq\t\n"),
                              allow_mixed=True)
    validate(sheet.reset_index(), str(repo / "workflow/schemas/samples.schema.yaml"))
    assert list(sheet.index) == ["A", "B", "C"]


@pytest.mark.parametrize(
    ("record", "valid"),
    [
        ({"sample": "S1", "fq1": "/x/a.fq", "fq2": ""}, True),
        ({"sample": "S1", "fq1": "/x/a.fq", "group": "case"}, True),
        ({"sample": "S 1", "fq1": "/x/a.fq"}, False),
        ({"sample": "S1", "fq1": ""}, False),
        ({"sample": "S1"}, False),
    ],
)
def test_schema_accepts_and_rejects_rows(schema: dict, record: dict, valid: bool) -> None:
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(record))
    assert (not errors) == valid


def test_sample_table_drops_raw_paths_and_keeps_metadata(tmp_path):
    (tmp_path / "a.fastq.gz").write_bytes(b"")
    sheet = tmp_path / "samples.tsv"
    sheet.write_text("sample\tfq1\tfq2\tgroup\na\ta.fastq.gz\t\tcase\n")
    table = sample_table(load_sample_sheet(sheet))
    assert list(table.columns) == ["sample", "fq1", "fq2", "group"]
    assert table.loc[0, "fq2"] == "" and table.loc[0, "group"] == "case"


@pytest.mark.parametrize("header", ["sample-id", "#SampleID", "id", "SampleID"])
def test_a_qiime2_metadata_file_is_a_metadata_sheet(tmp_path, header) -> None:
    """QIIME 2 metadata (an ID header of its own, a #q2:types row) works as the sample sheet."""
    from gutbrain.samples import load_metadata_sheet

    path = tmp_path / "metadata.tsv"
    path.write_text(f"{header}\tbody-site\tdays\n#q2:types\tcategorical\tnumeric\n"
                    "S1\tgut\t0\nS2\tgut\t7\n")
    sheet = load_metadata_sheet(path)
    assert list(sheet.index) == ["S1", "S2"]
    assert sheet.loc["S2", "days"] == "7" and list(sheet.columns) == ["body-site", "days"]
