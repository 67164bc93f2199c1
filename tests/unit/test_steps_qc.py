"""The QC step (gutbrain.steps.qc): the checked sample sheet written as results/samples.tsv, and
the primer check written as primer_check.tsv."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from gutbrain.errors import InputError
from gutbrain.steps.qc import check_primers, write_sample_table


def test_write_sample_table_strips_and_drops_raw_paths(tmp_path):
    (tmp_path / "a_R1.fastq.gz").write_bytes(b"")
    (tmp_path / "a_R2.fastq.gz").write_bytes(b"")
    sheet = tmp_path / "samples.tsv"
    sheet.write_text("sample\tfq1\tfq2\tgroup\na\ta_R1.fastq.gz\ta_R2.fastq.gz\t  case \n")
    out = tmp_path / "out" / "samples.tsv"
    write_sample_table(sheet, out)
    lines = out.read_text().splitlines()
    assert lines[0] == "sample\tfq1\tfq2\tgroup"
    assert lines[1].split("\t")[1] == str(tmp_path / "a_R1.fastq.gz")
    assert lines[1].endswith("\tcase")


def _cutadapt_json(path, total, out, with_primer):
    path.write_text(
        json.dumps(
            {"read_counts": {"input": total, "output": out, "read1_with_adapter": with_primer}}
        )
    )
    return str(path)


@pytest.mark.parametrize(
    ("primers", "require", "with_primer", "outcome"),
    [("V4", False, 95, "ok"), ("V4", False, 10, "warning"), ("V4", True, 10, "error")],
)
def test_check_primers_writes_the_verdicts_or_stops(
    tmp_path, capsys, primers, require, with_primer, outcome
):
    cut = _cutadapt_json(tmp_path / "s.json", 100, 100, with_primer)
    out = tmp_path / "out.tsv"
    if outcome == "error":
        with pytest.raises(InputError, match=r"sample 'S1'.*10\.0% of 100 reads.*require_primers"):
            check_primers(["S1"], [cut], primers, require, 0.5, str(out))
        assert not out.exists()
        return
    check_primers(["S1"], [cut], primers, require, 0.5, str(out))
    assert pd.read_csv(out, sep="\t").loc[0, "status"] == outcome
    warned = capsys.readouterr().err
    assert ("WARNING: sample 'S1'" in warned and cut in warned) == (outcome == "warning")
