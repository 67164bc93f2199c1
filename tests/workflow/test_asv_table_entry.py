"""Entry from an existing ASV table (config keys input.asv_table and input.asv_seqs).

The table is made from V4 amplicons of the DADA2 package's reference (a few samples, tens of
features with QIIME 2-style MD5 IDs) and written as HDF5 BIOM, as the TSV of ``biom convert``
and as the pipeline's own ``asv_table.tsv``. End-to-end runs check that the pipeline goes from
the table to the reports without reads; bad-input cases check what only Snakemake shows: the
checks of common*.smk at parse time (dry runs), that a library error reaches the user naming
the config key, file and ID, line or sample, and one failing ``import_asv_table`` job. Each
message's wording, and every other content check, is tested on the library functions in
``tests/unit/test_asv_import.py``. ``pytest -s`` prints each message after ``MESSAGE:``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import biom
import h5py
import numpy as np
import pandas as pd
import pytest

from .conftest import logged_text, pipeline_message, require_tools, run_snakemake, write_config

pytestmark = pytest.mark.workflow

SAMPLES = ["subjA_t0", "subjA_t1", "subjB.t0"]
N_FEATURES = 24
IMPORT_TARGET = "results/asv/asv_table.tsv"


@pytest.fixture(scope="module")
def asv_input(tmp_path_factory, dada2_extdata) -> dict[str, Path]:
    """An ASV table (several formats) and its sequences; feature IDs = md5 of the sequence."""
    from gutbrain.primers import PRIMER_PRESETS

    from tools.simulate import DADA2_MOCK_GENERA, TEN_16S, amplicons_of, read_references

    out = tmp_path_factory.mktemp("asv_input")
    fwd, rev = PRIMER_PRESETS["V4"]
    pairs = amplicons_of(read_references(dada2_extdata / TEN_16S), fwd, rev)
    # genera of the demo bundle first, so that the function step predicts something
    pairs.sort(key=lambda pair: pair[0].genus not in DADA2_MOCK_GENERA)
    seqs: dict[str, str] = {}
    for _ref, amp in pairs:
        ident = hashlib.md5(amp.encode()).hexdigest()
        if ident not in seqs:
            seqs[ident] = amp.lower()  # lower case on purpose: the import upper-cases
        if len(seqs) == N_FEATURES:
            break
    ids = list(seqs)
    rng = np.random.default_rng(7)
    counts = rng.integers(0, 400, size=(len(ids), len(SAMPLES))) * (
        rng.random((len(ids), len(SAMPLES))) < 0.7
    )
    counts[0] += 500  # every sample has reads
    table = biom.Table(counts.astype(float), ids, SAMPLES, table_id="test")
    files = {"seqs": out / "dna-sequences.fasta.gz", "frame": out / "frame.pkl"}
    with gzip.open(files["seqs"], "wt") as handle:
        handle.write(">not_in_table extra record\nACGT\n")
        for ident, seq in seqs.items():
            handle.write(f">{ident} description\n{seq[:60]}\n{seq[60:]}\n")
    files["biom"] = out / "feature-table.biom"
    with h5py.File(files["biom"], "w") as handle:
        table.to_hdf5(handle, "test")
    files["tsv"] = out / "feature-table.tsv"
    files["tsv"].write_text(table.to_tsv())
    frame = pd.DataFrame(counts, index=pd.Index(ids, name="asv_id"), columns=SAMPLES)
    files["own"] = out / "asv_table.tsv"
    frame.reset_index().to_csv(files["own"], sep="\t", index=False)
    frame.to_pickle(files["frame"])
    return files


def _config(workdir: Path, table: Path | str, seqs: Path | str, sheet: Path | str = "", **more):
    """The shipped config with the ASV table, sequences and sheet ("" = no sheet) set."""
    overrides = {
        "samples": str(sheet),
        "input.asv_table": str(table),
        "input.asv_seqs": str(seqs),
        **more,
    }
    return write_config(workdir, Path(sheet or "."), **overrides)


def _fails(workdir: Path, config: Path, *targets: str) -> str:
    proc = run_snakemake(workdir, config, *targets, check=False, timeout=600)
    assert proc.returncode != 0, f"expected a failure, got success:\n{proc.stdout[-3000:]}"
    text = logged_text(workdir, proc)
    own = [line.strip() for line in text.splitlines() if "ASV table problem" in line]
    print(f"\nMESSAGE: {' | '.join([*own, pipeline_message(text)])}")
    return text


# ---------------------------------------------------------------- end to end


def _check_run(workdir: Path, frame: pd.DataFrame) -> None:
    res = workdir / "results"
    ko = pd.read_csv(res / "function/ko_abundance.tsv", sep="\t")
    assert set(SAMPLES) <= set(ko.columns) and (ko[SAMPLES].sum() > 0).all()
    table = pd.read_csv(res / "asv/asv_table.tsv", sep="\t").set_index("asv_id")
    assert list(table.columns) == SAMPLES
    assert set(table.index) == set(frame.index[frame.sum(axis=1) > 0])  # user's IDs kept
    assert (table.sum() == frame.sum()).all()
    fasta = (res / "asv/asv_seqs.fasta").read_text()
    assert ">not_in_table" not in fasta
    assert all(line.isupper() for line in fasta.splitlines() if not line.startswith(">"))
    tracking = pd.read_csv(res / "qc/read_tracking.tsv", sep="\t").set_index("sample")
    assert list(tracking.index) == SAMPLES
    assert (tracking["input"] == frame.sum()).all()
    assert tracking["primer_trimmed"].isna().all() and (tracking["taxonomy_kept"] > 0).all()
    for sample in SAMPLES:
        assert (res / "reports/samples" / f"{sample}.html").is_file()
    assert sorted(p.stem for p in (res / "reports/samples").glob("*.html")) == sorted(SAMPLES)
    assert (res / "reports/index.html").is_file()
    assert (res / "multiqc/multiqc_report.html").is_file()
    assert not (res / "qc/cutadapt").exists() and not (res / "qc/checks").exists()
    provenance = pd.read_csv(res / "provenance.tsv", sep="\t")
    assert {"input.asv_table", "input.asv_seqs"} <= set(provenance["name"])


def test_run_from_biom_table(asv_input, tmp_path):
    """Default config (DADA2 classifier, demo reference and bundle), HDF5 BIOM, metadata sheet
    covering two of the three samples."""
    require_tools()
    sheet = tmp_path / "metadata.tsv"
    sheet.write_text("sample\tgroup\nsubjA_t0\tbaseline\nsubjB.t0\tbaseline\n")
    config = _config(tmp_path, asv_input["biom"], asv_input["seqs"], sheet)
    proc = run_snakemake(tmp_path, config, timeout=900)
    assert "cutadapt" not in proc.stdout and "dada2_denoise" not in proc.stdout
    _check_run(tmp_path, pd.read_pickle(asv_input["frame"]))
    page = json.loads((tmp_path / "results/reports/samples/subjA_t0.json").read_text())
    assert "baseline" in json.dumps(page)


def test_run_from_biom_convert_tsv(asv_input, tmp_path):
    """SINTAX classifier, the TSV of biom convert, no sample sheet."""
    require_tools()
    config = _config(
        tmp_path, asv_input["tsv"], asv_input["seqs"], **{"taxonomy.method": "sintax"}
    )
    run_snakemake(tmp_path, config, timeout=900)
    _check_run(tmp_path, pd.read_pickle(asv_input["frame"]))


def test_asv_seqs_without_asv_table_is_refused(asv_input, tmp_path):
    """input.asv_seqs without input.asv_table is refused, naming both keys."""
    require_tools()
    config = _config(tmp_path, "", asv_input["seqs"])
    text = _fails(tmp_path, (config), "-n")
    assert "input.asv_seqs" in text and "input.asv_table" in text


# ---------------------------------------------------------------- config and header (dry run)


def test_empty_samples_on_the_command_line_means_no_sheet(asv_input, tmp_path):
    """`--config samples=` (Snakemake passes None) is the README's "no sample sheet"."""
    require_tools()
    config = _config(tmp_path, asv_input["biom"], asv_input["seqs"], tmp_path / "absent.tsv")
    missing = run_snakemake(tmp_path, config, "-n", check=False)
    assert missing.returncode != 0 and "absent.tsv" in missing.stdout
    proc = run_snakemake(tmp_path, config, "-n", "--config", "samples=", check=False)
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_asv_seqs_unset_names_the_key(asv_input, tmp_path):
    require_tools()
    text = _fails(tmp_path, (_config(tmp_path, asv_input["biom"], "")), "-n")
    assert "input.asv_seqs is empty" in text and "input.asv_table" in text


@pytest.mark.parametrize("key", ["input.asv_table", "input.asv_seqs"])
def test_missing_file_names_the_key(asv_input, tmp_path, key):
    require_tools()
    paths = {"input.asv_table": asv_input["biom"], "input.asv_seqs": asv_input["seqs"]}
    paths[key] = tmp_path / "absent_file.txt"
    config = _config(tmp_path, paths["input.asv_table"], paths["input.asv_seqs"])
    text = _fails(tmp_path, (config), "-n")
    assert f"config key {key}" in text and "absent_file.txt" in text


def test_table_inside_this_runs_results_is_refused(asv_input, tmp_path):
    """An earlier run's results/asv/asv_table.tsv in the same working directory would be
    overwritten by the import: refused, naming the key."""
    require_tools()
    own = tmp_path / "results" / "asv" / "asv_table.tsv"
    own.parent.mkdir(parents=True)
    own.write_bytes(asv_input["own"].read_bytes())
    text = _fails(tmp_path, _config(tmp_path, "results/asv/asv_table.tsv", asv_input["seqs"]), "-n")
    assert "config key input.asv_table is 'results/asv/asv_table.tsv', which this run" in text


def _tsv(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_bad_sample_id_in_header_names_file_line_and_id(asv_input, tmp_path):
    require_tools()
    table = _tsv(tmp_path / "t.tsv", "# comment\n#OTU ID\tgood\tbad id\nf1\t1\t2\n")
    text = _fails(tmp_path, (_config(tmp_path, table, asv_input["seqs"])), "-n")
    assert f"ASV table {table}, line 2: sample ID 'bad id'" in text and "a space" in text


def test_sheet_sample_missing_from_table_is_named(asv_input, tmp_path):
    require_tools()
    sheet = tmp_path / "metadata.tsv"
    sheet.write_text("sample\tgroup\nsubjA_t0\tx\nghost_sample\ty\n")
    text = _fails(tmp_path, _config(tmp_path, asv_input["biom"], asv_input["seqs"], sheet), "-n")
    assert "ghost_sample" in text and str(sheet) in text and str(asv_input["biom"]) in text


# ---------------------------------------------------------------- contents (import job)


def _import_fails(asv_input, tmp_path, table: Path, seqs: Path | None = None) -> str:
    config = _config(tmp_path, table, seqs or asv_input["seqs"])
    text = _fails(tmp_path, config, IMPORT_TARGET)
    assert "InputError" in text
    return text


def test_ids_missing_from_fasta_are_named(asv_input, tmp_path):
    require_tools()
    frame = pd.read_pickle(asv_input["frame"])
    keep = list(frame.index[3:])
    seqs = tmp_path / "partial.fasta"
    with gzip.open(asv_input["seqs"], "rt") as handle:
        records = handle.read().split(">")[1:]
    seqs.write_text("".join(">" + r for r in records if r.split()[0] in keep))
    text = _import_fails(asv_input, tmp_path, asv_input["own"], seqs)
    assert f"ASV sequences {seqs}: 3 feature ID(s) of the ASV table have no sequence" in text
    assert all(f"'{i}'" in text for i in frame.index[:3])
    log = (tmp_path / "logs/asv/import_asv_table.log").read_text()
    assert f"ASV sequences {seqs}" in log and "logs/asv/import_asv_table.log" in text
    for name in ("asv_table.tsv", "asv_seqs.fasta", "asv_table.biom"):
        assert not (tmp_path / "results/asv" / name).exists(), name


def _qiime_import(kind: str, source: Path, out: Path, fmt: str | None = None) -> Path:
    """Make a real QIIME 2 artifact with Debian's qiime (q2cli)."""
    import shutil
    import subprocess

    from tests.fixtures.chromium import in_ci

    if shutil.which("qiime") is None:
        message = "qiime (q2cli) not installed: make test-tools installs it"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    cmd = ["qiime", "tools", "import", "--type", kind, "--input-path", str(source),
           "--output-path", str(out)]
    if fmt:
        cmd += ["--input-format", fmt]
    subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=300)
    return out


def test_run_from_qiime2_artifacts_and_metadata(asv_input, tmp_path):
    """A FeatureTable[Frequency] and a FeatureData[Sequence] .qza made by qiime, and a QIIME 2
    metadata file (sample-id header, #q2:types row) as the sheet: imported without QIIME 2."""
    require_tools()
    plain = tmp_path / "rep-seqs.fasta"  # as QIIME 2 writes it: upper case, one ID per header
    with gzip.open(asv_input["seqs"], "rt") as handle:
        lines = handle.read().replace(">not_in_table extra record\nACGT\n", "").splitlines()
    plain.write_text("".join((f"{line.split()[0]}\n" if line.startswith(">")
                              else line.upper() + "\n") for line in lines))
    table = _qiime_import("FeatureTable[Frequency]", asv_input["biom"], tmp_path / "table.qza",
                          "BIOMV210Format")
    seqs = _qiime_import("FeatureData[Sequence]", plain, tmp_path / "rep-seqs.qza")
    sheet = tmp_path / "sample-metadata.tsv"
    sheet.write_text("sample-id\tgroup\n#q2:types\tcategorical\nsubjA_t0\tbaseline\n")
    config = _config(tmp_path, table, seqs, sheet)
    run_snakemake(tmp_path, config, IMPORT_TARGET, "results/asv/sample_metadata.tsv")
    frame = pd.read_pickle(asv_input["frame"])
    imported = pd.read_csv(tmp_path / IMPORT_TARGET, sep="\t").set_index("asv_id")
    assert list(imported.columns) == SAMPLES
    assert (imported.sum() == frame.sum()).all()
    metadata = pd.read_csv(tmp_path / "results/asv/sample_metadata.tsv", sep="\t")
    assert "baseline" in set(metadata.astype(str).stack())
    # A .qza of another type is named with its type.
    (tmp_path / "wrong").mkdir()
    wrong = _config(tmp_path / "wrong", seqs, seqs, sheet)
    text = _fails(tmp_path / "wrong", wrong, "-n")
    assert "a QIIME 2 artifact of type FeatureData[Sequence]; expected FeatureTable[Frequency]" in (
        text)
