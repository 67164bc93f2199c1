"""The taxonomy step (gutbrain.steps.taxonomy): classifier output normalised and off-target
ASVs removed; DADA2 classifications keyed by ASV ID."""

from __future__ import annotations

import pandas as pd
import pytest
from gutbrain.asv import asv_id
from gutbrain.asv_outputs import assignments_by_asv
from gutbrain.errors import InputError
from gutbrain.steps.taxonomy import filter_taxonomy

SEQ_A = "TACGGAGGATCCGAGCGTTATCCGGATTTATTGGGTTTAAAGGGAGCGTAG" * 5
SEQ_B = "TACGTAGGTGGCAAGCGTTATCCGGATTTATTGGGCGTAAAGCGAGCGCAG" * 5


def test_filter_taxonomy_removes_and_counts_off_target(tmp_path):
    table = tmp_path / "asv_table.tsv"
    pd.DataFrame({"asv_id": ["A", "B"], "s1": [10, 5], "s2": [0, 3]}).to_csv(
        table, sep="\t", index=False
    )
    assign = tmp_path / "assign.tsv"
    pd.DataFrame(
        {
            "asv_id": ["A", "B"],
            "Kingdom": ["Bacteria", "Bacteria"],
            "Phylum": ["Firmicutes", "Cyanobacteria"],
            "Class": ["Clostridia", "Cyanobacteriia"],
            "Order": ["O", "Chloroplast"],
            "Family": ["F", ""],
            "Genus": ["G", ""],
            "boot_Kingdom": [100, 100],
            "boot_Phylum": [99, 90],
            "boot_Class": [90, 80],
            "boot_Order": [80, 70],
            "boot_Family": [70, 20],
            "boot_Genus": [60, 10],
        }
    ).to_csv(assign, sep="\t", index=False)
    outs = [str(tmp_path / n) for n in ("tax.tsv", "filtered.tsv", "summary.tsv")]
    filter_taxonomy(str(assign), str(table), "dada2", 0.8, ["chloroplast"], *outs)
    tax = pd.read_csv(outs[0], sep="\t")
    assert list(tax["status"]) == ["kept", "off_target:chloroplast"]
    assert tax.loc[0, "genus_conf"] == pytest.approx(0.6)
    filtered = pd.read_csv(outs[1], sep="\t")
    assert list(filtered["asv_id"]) == ["A"]
    summary = pd.read_csv(outs[2], sep="\t").set_index("status")
    assert summary.loc["off_target:chloroplast", "s1"] == 5
    assert summary.loc["off_target:chloroplast", "asvs"] == 1


def test_assignments_by_asv_keys_by_id_and_names_missing(tmp_path):
    by_seq = tmp_path / "by_sequence.tsv"
    pd.DataFrame(
        {
            "sequence": [SEQ_A.lower(), SEQ_B],
            "Kingdom": ["Bacteria", "Bacteria"],
            "Genus": ["Roseburia", ""],
            "boot_Kingdom": [100, 99],
            "boot_Genus": [88, 20],
        }
    ).to_csv(by_seq, sep="\t", index=False)
    fasta = tmp_path / "asvs.fasta"
    fasta.write_text(f">{asv_id(SEQ_A)}\n{SEQ_A}\n")
    rows = assignments_by_asv(str(by_seq), str(fasta), str(tmp_path / "out.tsv"))
    assert list(rows["asv_id"]) == [asv_id(SEQ_A)]
    assert rows.loc[0, "Genus"] == "Roseburia"
    fasta.write_text(f">ASV_x\n{'ACGT' * 30}\n")
    with pytest.raises(InputError, match="1 ASVs of .* have no classification"):
        assignments_by_asv(str(by_seq), str(fasta), str(tmp_path / "out.tsv"))
