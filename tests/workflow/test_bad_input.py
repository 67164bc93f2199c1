"""Bad input, end to end: each case runs Snakemake as a user would and checks the message.

Every failure must name what to fix: the sample and the file, or the config key, or the
reference file. Checks that fail before any job runs use a dry run (``-n``); checks that fail in
a job target the cheapest output that shows them (``results/qc/checks/<sample>.tsv``, the
prepared reference in the cache). A job's message is written to its log file, so the text
searched is Snakemake's console output plus every log under ``logs/``. The message found is
printed (``pytest -s``) so that docs/error_messages.md can quote it.

Only what needs Snakemake is here: one case per way a library error reaches the user (sample
sheet at parse time, config schema, a failing per-sample job), the checks of common*.smk, and
what a run keeps or produces around a failure. The full range of bad sheets, read files and
config values, and each message's wording, is tested on the library functions in
``tests/unit/test_samples.py``, ``test_fastq_checks.py`` and ``test_config_docs.py``.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
from pathlib import Path

import dnaio
import pandas as pd
import pytest
import yaml

from .conftest import (
    REPO,
    logged_text,
    pipeline_message,
    require_tools,
    run_snakemake,
    write_config,
)

pytestmark = pytest.mark.workflow

N_PAIRS = 300
"""Read pairs per simulated sample: enough for DADA2 to find ASVs, small enough to be quick."""


# ---------------------------------------------------------------- fixtures and helpers


@pytest.fixture(scope="module")
def base_reads(tmp_path_factory, dada2_extdata) -> Path:
    """Folder of a simulated two-sample mock (V4 primers on the reads, 2x250 bp)."""
    from tools.simulate import make_mock

    out = tmp_path_factory.mktemp("bad_input_mock")
    sheet = make_mock(out, "dada2", dada2_extdata=dada2_extdata, n_samples=2, n_pairs=N_PAIRS)
    return sheet.parent


def _records(path: Path) -> list[dnaio.SequenceRecord]:
    with dnaio.open(path) as reader:
        return list(reader)


def _write_fastq(path: Path, records: list[dnaio.SequenceRecord]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with dnaio.open(path, mode="w") as writer:
        for rec in records:
            writer.write(rec)
    return path


def _sheet(folder: Path, rows: list[tuple[str, str, str]], name: str = "samples.tsv") -> Path:
    """Write a sample sheet with rows (sample, fq1, fq2) into folder."""
    lines = ["sample\tfq1\tfq2", *("\t".join(row) for row in rows)]
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _copy_pair(base: Path, sample: str, dest: Path, name: str | None = None) -> tuple[str, str]:
    """Copy a mock sample's reads into dest/reads; return the sheet paths (relative)."""
    name = name or sample
    (dest / "reads").mkdir(parents=True, exist_ok=True)
    out = []
    for mate in ("R1", "R2"):
        target = dest / "reads" / f"{name}_{mate}.fastq.gz"
        shutil.copyfile(base / "reads" / f"{sample}_{mate}.fastq.gz", target)
        out.append(f"reads/{target.name}")
    return out[0], out[1]


def _fails(workdir: Path, sheet: Path, *targets: str, **overrides) -> str:
    """Run Snakemake, require a failure, and return all text the user can read."""
    config = write_config(workdir, sheet, **overrides)
    proc = run_snakemake(workdir, config, *targets, check=False, timeout=600)
    assert proc.returncode != 0, f"expected a failure, got success:\n{proc.stdout[-3000:]}"
    text = logged_text(workdir, proc)
    print(f"\nMESSAGE: {pipeline_message(text)}")
    return text


def _check_target(sample: str) -> str:
    return f"results/qc/checks/{sample}.tsv"


# ---------------------------------------------------------------- sample sheet (parse time)


def test_missing_file_names_sample_and_file(base_reads, tmp_path):
    require_tools()
    fq1, _ = _copy_pair(base_reads, "mock1", tmp_path)
    sheet = _sheet(tmp_path, [("mock1", fq1, "reads/absent_R2.fastq.gz")])
    text = _fails(tmp_path, sheet, "-n")
    assert "mock1" in text and "absent_R2.fastq.gz" in text and "fq2" in text


def test_mixed_pairing_refused_by_default_and_allowed_by_key(base_reads, tmp_path):
    require_tools()
    fq1, fq2 = _copy_pair(base_reads, "mock1", tmp_path)
    single, _ = _copy_pair(base_reads, "mock2", tmp_path)
    sheet = _sheet(tmp_path, [("mock1", fq1, fq2), ("mock2", single, "")])
    text = _fails(tmp_path, sheet, "-n")
    assert "allow_mixed_pairing" in text and "mock2" in text
    config = write_config(tmp_path, sheet, **{"input.allow_mixed_pairing": True})
    run_snakemake(tmp_path, config, "-n", "results/function/module_scores.tsv")


# ---------------------------------------------------------------- read files (prepare_sample job)


def _truncated_gzip(base: Path) -> bytes:
    data = (base / "reads" / "mock1_R1.fastq.gz").read_bytes()
    return data[: len(data) // 2]


@pytest.fixture(scope="module")
def bad_reads_run(base_reads, tmp_path_factory):
    """One run with --keep-going over three samples: 'good'; 'truncated', whose R1 is a
    truncated gzip; 'swapped', whose R2 has another read's ID at record 6."""
    require_tools()
    workdir = tmp_path_factory.mktemp("bad_reads")
    good = _copy_pair(base_reads, "mock1", workdir, "good")
    _, truncated_r2 = _copy_pair(base_reads, "mock1", workdir, "truncated")
    (workdir / "reads" / "truncated_R1.fastq.gz").write_bytes(_truncated_gzip(base_reads))
    r2 = _records(base_reads / "reads" / "mock1_R2.fastq.gz")
    r2[5] = dnaio.SequenceRecord("unrelated_read/2", r2[5].sequence, r2[5].qualities)
    _write_fastq(workdir / "reads" / "swapped_R2.fastq", r2)
    shutil.copyfile(
        base_reads / "reads" / "mock1_R1.fastq.gz", workdir / "reads" / "swapped_R1.fastq.gz"
    )
    rows = [
        ("good", *good),
        ("truncated", "reads/truncated_R1.fastq.gz", truncated_r2),
        ("swapped", "reads/swapped_R1.fastq.gz", "reads/swapped_R2.fastq"),
    ]
    config = write_config(workdir, _sheet(workdir, rows))
    targets = [_check_target(row[0]) for row in rows]
    proc = run_snakemake(workdir, config, "--keep-going", *targets, check=False, timeout=600)
    print(f"\nMESSAGE: {pipeline_message(logged_text(workdir, proc))}")
    return workdir, proc


@pytest.mark.parametrize(
    "sample, named, other",
    [
        ("truncated", ["column 'fq1'", "truncated_R1.fastq.gz", "truncated or corrupt"], "swapped"),
        ("swapped", ["unrelated_read", "swapped_R2.fastq", "fq1 and fq2"], "truncated"),
    ],
    ids=["truncated_gzip_r1", "read_ids_differ_r2"],
)
def test_bad_read_file_fails_its_own_sample_naming_it(bad_reads_run, sample, named, other):
    """The job of the sample with the bad file fails; its log, and no other, names the sample,
    the file and the problem; Snakemake's summary points to that log."""
    workdir, proc = bad_reads_run
    assert proc.returncode != 0, f"expected a failure, got success:\n{proc.stdout[-3000:]}"
    log = (workdir / "logs" / "qc" / "prepare_sample" / f"{sample}.log").read_text()
    assert "InputError" in log and f"sample '{sample}'" in log
    for fragment in named:
        assert fragment in log, fragment
    assert f"sample '{other}'" not in log
    assert f"logs/qc/prepare_sample/{sample}.log" in proc.stdout
    assert not (workdir / _check_target(sample)).exists()


def test_bad_read_files_leave_other_samples_checked(bad_reads_run):
    workdir, _ = bad_reads_run
    check = pd.read_csv(workdir / _check_target("good"), sep="\t")
    assert list(check["column"]) == ["fq1", "fq2"] and (check["reads"] == N_PAIRS).all()
    assert "InputError" not in (workdir / "logs/qc/prepare_sample/good.log").read_text()


# ---------------------------------------------------------------- config


def test_config_mistake_names_the_key(base_reads, tmp_path):
    require_tools()
    fq1, fq2 = _copy_pair(base_reads, "mock1", tmp_path)
    sheet = _sheet(tmp_path, [("mock1", fq1, fq2)])
    text = _fails(tmp_path, sheet, "-n", **{"denoise.trunc_len": "230"})
    assert "Error validating config file" in text and "instance['denoise']['trunc_len']" in text


@pytest.mark.parametrize(
    ("old", "value", "new"),
    [
        ("report.reference_cohort", "previous.tsv", "input.reference_cohort"),
        ("qc.trunc_len", [240, 160], "denoise.trunc_len"),
    ],
)
def test_moved_config_key_says_where_it_went(base_reads, tmp_path, old, value, new):
    fq1, fq2 = _copy_pair(base_reads, "mock1", tmp_path)
    sheet = _sheet(tmp_path, [("mock1", fq1, fq2)])
    text = _fails(tmp_path, sheet, "-n", **{old: value})
    assert f"config key {old} has moved to {new}" in text


def test_unknown_taxonomy_reference_is_named(base_reads, tmp_path):
    require_tools()
    fq1, fq2 = _copy_pair(base_reads, "mock1", tmp_path)
    sheet = _sheet(tmp_path, [("mock1", fq1, fq2)])
    text = _fails(tmp_path, sheet, "-n", **{"taxonomy.reference": "silva_139"})
    assert "taxonomy.reference" in text and "silva_139" in text


# ---------------------------------------------------------------- references


def test_reference_checksum_mismatch_is_refused(base_reads, tmp_path, dada2_extdata):
    require_tools()
    fq1, fq2 = _copy_pair(base_reads, "mock1", tmp_path)
    sheet = _sheet(tmp_path, [("mock1", fq1, fq2)])
    source = dada2_extdata / "ten_16s.100.fa.gz"
    entry = {
        "source": "url",
        "url": source.as_uri(),
        "sha256": "0" * 64,
        "format": "sintax",
        "version": "test",
    }
    assert hashlib.sha256(source.read_bytes()).hexdigest() != "0" * 64
    text = _fails(
        tmp_path,
        sheet,
        str(tmp_path / "cache/taxonomy/pinned/dada2.fa.gz"),
        **{"references.taxonomy.pinned": entry, "taxonomy.reference": "pinned"},
    )
    assert "checksum mismatch" in text and "ten_16s.100.fa.gz" in text
    assert not (tmp_path / "cache/taxonomy/pinned/download/reference.fa.gz").exists()


def test_missing_extra_reference_file_names_it_and_the_install(base_reads, tmp_path):
    require_tools()
    fq1, fq2 = _copy_pair(base_reads, "mock1", tmp_path)
    sheet = _sheet(tmp_path, [("mock1", fq1, fq2)])
    missing = tmp_path / "absent" / "gold.fasta"
    entry = {
        "source": "dada2_package",
        "file": "ten_16s.100.fa.gz",
        "format": "sintax",
        "extra": [{"fasta": str(missing), "format": "gold", "install": "apt-get install x"}],
    }
    text = _fails(
        tmp_path, sheet, "-n",
        **{"references.taxonomy.with_gold": entry, "taxonomy.reference": "with_gold"},
    )
    assert str(missing) in text and "apt-get install x" in text and "with_gold" in text


def test_unparseable_reference_headers_name_file_and_record(base_reads, tmp_path):
    require_tools()
    fq1, fq2 = _copy_pair(base_reads, "mock1", tmp_path)
    sheet = _sheet(tmp_path, [("mock1", fq1, fq2)])
    ref = tmp_path / "plain_ref.fasta"
    ref.write_text(">seq1 Bacteroides fragilis\nACGTACGTACGT\n>seq2\nACGTTTGT\n")
    entry = {"source": "local", "fasta": str(ref), "format": "sintax", "version": "test"}
    text = _fails(
        tmp_path,
        sheet,
        str(tmp_path / "cache/taxonomy/plain/dada2.fa.gz"),
        **{"references.taxonomy.plain": entry, "taxonomy.reference": "plain"},
    )
    assert "plain_ref.fasta" in text and "seq1" in text


def test_group_comparison_with_too_few_samples_stops_before_any_job(base_reads, tmp_path):
    """compare: a level with fewer samples than compare.min_group_size, named with its
    samples (every other bad setting: tests/unit/test_compare.py)."""
    require_tools()
    rows = [(f"s{i}", *_copy_pair(base_reads, "mock1", tmp_path, f"s{i}")) for i in range(4)]
    sheet = _sheet(tmp_path, rows)
    groups = pd.read_csv(sheet, sep="\t", dtype=str)
    groups["diagnosis"] = ["control", "control", "control", "case"]
    groups.to_csv(sheet, sep="\t", index=False)
    text = _fails(tmp_path, sheet, "-n", **{"compare": {
        "column": "diagnosis", "reference": "control", "min_group_size": 2}})
    assert ("Group comparison problem: config section compare: level 'case' of column "
            "'diagnosis' has 1 sample(s) (s3), fewer than compare.min_group_size (2)") in text


# ---------------------------------------------------------------- references checked on every use


def _url_entry(path: Path) -> dict:
    return {"source": "url", "url": path.as_uri(), "format": "sintax", "version": "test"}


def test_cached_reference_changed_after_download_stops_the_rerun(base_reads, tmp_path,
                                                                 dada2_extdata):
    """The first run downloads (file://) and locks the reference; a cached file replaced by
    another valid gzip afterwards stops the next run before any job, naming both checksums."""
    require_tools()
    fq1, fq2 = _copy_pair(base_reads, "mock1", tmp_path)
    sheet = _sheet(tmp_path, [("mock1", fq1, fq2)])
    overrides = {"references.taxonomy.fetched": _url_entry(dada2_extdata / "ten_16s.100.fa.gz"),
                 "taxonomy.reference": "fetched"}
    config = write_config(tmp_path, sheet, **overrides)
    prepared = tmp_path / "cache/taxonomy/fetched/dada2.fa.gz"
    run_snakemake(tmp_path, config, str(prepared))
    cached = tmp_path / "cache/taxonomy/fetched/download/reference.fa.gz"
    lock = cached.with_name("reference.fa.gz.sha256")
    locked = lock.read_text().split()[0]
    with gzip.open(cached, "rt") as handle:
        text = handle.read().replace("g:Bacteroides", "g:Renamed")
    with gzip.open(cached, "wt") as handle:
        handle.write(text)
    message = _fails(tmp_path, sheet, "-n", **overrides)
    assert "Reference problem" in message and str(cached) in message and locked in message
    assert "download it again" in message and "references.taxonomy.fetched.sha256" in message


def test_truncated_gzip_reference_stops_before_any_job(base_reads, tmp_path, dada2_extdata):
    require_tools()
    fq1, fq2 = _copy_pair(base_reads, "mock1", tmp_path)
    sheet = _sheet(tmp_path, [("mock1", fq1, fq2)])
    data = (dada2_extdata / "ten_16s.100.fa.gz").read_bytes()
    cut = tmp_path / "cut_ref.fa.gz"
    cut.write_bytes(data[: len(data) // 2])
    entry = {"source": "local", "fasta": str(cut), "format": "sintax", "version": "test"}
    text = _fails(tmp_path, sheet, "-n",
                  **{"references.taxonomy.cut": entry, "taxonomy.reference": "cut"})
    named = "taxonomy reference 'cut' (references.taxonomy.cut)"
    assert f"{named}: {cut}: the file is truncated" in text
    assert "EOFError" in text and "Traceback" not in pipeline_message(text)


def _profile_run(base_reads: Path, tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A one-sample sheet and a copy of the shipped genus profile folder to damage."""
    require_tools()
    fq1, fq2 = _copy_pair(base_reads, "mock1", tmp_path)
    folder = tmp_path / name
    shutil.copytree(REPO / "resources" / "genus_profile", folder)
    return _sheet(tmp_path, [("mock1", fq1, fq2)]), folder


def test_malformed_genus_profile_folder_stops_before_any_job(base_reads, tmp_path):
    """A user's genus profile folder (no checksums listed) with a comma-separated table."""
    sheet, folder = _profile_run(base_reads, tmp_path, "my_profile")
    manifest = yaml.safe_load((folder / "reference.yaml").read_text())
    del manifest["files"]
    (folder / "reference.yaml").write_text(yaml.safe_dump(manifest))
    table = pd.read_csv(folder / "ko_ec.tsv", sep="\t")
    table.to_csv(folder / "ko_ec.tsv", index=False)
    text = _fails(tmp_path, sheet, "-n", **{"function.genus_profile": str(folder)})
    assert f"{folder / 'ko_ec.tsv'}: line 1: the table is comma-separated" in text


def test_shipped_genus_profile_table_changed_is_refused(base_reads, tmp_path):
    sheet, folder = _profile_run(base_reads, tmp_path, "edited_profile")
    genera = folder / "genera.tsv"
    genera.write_text(genera.read_text().replace("Faecalibacterium\t", "Faecalibacterium2\t"))
    text = _fails(tmp_path, sheet, "-n", **{"function.genus_profile": str(folder)})
    assert f"{genera} is not the file whose checksum was recorded" in text
    assert "make genus-profile" in text


def test_ncbi_headers_in_a_dada2_reference_stop_the_run(base_reads, tmp_path):
    require_tools()
    fq1, fq2 = _copy_pair(base_reads, "mock1", tmp_path)
    sheet = _sheet(tmp_path, [("mock1", fq1, fq2)])
    ref = tmp_path / "ncbi_ref.fasta"
    ref.write_text(">AB000001.1 Bacteroides sp. 16S ribosomal RNA gene, partial sequence\n"
                   "ACGTACGTACGT\n")
    entry = {"source": "local", "fasta": str(ref), "format": "dada2", "version": "test"}
    text = _fails(tmp_path, sheet, "-n",
                  **{"references.taxonomy.ncbi": entry, "taxonomy.reference": "ncbi"})
    assert f"{ref}: line 1: header is not a DADA2 lineage" in text


def test_numbers_inside_nested_command_line_config_are_numbers(base_reads, tmp_path):
    require_tools()
    fq1, fq2 = _copy_pair(base_reads, "mock1", tmp_path)
    sheet = _sheet(tmp_path, [("mock1", fq1, fq2)])
    config = write_config(tmp_path, sheet)
    ok = run_snakemake(tmp_path, config, "-n", "--config",
                       "taxonomy={method: dada2, reference: dada2_gold, min_boot: 60}",
                       check=False)
    assert ok.returncode == 0, ok.stdout[-3000:]
    bad = run_snakemake(tmp_path, config, "-n", "--config", "taxonomy={min_boot: sixty}",
                        check=False)
    assert bad.returncode != 0
    assert "config key taxonomy.min_boot: got 'sixty' (text), expected a whole number" in (
        bad.stdout)


# ---------------------------------------------------------------- reads that all fail filtering


def _short_pair(base: Path, workdir: Path, sample: str, name: str, length: int = 60):
    """Copy a mock sample with every read cut to `length` bases (fails trunc_len 230/160)."""
    paths = []
    for mate in ("R1", "R2"):
        recs = [
            dnaio.SequenceRecord(r.name, r.sequence[:length], r.qualities[:length])
            for r in _records(base / "reads" / f"{sample}_{mate}.fastq.gz")
        ]
        path = _write_fastq(workdir / "reads" / f"{name}_{mate}.fastq.gz", recs)
        paths.append(f"reads/{path.name}")
    return paths[0], paths[1]


def test_sample_without_surviving_reads_is_flagged_and_others_complete(base_reads, tmp_path):
    require_tools()
    rows = [
        ("mock1", *_copy_pair(base_reads, "mock1", tmp_path)),
        ("mock2", *_copy_pair(base_reads, "mock2", tmp_path)),
        ("short", *_short_pair(base_reads, tmp_path, "mock1", "short")),
    ]
    config = write_config(tmp_path, _sheet(tmp_path, rows))
    run_snakemake(
        tmp_path,
        config,
        "results/function/module_scores.tsv",
        "results/qc/read_tracking.tsv",
        timeout=600,
    )
    tracking = pd.read_csv(tmp_path / "results/qc/read_tracking.tsv", sep="\t").set_index("sample")
    print(f"\nTRACKING:\n{tracking.to_string()}")
    assert tracking.loc["short", "taxonomy_kept"] == 0
    assert isinstance(tracking.loc["short", "flag"], str) and tracking.loc["short", "flag"]
    assert (tracking.loc[["mock1", "mock2"], "taxonomy_kept"] > 0).all()
    scores = pd.read_csv(tmp_path / "results/function/module_scores.tsv", sep="\t")
    assert {"mock1", "mock2"} <= set(scores.astype(str).to_numpy().ravel())


def test_no_asv_in_the_whole_run_is_a_clear_error(base_reads, tmp_path):
    require_tools()
    rows = [
        ("short1", *_short_pair(base_reads, tmp_path, "mock1", "short1")),
        ("short2", *_short_pair(base_reads, tmp_path, "mock2", "short2")),
    ]
    text = _fails(tmp_path, _sheet(tmp_path, rows), "results/asv/asv_table.tsv")
    assert "no ASV left in the whole run" in text


def test_reads_without_primers_warn_or_stop_under_require_primers(tmp_path, dada2_extdata):
    """The DADA2 package's reads carry no primers: a warning by default, an error when required."""
    require_tools()
    rows = [
        (
            f"sam{i}",
            str(dada2_extdata / f"sam{i}F.fastq.gz"),
            str(dada2_extdata / f"sam{i}R.fastq.gz"),
        )
        for i in (1, 2)
    ]
    sheet = _sheet(tmp_path, rows)
    text = _fails(
        tmp_path,
        sheet,
        "results/qc/primer_check.tsv",
        **{"qc.primers": "V4", "qc.require_primers": True},
    )
    assert "sample 'sam1': the forward primer was found in 0.0% of 1500 reads" in text
    assert "qc.require_primers is true" in text
    warn_dir = tmp_path / "warn"
    warn_dir.mkdir()
    config = write_config(warn_dir, sheet, **{"qc.primers": "V4"})
    run_snakemake(warn_dir, config, "results/qc/primer_check.tsv")
    check = pd.read_csv(warn_dir / "results/qc/primer_check.tsv", sep="\t")
    assert list(check["status"]) == ["warning", "warning"]
    assert "WARNING: sample 'sam2'" in (warn_dir / "logs/qc/check_primers.log").read_text()
