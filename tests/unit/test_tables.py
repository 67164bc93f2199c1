"""The table declarations (gutbrain.tables): paths with fields, reading through a declaration,
and every path the rule files name under results/ coming from a declaration."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from gutbrain import tables
from gutbrain.errors import InputError

REPO = Path(__file__).resolve().parents[2]


def test_paths_fill_their_fields_and_keep_wildcards():
    assert tables.published("seqtab", method="unoise3") == "results/asv/unoise3/seqtab.tsv"
    assert (tables.published("prepare_counts", "out", sample="{sample}")
            == "out/asv/unoise3/counts/{sample}.tsv")
    assert tables.published("asv_taxonomy") == "results/taxonomy/asv_taxonomy.tsv"
    with pytest.raises(KeyError):
        tables.published("assignments")  # {method} must be given


def test_read_keeps_ids_as_text_and_names_a_missing_column(tmp_path):
    path = tmp_path / "tracking.tsv"
    path.write_text("sample\tdenoised\tnonchimeric\n007\t12\t10\n")
    frame = tables.read("denoise_tracking", path)  # UNOISE3's shape: the required columns
    assert frame.loc[0, "sample"] == "007" and frame.loc[0, "nonchimeric"] == 10
    path.write_text("sample\tdenoised\n007\t12\n")
    with pytest.raises(InputError, match=r"tracking.tsv: lacks column\(s\) nonchimeric"):
        tables.read("denoise_tracking", path)


def test_every_table_has_a_distinct_path():
    paths = [t.path for t in tables.TABLES.values()]
    assert len(paths) == len(set(paths))


def test_rule_files_take_declared_paths_from_the_declaration():
    """No rule file spells out the path of a declared table: it takes it from published(name),
    so that the path is written once."""
    rules = {smk.name: smk.read_text() for smk in (REPO / "workflow" / "rules").glob("*.smk")}
    found = []
    for table in tables.TABLES.values():
        # The path as a rule file would spell it, its {fields} as any text.
        pattern = re.escape(table.path)
        pattern = re.sub(r"\\\{\w+\\\}", r"[^/\"]+", pattern)
        for name, text in rules.items():
            found += [f"{name}: {m}" for m in re.findall(r"\{RESULTS\}/" + pattern + '"', text)]
    assert not found, "\n".join(found)
