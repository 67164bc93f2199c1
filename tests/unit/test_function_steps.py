"""Function-step glue: official module files scored on a KO abundance table."""

from __future__ import annotations

import pandas as pd
from gutbrain.function_steps import score_module_files


def test_score_official_module_files(shared_data, tmp_path):
    abundance = pd.DataFrame(
        {"ko": ["K01580", "K00823", "K00135", "K01667"], "s1": [10.0, 5.0, 5.0, 0.0]}
    )
    path = tmp_path / "ko_abundance.tsv"
    abundance.to_csv(path, sep="\t", index=False)
    files = [
        str(shared_data / "modules" / "GBMs.v1.0.txt"),
        str(shared_data / "modules" / "GMMs.v1.07.txt"),
    ]
    out = tmp_path / "official.tsv"
    table = score_module_files(str(path), files, 0.66, str(out))
    assert set(table["module_file"]) == {"GBMs.v1.0.txt", "GMMs.v1.07.txt"}
    assert table["module"].str.startswith("MGB").sum() == 56
    assert table["module"].str.startswith("MF").sum() == 103
    # GBM noradrenaline synthesis is defined by non-KO groups: not predictable, never zero.
    assert set(table.loc[table["status"] == "not_predictable", "score"].isna()) == {True}
    assert out.exists()
