"""The function step (gutbrain.steps.function): official module files scored on KO abundances;
PICRUSt2 output ingested."""

from __future__ import annotations

import pandas as pd
from gutbrain.steps.function import score_module_files


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


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_ingest_picrust2_writes_ec_abundance_from_ec_predictions(repo, tmp_path):
    """PICRUSt2's per-ASV EC copies become ec_abundance.tsv: count / 16S copies x EC copies."""
    from gutbrain.steps.function import ingest_picrust2

    table = _write(tmp_path / "asv.tsv", "asv_id\ts1\ts2\na1\t10\t0\na2\t4\t8\na3\t5\t5\n")
    taxonomy = _write(
        tmp_path / "tax.tsv",
        "asv_id\tkingdom\tgenus\na1\tBacteria\tBacteroides\na2\tBacteria\tRoseburia\n"
        "a3\tBacteria\t\n",
    )
    marker = _write(
        tmp_path / "marker.tsv",
        "sequence\t16S_rRNA_Count\tmetadata_NSTI\na1\t2\t0.1\na2\t4\t0.2\na3\t1\t3.5\n",
    )
    kos = _write(tmp_path / "ko.tsv", "sequence\tK01580\tK00929\na1\t1\t0\na2\t0\t1\na3\t1\t1\n")
    ecs = _write(
        tmp_path / "ec.tsv",
        "sequence\tEC:4.1.1.15\tEC:2.7.2.7\na1\t1\t0\na2\t0\t2\na3\t1\t1\n",
    )
    out = {k: str(tmp_path / f"{k}.tsv") for k in (
        "hits", "predictions", "asv_ko", "ko_abundance", "ec_abundance", "contributions",
        "confidence", "confidence_mqc")}
    ingest_picrust2(
        asv_table=table, taxonomy=taxonomy, functions=kos, marker=marker,
        catalog=str(repo / "resources/module_catalog.yaml"),
        markers=str(repo / "resources/marker_genes.yaml"),
        max_nsti=2.0, out=out, ec_functions=ecs,
    )
    ec = pd.read_csv(out["ec_abundance"], sep="\t", index_col="ec")
    # a3 is beyond NSTI 2: not predicted. s1: a1 10/2 x 1; a2 4/4 x 2.
    assert ec.loc["EC:4.1.1.15", "s1"] == 5.0
    assert ec.loc["EC:2.7.2.7", "s1"] == 2.0
    assert ec.loc["EC:2.7.2.7", "s2"] == 4.0
    assert ec.loc["EC:4.1.1.15", "s2"] == 0.0


def test_predict_function_genus_writes_the_tables_and_the_provenance(repo, tmp_path):
    """Genus-profile prediction from the shipped reference: every function table, then the
    provenance of the reference and the catalogs."""
    from gutbrain.steps.function import predict_function_genus

    table = _write(tmp_path / "asv.tsv", "asv_id\ts1\ts2\na1\t10\t0\na2\t4\t8\n")
    taxonomy = _write(
        tmp_path / "tax.tsv", "asv_id\tkingdom\tgenus\na1\tBacteria\tBacteroides\na2\tBacteria\t\n"
    )
    out = {k: str(tmp_path / f"{k}.tsv") for k in (
        "hits", "predictions", "asv_ko", "ko_abundance", "ec_abundance", "contributions",
        "confidence", "confidence_mqc", "provenance")}
    predict_function_genus(
        asv_table=table, taxonomy=taxonomy, reference=str(repo / "resources/genus_profile"),
        catalog=str(repo / "resources/module_catalog.yaml"),
        markers=str(repo / "resources/marker_genes.yaml"), out=out,
    )
    preds = pd.read_csv(out["predictions"], sep="\t", index_col="asv_id")
    assert list(preds.index) == ["a1", "a2"]
    provenance = pd.read_csv(out["provenance"], sep="\t")
    assert set(provenance["kind"]) == {"function_reference:genus_profile", "resource"}
    # The nearest-genome method's hits table, with no rows (parsed as such, no comment line).
    from gutbrain.predict import CONFIDENCE_COLUMNS, parse_hits

    assert parse_hits(out["hits"]).empty
    confidence = pd.read_csv(out["confidence"], sep="\t")
    assert list(confidence.columns) == CONFIDENCE_COLUMNS
