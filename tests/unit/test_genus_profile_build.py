"""Building a genus profile reference: genome tables, KEGG crosswalk, EC renumbering."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from gutbrain.errors import InputError
from gutbrain.genus_profile import load_profile
from gutbrain.genus_profile_build import (
    SHIPPED_SOURCE,
    build_profile,
    build_reference,
    read_ec_transfers,
    read_genome_ec_table,
    read_ko_ec_crosswalk,
    renumber_crosswalk,
    renumber_ec_columns,
)

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "resources" / "genus_profile"


def _genome_table(tmp_path: Path) -> Path:
    path = tmp_path / "ec.tsv.gz"
    text = (
        "\tEC:4.1.1.15\tEC:2.7.2.7\tEC:2.7.1.71,EC:4.2.3.4\tUnnamed: 5\n"
        "Bacteroides_fragilis_A\t2\t0\t1\t1\n"
        "Bacteroides_ovatus_B\t0\t0\t1\t0\n"
        "Roseburia_intestinalis_C\t0\t1\t0\t0\n"
        "Lachnospiraceae_bacterium_D\t5\t5\t5\t0\n"
    )
    with gzip.open(path, "wt") as handle:
        handle.write(text)
    return path


def test_read_genome_table_splits_multi_ec_columns_and_drops_unnamed(tmp_path: Path) -> None:
    table = read_genome_ec_table(_genome_table(tmp_path))
    assert "Unnamed: 5" not in table.columns
    assert table.loc["Bacteroides_fragilis_A", "EC:2.7.1.71"] == 1
    assert table.loc["Bacteroides_fragilis_A", "EC:4.2.3.4"] == 1


def test_read_genome_table_names_a_bad_cell(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("\tEC:1.1.1.1\nA_b\t1\nC_d\tx\n")
    with pytest.raises(InputError, match=r"line 3, column EC:1.1.1.1"):
        read_genome_ec_table(path)


def test_read_genome_table_rejects_non_ec_columns(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("\tK00001\nA_b\t1\n")
    with pytest.raises(InputError, match="not EC numbers"):
        read_genome_ec_table(path)


def test_build_profile_means_fractions_and_copies(tmp_path: Path) -> None:
    table = read_genome_ec_table(_genome_table(tmp_path))
    copies = pd.Series({"Bacteroides_fragilis_A": 6.0, "Bacteroides_ovatus_B": np.nan,
                        "Roseburia_intestinalis_C": 4.0})
    genera, ec_long, counts = build_profile(table, copies)
    assert counts == {"genomes": 4, "genomes_used": 3, "genomes_without_genus": 1, "genera": 2}
    g = genera.set_index("genus")
    assert g.loc["Bacteroides", "n_genomes"] == 2
    assert g.loc["Bacteroides", "n_genomes_16s"] == 1
    assert g.loc["Bacteroides", "mean_16s_copies"] == 6.0
    row = ec_long.set_index(["genus", "ec"]).loc[("Bacteroides", "EC:4.1.1.15")]
    assert row["mean_copies"] == 1.0  # (2 + 0) / 2 genomes
    assert row["fraction_genomes"] == 0.5
    # Zero means are not stored: Bacteroides has no butyrate kinase.
    assert ("Bacteroides", "EC:2.7.2.7") not in set(zip(ec_long["genus"], ec_long["ec"],
                                                         strict=True))


def test_crosswalk_reads_multi_ec_descriptions(tmp_path: Path) -> None:
    path = tmp_path / "ko_info.tsv"
    path.write_text(
        "K00001\tadh; alcohol dehydrogenase [EC:1.1.1.1]\n"
        "K01034\tatoD; acetate CoA-transferase [EC:2.8.3.8 2.8.3.9]\n"
        "K99999\tno enzyme\n"
    )
    pairs = read_ko_ec_crosswalk(path)
    assert set(map(tuple, pairs.to_numpy())) == {
        ("K00001", "EC:1.1.1.1"), ("K01034", "EC:2.8.3.8"), ("K01034", "EC:2.8.3.9")}


def test_built_reference_round_trips(tmp_path: Path) -> None:
    ko_info = tmp_path / "ko_info.tsv"
    ko_info.write_text("K01580\tgadB [EC:4.1.1.15]\nK00929\tbuk [EC:2.7.2.7]\n")
    copies = tmp_path / "copies.txt"
    copies.write_text("Bacteroides fragilis A\t6\nBacteroides ovatus B\t0\n")
    ec_names = tmp_path / "ec_name.txt"
    ec_names.write_text("4.1.1.15\tGlutamate decarboxylase\n")
    build_reference(_genome_table(tmp_path), copies, ko_info, ec_names, tmp_path / "ref")
    profile = load_profile(tmp_path / "ref")
    assert profile.ec.loc["Bacteroides", "EC:4.1.1.15"] == pytest.approx(1.0)
    assert profile.fraction.loc["Roseburia", "EC:2.7.2.7"] == pytest.approx(1.0)
    assert profile.manifest["kind"] == "genus_profile"
    assert set(profile.ko_ec["ko"]) == {"K01580", "K00929"}


def _ec_names(tmp_path: Path) -> Path:
    path = tmp_path / "ec_name.txt.gz"
    with gzip.open(path, "wt") as handle:
        handle.write(
            "1.2.1.2\tTransferred entry 1.17.1.9\n"
            "1.17.1.9\tFormate dehydrogenase\n"
            "1.1.1.1\tTransferred entry 1.1.1.2\n"  # a chain: 1.1.1.1 -> 1.1.1.2 -> 1.1.1.3
            "1.1.1.2\tTransferred entry 1.1.1.3\n"
            "2.2.2.2\tTransferred entry 2.2.2.3 and 2.2.2.4\n"  # split: not renumbered
        )
    return path


def test_transfers_follow_chains_and_skip_splits(tmp_path: Path) -> None:
    assert read_ec_transfers(_ec_names(tmp_path)) == {
        "EC:1.1.1.1": "EC:1.1.1.3",
        "EC:1.1.1.2": "EC:1.1.1.3",
        "EC:1.2.1.2": "EC:1.17.1.9",
    }


def test_unreadable_ec_name_table_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "ec_name.txt.gz"
    broken.write_bytes(b"not gzip")
    with pytest.raises(InputError, match=r"ec_name\.txt\.gz: cannot read the EC name table"):
        read_ec_transfers(broken)


def test_renumbering_keeps_the_larger_count_of_old_and_new_numbers(tmp_path: Path) -> None:
    """One gene is often listed under both numbers: the counts are not added."""
    genomes = pd.DataFrame(
        {"EC:1.2.1.2": [2.0, 0.0, 1.0], "EC:1.17.1.9": [0.0, 1.0, 1.0],
         "EC:2.2.2.2": [1.0, 1.0, 1.0]},
        index=["A_a", "B_b", "C_c"], dtype=np.float32)
    out = renumber_ec_columns(genomes, read_ec_transfers(_ec_names(tmp_path)))
    assert sorted(out.columns) == ["EC:1.17.1.9", "EC:2.2.2.2"]
    assert list(out["EC:1.17.1.9"]) == [2.0, 1.0, 1.0]
    assert out.dtypes.iloc[0] == np.float32


def test_a_ko_named_by_the_new_number_is_known_from_genomes_with_the_old_one(
    tmp_path: Path,
) -> None:
    """The failure this fixes: K00123 (EC 1.17.1.9) was unknown to genomes annotated 1.2.1.2."""
    ec_table = tmp_path / "ec.tsv"
    ec_table.write_text("\tEC:1.2.1.2\nEscherichia_coli_A\t2\nEscherichia_coli_B\t0\n")
    copies = tmp_path / "copies.txt"
    copies.write_text("Escherichia coli A\t7\n")
    ko_info = tmp_path / "ko_info.tsv"
    ko_info.write_text("K00123\tfdoG; formate dehydrogenase [EC:1.17.1.9]\n")
    build_reference(ec_table, copies, ko_info, _ec_names(tmp_path), tmp_path / "ref")
    profile = load_profile(tmp_path / "ref")
    assert list(profile.ec.columns) == ["EC:1.17.1.9"]
    assert profile.fraction.loc["Escherichia", "EC:1.17.1.9"] == pytest.approx(0.5)
    assert list(profile.ko_ec["ko"]) == ["K00123"]
    transferred = pd.read_csv(tmp_path / "ref" / "ec_transferred.tsv", sep="\t")
    assert ("EC:1.2.1.2", "EC:1.17.1.9") in set(zip(transferred["old_ec"], transferred["ec"],
                                                     strict=True))
    assert profile.manifest["counts"]["ecs_renumbered"] == 1


def test_crosswalk_pairs_with_old_numbers_are_renumbered() -> None:
    pairs = pd.DataFrame({"ko": ["K1", "K1", "K2"],
                          "ec": ["EC:1.2.1.2", "EC:1.17.1.9", "EC:3.3.3.3"]})
    out = renumber_crosswalk(pairs, {"EC:1.2.1.2": "EC:1.17.1.9"})
    assert set(map(tuple, out.to_numpy())) == {("K1", "EC:1.17.1.9"), ("K2", "EC:3.3.3.3")}


def test_shipped_reference_knows_formate_dehydrogenase_and_nitric_oxide_synthase() -> None:
    profile = load_profile(SHIPPED)
    known = set(profile.ko_ec["ko"])
    assert {"K00123", "K00491"} <= known
    assert "EC:1.2.1.2" not in profile.ec.columns
    assert profile.fraction.loc["Escherichia", "EC:1.17.1.9"] > 0.5


@pytest.mark.shared_data
@pytest.mark.slow
def test_shipped_reference_is_rebuilt_identically(shared_data: Path, tmp_path: Path) -> None:
    """The shipped files are what the build script makes from the shared source tables."""
    mapfiles = shared_data / "picrust2" / "description_mapfiles"
    build_reference(
        shared_data / "micfunpred" / "human_ec.tsv.gz",
        shared_data / "micfunpred" / "human_16S_cp.txt.gz",
        mapfiles / "ko_info.tsv.gz",
        mapfiles / "ec_name.txt.gz",
        tmp_path,
        SHIPPED_SOURCE,
        routes=SHIPPED.parent / "routes.tsv",
        species_genera=SHIPPED.parent / "species_genera.tsv",
    )
    for name in ("genera.tsv", "ec_profile.tsv.gz", "ec_annotated.txt", "ko_ec.tsv",
                 "ec_transferred.tsv", "route_carriers.tsv", "route_visibility.tsv",
                 "species_genera.tsv"):
        assert (tmp_path / name).read_bytes() == (SHIPPED / name).read_bytes(), name
