"""Tests of gutbrain.fastq_checks: cheap checks of FASTQ files before any heavy job."""

from __future__ import annotations

import bz2
import gzip
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from gutbrain.errors import InputError
from gutbrain.fastq_checks import (
    SUMMARY_COLUMNS,
    FastqSummary,
    check_fastq,
    check_fastq_pair,
    check_sample,
    describe_content,
    mate_id,
    summary_table,
    write_check_report,
)


def fastq(n: int = 3, mate: str = "/1", qual: str = "I", length: int = 8, start: int = 0) -> bytes:
    """``n`` FASTQ records named r<i><mate> with a Casava-style comment."""
    out = []
    for i in range(start, start + n):
        seq = ("ACGT" * length)[: length - i % 2]
        out.append(f"@r{i}{mate} 1:N:0:1\n{seq}\n+\n{qual * len(seq)}\n")
    return "".join(out).encode()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_good_file_summary(tmp_path: Path) -> None:
    data = b"@a\nACGTACGT\n+\n#IIIIIII\n@b\nACGT\n+\nIIJI\n@c\nACGTAC\n+\nFFFFFF\n"
    summary = check_fastq(write(tmp_path / "s_R1.fastq", data), "S1", "fq1")
    assert summary == FastqSummary(
        reads=3, min_len=4, max_len=8, mean_len=6.0, min_qual_char="#", max_qual_char="J",
        encoding="phred33", path=str(tmp_path / "s_R1.fastq"), column="fq1",
    )
    assert (summary.min_phred, summary.max_phred) == (2, 41)


@pytest.mark.parametrize(
    ("name", "compress"),
    [
        ("r.fq.gz", gzip.compress),
        ("r.fastq.bz2", bz2.compress),
        ("gz_without_suffix.fq", gzip.compress),
    ],
)
def test_compressed_files_are_read(tmp_path: Path, name: str, compress: Callable) -> None:
    summary = check_fastq(write(tmp_path / name, compress(fastq(50))), "S1")
    assert summary.reads == 50


def test_high_quality_pacbio_range_is_phred33(tmp_path: Path) -> None:
    data = b"@ccs/1\nACGTACGT\n+\n%~~~~~~~\n"
    assert check_fastq(write(tmp_path / "pb.fq", data), "PB").encoding == "phred33"


def test_all_high_illumina_qualities_are_not_mistaken_for_phred64(tmp_path: Path) -> None:
    data = fastq(4, qual="?") + fastq(4, qual="J", start=4)
    assert check_fastq(write(tmp_path / "hq.fq", data), "HQ").encoding == "phred33"


def _truncated_gzip() -> bytes:
    whole = gzip.compress(fastq(2000, length=60))
    return whole[: len(whole) * 2 // 3]


def _bad_crc_gzip() -> bytes:
    whole = bytearray(gzip.compress(fastq(20)))
    whole[-8] ^= 0xFF  # the CRC32 in the gzip trailer
    return bytes(whole)


def _bam_like() -> bytes:
    return gzip.compress(b"BAM\x01" + (20).to_bytes(4, "little") + b"@HD\tVN:1.6\n" + bytes(40))


def _zip() -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("r.fq", fastq(3))
    return buffer.getvalue()


BAD_FILES = [
    # id, file name, content, fragments the message must contain
    ("empty", "e.fq", b"", ["empty", "0 bytes"]),
    ("empty_gzip", "e.fq.gz", gzip.compress(b""), ["empty", "gzip"]),
    ("truncated_gzip", "t.fq.gz", _truncated_gzip(), ["truncated or corrupt", "after record"]),
    ("bad_crc_gzip", "c.fq.gz", _bad_crc_gzip(), ["truncated or corrupt"]),
    ("fasta", "f.fq", b">r1\nACGT\n>r2\nACGT\n", ["looks like FASTA", "no quality"]),
    ("fasta_gz", "f.fq.gz", gzip.compress(b">r1\nACGT\n"), ["looks like FASTA"]),
    ("bam", "b.bam", _bam_like(), ["looks like BAM", "samtools fastq"]),
    ("bam_named_fastq", "b.fq.gz", _bam_like(), ["looks like BAM"]),
    ("sam", "s.fq", b"@HD\tVN:1.6\tSO:unsorted\nr1\t4\t*\t0\t0\t*\t*\t0\t0\tACGT\tIIII\n",
     ["looks like SAM"]),
    ("text", "t.fq", b"sample\tfq1\nS1\tx.fq\n", ["looks like text", "first line: 'sample"]),
    ("binary", "x.fq", bytes(range(128, 256)), ["binary data"]),
    ("gz_not_gzip", "p.fq.gz", fastq(3), [".gz", "not gzip-compressed", "looks like FASTQ"]),
    ("zip", "z.fq.zip", _zip(), ["zip archive", "Unzip"]),
    ("length_mismatch", "l.fq", fastq(2) + b"@r9\nACGTACGT\n+\nIIII\n",
     ["line 12", "record 3", "Length of sequence and qualities differ"]),
    ("cut_record", "cut.fq", fastq(2) + b"@r9\nACGT\n", ["malformed FASTQ", "record"]),
    ("phred64", "p64.fq", fastq(5, qual="h") + fastq(5, qual="B", start=5),
     ["Phred+64", "'B'", "'h'", "seqtk seq -Q64 -V"]),
    ("quality_out_of_range", "q.fq", b"@r\nACGT\n+\nII\x7fI\n", ["out of the printable range"]),
]


@pytest.mark.parametrize(
    ("name", "content", "fragments"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_bad_files_raise_input_error_naming_sample_column_and_file(
    tmp_path: Path, name: str, content: bytes, fragments: list[str]
) -> None:
    path = write(tmp_path / name, content)
    with pytest.raises(InputError) as err:
        check_fastq(path, "Gut_07", "fq2")
    message = str(err.value)
    for fragment in ["sample 'Gut_07'", "column 'fq2'", str(path), *fragments]:
        assert fragment in message


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda p: p / "missing.fq", "does not exist"),
        (lambda p: p, "not a regular file"),
    ],
    ids=["missing", "directory"],
)
def test_missing_or_not_a_file(tmp_path: Path, make: Callable, fragment: str) -> None:
    path = make(tmp_path)
    with pytest.raises(InputError, match=fragment) as err:
        check_fastq(path, "S9", "fq1")
    assert "sample 'S9'" in str(err.value) and str(path) in str(err.value)


def test_good_pair(tmp_path: Path) -> None:
    r1 = write(tmp_path / "S_R1.fq.gz", gzip.compress(fastq(40, mate="/1")))
    r2 = write(tmp_path / "S_R2.fq.gz", gzip.compress(fastq(40, mate="/2")))
    s1, s2 = check_fastq_pair(r1, r2, "S")
    assert (s1.reads, s2.reads) == (40, 40)
    assert (s1.column, s2.column) == ("fq1", "fq2")


BAD_PAIRS = [
    # id, R1 content, R2 content, fragments
    ("count_mismatch", fastq(10, mate="/1"), fastq(7, mate="/2"),
     ["different numbers of reads", "10 in", "x_R1.fq", "7 in", "x_R2.fq"]),
    ("count_mismatch_r2_longer", fastq(3, mate=""), fastq(5, mate=""), ["3 in", "5 in"]),
    ("id_mismatch", fastq(5), fastq(2, start=0) + fastq(3, start=10),
     ["record 3", "'r2/1'", "'r10/1'", "differ", "x_R1.fq", "x_R2.fq"]),
    ("r1_empty", b"", fastq(3), ["column 'fq1'", "empty"]),
    ("r2_fasta", fastq(3), b">r0\nACGT\n", ["column 'fq2'", "looks like FASTA"]),
    ("r2_truncated", fastq(3), fastq(2) + b"@r2/1\nAC", ["column 'fq2'", "malformed FASTQ"]),
]


@pytest.mark.parametrize(
    ("r1", "r2", "fragments"), [c[1:] for c in BAD_PAIRS], ids=[c[0] for c in BAD_PAIRS]
)
def test_bad_pairs(tmp_path: Path, r1: bytes, r2: bytes, fragments: list[str]) -> None:
    p1 = write(tmp_path / "x_R1.fq", r1)
    p2 = write(tmp_path / "x_R2.fq", r2)
    with pytest.raises(InputError) as err:
        check_fastq_pair(p1, p2, "Pair_1")
    message = str(err.value)
    assert "sample 'Pair_1'" in message
    assert str(p1) in message or str(p2) in message
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(
    ("read_id", "expected"),
    [
        ("r1/1", "r1"), ("r1/2", "r1"), ("r1", "r1"), ("r1/3", "r1/3"), ("read1", "read1"),
        ("M0:1:2 1:N:0:1", "M0:1:2"), ("SRR1.5/1 extra", "SRR1.5"), ("", ""),
    ],
)
def test_mate_id(read_id: str, expected: str) -> None:
    assert mate_id(read_id) == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"@r1\nACGT", "FASTQ"), (b">r1\nACGT", "FASTA"), (b"BAM\x01abc", "BAM"),
        (b"@SQ\tSN:chr1", "SAM"), (b"\x1f\x8b\x08", "gzip-compressed data"), (b"hello", "text"),
        (b"\xff\xfe\x00", "binary data"), (b"", "empty"),
    ],
)
def test_describe_content(head: bytes, expected: str) -> None:
    assert describe_content(head) == expected


def test_check_sample_single_and_paired(tmp_path: Path) -> None:
    r1 = write(tmp_path / "a_R1.fq", fastq(4, mate="/1"))
    r2 = write(tmp_path / "a_R2.fq", fastq(4, mate="/2"))
    assert [s.column for s in check_sample("A", r1)] == ["fq1"]
    assert [s.column for s in check_sample("A", [str(r1), ""])] == ["fq1"]
    assert [s.column for s in check_sample("A", [r1, r2])] == ["fq1", "fq2"]
    report = tmp_path / "checks" / "A.tsv"
    check_sample("A", [str(r1), str(r2)], report)
    assert pd.read_csv(report, sep="\t")["column"].tolist() == ["fq1", "fq2"]


@pytest.mark.parametrize("reads", [[], ["a", "b", "c"]])
def test_check_sample_needs_one_or_two_files(reads: list[str]) -> None:
    with pytest.raises(InputError, match="sample 'A': expected one or two FASTQ files"):
        check_sample("A", reads)


def test_summary_table_and_report(tmp_path: Path) -> None:
    r1 = write(tmp_path / "a_R1.fq", fastq(4, mate="/1"))
    r2 = write(tmp_path / "a_R2.fq", fastq(4, mate="/2"))
    summaries = check_fastq_pair(r1, r2, "A")
    table = summary_table("A", summaries)
    assert list(table.columns) == list(SUMMARY_COLUMNS)
    assert table["column"].tolist() == ["fq1", "fq2"]
    out = tmp_path / "results" / "qc" / "A.reads_check.tsv"
    write_check_report("A", summaries, out)
    back = pd.read_csv(out, sep="\t", dtype={"min_qual_char": str, "max_qual_char": str})
    assert back["reads"].tolist() == [4, 4]
    assert back["path"].tolist() == [str(r1), str(r2)]
    assert back["mean_len"].tolist() == [7.5, 7.5]
    assert back["max_phred"].tolist() == [40, 40]


def test_hundred_thousand_pairs_stream_fast(tmp_path: Path) -> None:
    seq = "ACGT" * 37 + "AC"
    qual = "F" * 100 + "#" * 50
    with gzip.open(tmp_path / "big_R1.fq.gz", "wt", compresslevel=1) as f1, gzip.open(
        tmp_path / "big_R2.fq.gz", "wt", compresslevel=1
    ) as f2:
        for i in range(100_000):
            f1.write(f"@M:1:{i} 1:N:0:1\n{seq}\n+\n{qual}\n")
            f2.write(f"@M:1:{i} 2:N:0:1\n{seq}\n+\n{qual}\n")
    start = time.perf_counter()
    s1, s2 = check_fastq_pair(tmp_path / "big_R1.fq.gz", tmp_path / "big_R2.fq.gz", "Big")
    elapsed = time.perf_counter() - start
    assert s1.reads == s2.reads == 100_000
    assert (s1.min_qual_char, s1.max_qual_char) == ("#", "F")
    assert elapsed < 10, f"checking 100k pairs took {elapsed:.1f} s"


def test_real_dada2_miseq_pair(dada2_extdata: Path) -> None:
    s1, s2 = check_fastq_pair(
        dada2_extdata / "sam1F.fastq.gz", dada2_extdata / "sam1R.fastq.gz", "sam1"
    )
    assert s1.reads == s2.reads == 1500
    assert s1.encoding == s2.encoding == "phred33"
    assert s1.max_len <= 250


def test_real_dada2_pacbio_reads(dada2_extdata: Path) -> None:
    summary = check_fastq(dada2_extdata / "samPB.fastq.gz", "zymo", "fq1")
    assert summary.reads == 500
    assert summary.max_qual_char == "~"
    assert summary.encoding == "phred33"


def test_real_qiime2_paired_reads(shared_data: Path) -> None:
    folder = shared_data / "q2_testdata" / "dada2_paired"
    s1, s2 = check_fastq_pair(
        folder / "BAQ2420.2_36_L001_R1_001.fastq.gz",
        folder / "BAQ2420.2_36_L001_R2_001.fastq.gz",
        "BAQ2420.2",
    )
    assert s1.reads == s2.reads == 100


def test_real_reads_swapped_between_samples_are_caught(shared_data: Path) -> None:
    folder = shared_data / "q2_testdata" / "dada2_paired"
    with pytest.raises(InputError, match="read IDs of fq1 and fq2 differ at record 1"):
        check_fastq_pair(
            folder / "BAQ2420.2_36_L001_R1_001.fastq.gz",
            folder / "BAQ3473.2_2_L001_R2_001.fastq.gz",
            "BAQ2420.2",
        )
