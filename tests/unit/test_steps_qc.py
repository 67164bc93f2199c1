"""The QC step (gutbrain.steps.qc): the checked sample sheet written as results/samples.tsv."""

from __future__ import annotations

from gutbrain.steps.qc import write_sample_table


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
