"""Tests for gutbrain.io: the text-table reader and the MultiQC custom-content writer."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from gutbrain.errors import InputError
from gutbrain.io import read_text_table, write_mqc_table


def test_read_text_table_keeps_text_and_names_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text("a\tb\n1\t\nNA\tx\n", encoding="utf-8")
    table = read_text_table(path, ["a", "b"])
    assert table.to_dict("list") == {"a": ["1", "NA"], "b": ["", "x"]}
    with pytest.raises(InputError, match=r"t\.tsv: line 1: missing column\(s\) \['c'\].*do this"):
        read_text_table(path, ["a", "c"], hint="do this")
    with pytest.raises(InputError, match=r"absent\.tsv: file not found; make it"):
        read_text_table(tmp_path / "absent.tsv", not_found="make it")
    empty = tmp_path / "empty.tsv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match=r"empty\.tsv: not a tab-separated table"):
        read_text_table(empty)


def test_write_mqc_table(tmp_path: Path) -> None:
    table = pd.DataFrame({"sample": ["S1"], "x": [1 / 3]}).set_index("sample")
    out = tmp_path / "t_mqc.tsv"
    write_mqc_table(table, out, "my_id", "My table", "It's a table")
    assert out.read_text(encoding="utf-8") == (
        "# id: 'my_id'\n# section_name: 'My table'\n# description: 'It''s a table'\n"
        "# plot_type: 'table'\nsample\tx\nS1\t0.3333\n"
    )


def test_write_tsv_writes_the_bytes_of_pandas_to_csv(tmp_path: Path) -> None:
    import numpy as np
    from gutbrain.io import write_tsv

    frames = {
        "mixed": pd.DataFrame({
            "id": ["a", "b\tc", 'q"x', None],
            "f64": [1 / 3, np.nan, 1e-12, -0.0],
            "f32": np.array([0.1, 2.5, np.inf, 123456789], dtype=np.float32),
            "int": [1, -2, 3, 4],
            "flag": [True, False, True, False],
            "obj": pd.Series([1.5, "x", None, 7], dtype=object),
        }),
        "text": pd.DataFrame({"s": pd.array(["x", pd.NA], dtype="string"), "n": [1, 2]}),
        "empty": pd.DataFrame(columns=["ec", "S1"]),
        "number_labels": pd.DataFrame({0.5: [1.0], 2: [3]}),
        "nullable": pd.DataFrame({"n": pd.array([1, None], dtype="Int64")}),
    }
    for name, frame in frames.items():
        out = tmp_path / f"{name}.tsv"
        write_tsv(frame, out)
        expected = frame.to_csv(sep="\t", index=False, float_format="%.6g", lineterminator="\n")
        assert out.read_text(encoding="utf-8") == expected, name
    write_tsv(frames["mixed"], tmp_path / "index.tsv", index=True)
    assert (tmp_path / "index.tsv").read_text(encoding="utf-8") == frames["mixed"].to_csv(
        sep="\t", float_format="%.6g", lineterminator="\n")


def test_write_tsv_formats_large_tables_in_blocks_with_the_same_bytes(tmp_path, monkeypatch):
    import numpy as np
    from gutbrain import io

    calls = []
    original = io._csv_columns
    monkeypatch.setattr(io, "_BLOCK_CELLS", 12)  # 4 rows of 3 columns per block
    monkeypatch.setattr(io, "_csv_columns", lambda df: calls.append(len(df)) or original(df))
    frame = pd.DataFrame({
        "asv": [f"ASV_{i}" for i in range(10)],
        "K00001": np.linspace(0, 1, 10, dtype=np.float32),
        "K00002": np.arange(10) * 1e-7,
    })
    io.write_tsv(frame, tmp_path / "blocks.tsv")
    assert calls == [4, 4, 2]
    assert (tmp_path / "blocks.tsv").read_text(encoding="utf-8") == frame.to_csv(
        sep="\t", index=False, float_format="%.6g", lineterminator="\n")
