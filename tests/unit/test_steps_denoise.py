"""The denoise step: ASV outputs from a denoiser's table (gutbrain.steps.asv) and UNOISE3
denoising of a run with vsearch (gutbrain.steps.denoise)."""

from __future__ import annotations

import shutil
from pathlib import Path

import biom
import pandas as pd
import pytest
from gutbrain.asv import AsvFilter
from gutbrain.errors import InputError
from gutbrain.steps.asv import make_asv_outputs
from gutbrain.steps.denoise import unoise_denoise

SEQ_A = "TACGGAGGATCCGAGCGTTATCCGGATTTATTGGGTTTAAAGGGAGCGTAG" * 5
SEQ_B = "TACGTAGGTGGCAAGCGTTATCCGGATTTATTGGGCGTAAAGCGAGCGCAG" * 5


def test_asv_outputs_written_and_empty_run_fails(tmp_path):
    seqtab = tmp_path / "seqtab.tsv"
    pd.DataFrame({"sequence": [SEQ_A, SEQ_B], "s1": [5, 7], "s2": [1, 0]}).to_csv(
        seqtab, sep="\t", index=False
    )
    out = {k: str(tmp_path / f"out.{k}") for k in ("tsv", "fasta", "biom", "sum")}
    table = make_asv_outputs(
        str(seqtab), AsvFilter(), out["tsv"], out["fasta"], out["biom"], out["sum"]
    )
    assert list(table.columns) == ["s1", "s2"]
    assert Path(out["fasta"]).read_text().count(">") == 2
    loaded = biom.load_table(out["biom"])
    assert loaded.shape == (2, 2)
    assert sorted(loaded.ids()) == ["s1", "s2"]
    with pytest.raises(InputError, match="no ASV left in the whole run"):
        make_asv_outputs(str(seqtab), AsvFilter(1, 10_000, 1000), *out.values())


def test_classifications_by_sequence_are_keyed_by_the_asv_ids_given_here(tmp_path):
    seqtab = tmp_path / "seqtab.tsv"
    pd.DataFrame({"sequence": [SEQ_A, SEQ_B], "s1": [5, 7]}).to_csv(seqtab, sep="\t", index=False)
    by_sequence = tmp_path / "taxonomy_by_sequence.tsv"
    pd.DataFrame({"sequence": [SEQ_B.lower(), SEQ_A, "ACGT"], "Genus": ["Blautia", "", "X"],
                  "boot_Genus": [99, 20, 100]}).to_csv(by_sequence, sep="\t", index=False)
    out = {k: str(tmp_path / f"out.{k}") for k in ("tsv", "fasta", "biom", "sum")}
    assignments = tmp_path / "assignments.tsv"
    table = make_asv_outputs(str(seqtab), AsvFilter(), *out.values(),
                             classified=(str(by_sequence), str(assignments)))
    rows = pd.read_csv(assignments, sep="\t", dtype=str, keep_default_na=False)
    assert list(rows["asv_id"]) == list(table.index)  # the IDs and order of the ASV FASTA
    fasta = Path(out["fasta"]).read_text().split()
    sequence_of = {name[1:]: seq for name, seq in zip(fasta[::2], fasta[1::2], strict=True)}
    genus = {sequence_of[a]: g for a, g in zip(rows["asv_id"], rows["Genus"], strict=True)}
    assert genus == {SEQ_B: "Blautia", SEQ_A: ""}  # case-insensitive; "ACGT" is no ASV


@pytest.mark.skipif(shutil.which("vsearch") is None, reason="vsearch is not installed")
def test_unoise_denoise_writes_the_sequence_table_and_counts(tmp_path):
    uniques = {}
    for sample, sizes in (("s1", (40, 12)), ("s2", (30, 0))):
        path = tmp_path / f"{sample}.fasta"
        records = [(seq, n) for seq, n in zip((SEQ_A, SEQ_B), sizes, strict=True) if n]
        path.write_text("".join(f">u{i};size={n}\n{seq}\n" for i, (seq, n) in enumerate(records)))
        uniques[sample] = str(path)
    out = tmp_path / "denoise"
    out.mkdir()
    with open(tmp_path / "vsearch.log", "w") as log:
        seqtab = unoise_denoise(
            uniques, str(out / "seqtab.tsv"), str(out / "tracking.tsv"),
            minsize=2, alpha=2.0, threads=1, log=log,
        )
    written = pd.read_csv(out / "seqtab.tsv", sep="\t")
    assert list(written.columns) == ["sequence", "s1", "s2"] and len(written) == len(seqtab)
    assert set(written["sequence"]) == {SEQ_A, SEQ_B}
    tracking = pd.read_csv(out / "tracking.tsv", sep="\t").set_index("sample")
    assert tracking.loc["s1", "denoised"] == 52 and tracking.loc["s2", "nonchimeric"] == 30
    assert "--cluster_unoise" in (tmp_path / "vsearch.log").read_text()
