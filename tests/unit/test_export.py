"""Results in other tools' formats (gutbrain.steps.export)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from gutbrain.steps.export import biom_with_metadata, picrust2_layout


def test_biom_carries_taxonomy_and_sample_metadata() -> None:
    table = pd.DataFrame({"S1": [5, 0], "S2": [1, 2]}, index=["ASV_a", "ASV_b"])
    taxonomy = pd.DataFrame({"kingdom": ["Bacteria"], "genus": ["Roseburia"]}, index=["ASV_a"])
    samples = pd.DataFrame({"group": ["case", "control"]}, index=["S1", "S2"])
    doc = json.loads(biom_with_metadata(table, taxonomy, samples, "test"))
    assert doc["type"] == "OTU table" and doc["shape"] == [2, 2]
    rows = {r["id"]: r["metadata"]["taxonomy"] for r in doc["rows"]}
    assert rows["ASV_a"][0] == "k__Bacteria" and rows["ASV_a"][5] == "g__Roseburia"
    assert rows["ASV_b"] == ["k__", "p__", "c__", "o__", "f__", "g__", "s__"]
    assert [c["metadata"]["group"] for c in doc["columns"]] == ["case", "control"]


def test_picrust2_layout_names_the_first_column_function(tmp_path: Path) -> None:
    ours = tmp_path / "ec.tsv"
    ours.write_text("ec\tS1\tS2\nEC:1.1.1.1\t1.5\t0\n")
    out = tmp_path / "EC_pred_metagenome_unstrat.tsv"
    picrust2_layout("ec_abundance", str(ours), str(out))
    assert out.read_text().splitlines() == ["function\tS1\tS2", "EC:1.1.1.1\t1.5\t0"]


def test_a_published_table_lacking_its_id_column_is_named(tmp_path: Path) -> None:
    from gutbrain.errors import InputError

    ours = tmp_path / "ec.tsv"
    ours.write_text("function\tS1\nEC:1.1.1.1\t1.5\n")
    with pytest.raises(InputError, match="lacks column.s. ec of the published table ec_abundance"):
        picrust2_layout("ec_abundance", str(ours), str(tmp_path / "out.tsv"))
