"""Light jobs import only what they use: the modules behind the per-sample preparation job and
the run-wide primer check (gutbrain.steps.qc) load neither pandas nor scikit-bio (their import
alone costs about a second, more than the work of these jobs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

LIBRARY = Path(__file__).resolve().parents[2] / "workflow" / "scripts"
HEAVY = ("pandas", "skbio", "scipy", "biom")


@pytest.mark.parametrize(
    "module",
    ["gutbrain.prepare", "gutbrain.fastq_checks", "gutbrain.unoise", "gutbrain.tracking",
     "gutbrain.steps", "gutbrain.steps.qc"],
)
def test_light_module_imports_no_heavy_package(module):
    code = (
        f"import sys; import {module}; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=LIBRARY,
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout.strip() == "", f"{module} imports {proc.stdout.strip()}"


@pytest.mark.parametrize(
    "module", ["gutbrain.pcoa_table", "gutbrain.report.inputs", "gutbrain.steps.report"]
)
def test_report_jobs_do_not_load_scikit_bio(module):
    """The report and read-tracking jobs read the PCoA tables without scikit-bio."""
    code = f"import sys; import {module}; print('skbio' in sys.modules)"
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=LIBRARY, capture_output=True, text=True, check=True
    )
    assert proc.stdout.strip() == "False"


def test_write_rows_formats_as_write_tsv(tmp_path):
    import pandas as pd
    from gutbrain.io import write_rows, write_tsv

    rows = [
        {"sample": "S1", "input": 3000, "fraction": 0.99933, "status": "ok"},
        {"sample": "S.2", "input": 0, "fraction": float("nan"), "status": ""},
        {"sample": "S3", "input": 12, "fraction": 1.0, "status": "warning"},
    ]
    columns = ["sample", "input", "fraction", "status"]
    write_rows(rows, columns, tmp_path / "rows.tsv")
    write_tsv(pd.DataFrame(rows, columns=columns), tmp_path / "frame.tsv")
    assert (tmp_path / "rows.tsv").read_bytes() == (tmp_path / "frame.tsv").read_bytes()


MERGE_OUTPUT = """vsearch v2.22.1_linux_x86_64, 23.5GB RAM, 2 cores

Merging reads 100%
      3000  Pairs
      2707  Merged (90.2%)
       293  Not merged (9.8%)
"""
FILTER_OUTPUT = """Reading input file 100%
2910 sequences kept (of which 38 truncated), 90 sequences discarded.
"""


def test_vsearch_counts_are_read_from_its_reports():
    from gutbrain.unoise import _KEPT, _MERGED, _reported

    assert _reported(_MERGED, MERGE_OUTPUT, "merged") == (2707,)
    assert _reported(_KEPT, FILTER_OUTPUT, "kept") == (2910, 90)
    empty = "Merging reads 100%\n         0  Pairs\n         0  Merged\n         0  Not merged\n"
    assert _reported(_MERGED, empty, "merged") == (0,)
    with pytest.raises(RuntimeError, match="did not report the filtered reads"):
        _reported(_KEPT, MERGE_OUTPUT, "the filtered reads")


def test_reads_are_counted_per_sample_through_the_dereplication(tmp_path):
    from array import array

    from gutbrain.unoise import _count_by_sample, _read_derep_uc, _read_hits

    # Pooled records 1-4: sample S.1 holds 1 (5 reads) and 2 (1 read), S2 holds 3 (7 reads,
    # the same sequence as 1) and 4 (2 reads, no hit). vsearch's uc lists S (representative),
    # H (copy of a representative) and C (cluster summary) lines.
    uc = tmp_path / "derep.uc"
    uc.write_text(
        "S\t0\t253\t*\t*\t*\t*\t*\t1;size=5\t*\n"
        "S\t1\t253\t*\t*\t*\t*\t*\t2;size=1\t*\n"
        "H\t0\t253\t100.0\t+\t0\t0\t*\t3;size=7\t1;size=5\n"
        "S\t2\t251\t*\t*\t*\t*\t*\t4;size=2\t*\n"
        "C\t0\t2\t*\t*\t*\t*\t*\t1;size=5\t*\n"
    )
    hits = tmp_path / "hits.tsv"
    hits.write_text("1;size=12\tz0\n2;size=1\tz2\n")
    representative = _read_derep_uc(uc, 4)
    assert list(representative) == [0, 1, 2, 1, 4]
    assert _read_hits(hits) == {1: "z0", 2: "z2"}
    counts = _count_by_sample(
        ["S.1", "S2"], array("l", [0, 0, 1, 1]), array("l", [5, 1, 7, 2]),
        representative, _read_hits(hits),
    )
    assert counts == {"S.1": {"z0": 5, "z2": 1}, "S2": {"z0": 7}}
    assert _read_hits(tmp_path / "absent.tsv") == {}


# ---------------------------------------------------------------- one sample's preparation

FWD, REV = "GTGYCAGCMGCCGCGGTAA", "GGACTACNVGGGTWTCTAAT"


def _pairs(tmp_path, n=12):
    """n identical 2x230 read pairs of one 253-bp amplicon, with the V4 primers (IUPAC codes
    resolved), all bases at Q40."""
    import random

    rng = random.Random(7)
    amplicon = "".join(rng.choice("ACGT") for _ in range(253))
    revcomp = amplicon[::-1].translate(str.maketrans("ACGT", "TGCA"))
    r1 = "GTGCCAGCAGCCGCGGTAA" + amplicon[:211]
    r2 = "GGACTACAAGGGTATCTAAT" + revcomp[:210]
    paths = []
    for name, seq in (("R1", r1), ("R2", r2)):
        path = tmp_path / f"s_{name}.fastq"
        path.write_text("".join(f"@r{i}\n{seq}\n+\n{'I' * len(seq)}\n" for i in range(n)))
        paths.append(str(path))
    return paths


def test_unoise3_preparation_trims_into_scratch_files_that_do_not_outlive_the_job(tmp_path):
    import shutil

    from gutbrain.prepare import UnoiseOutputs, prepare_sample

    if shutil.which("vsearch") is None:
        pytest.skip("vsearch not installed (apt-get install vsearch)")
    out = tmp_path / "out"
    out.mkdir()
    unoise = UnoiseOutputs(uniques=str(out / "u.fasta"), counts=str(out / "c.tsv"),
                           merge_pairs=True, min_overlap=12, max_ee=4.0, min_len=50, trunc_q=2)
    with open(out / "log", "w") as log:
        counts = prepare_sample(
            "s", _pairs(tmp_path), str(out / "check.tsv"), None, str(out / "c.json"),
            str(out / "c.txt"), primers=["-g", FWD, "-G", REV], min_len=50, unoise=unoise,
            threads=1, log=log,
        )
    assert counts == {"merged": 12, "filtered": 12}
    assert (out / "u.fasta").read_text().startswith(">")
    assert sorted(p.name for p in out.iterdir()) == [
        "c.json", "c.tsv", "c.txt", "check.tsv", "log", "u.fasta"]  # no scratch folder left
    with pytest.raises(ValueError, match="trimmed reads are needed without UNOISE3"):
        prepare_sample("s", [], "x", None, "y", "z", primers=[], min_len=50, unoise=None,
                       threads=1, log=None)
