"""Genus profile reference: genus names, building from genome tables, loading, KOs from ECs."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from gutbrain.errors import InputError
from gutbrain.genus_profile import (
    build_profile,
    build_reference,
    genus_of_genome,
    ko_profile,
    load_profile,
    normalise_genus,
    read_genome_ec_table,
    read_ko_ec_crosswalk,
)

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "resources" / "genus_profile"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Faecalibacterium", "Faecalibacterium"),
        ("g__Faecalibacterium", "Faecalibacterium"),
        ("g:Roseburia", "Roseburia"),
        ("[Eubacterium]", "Eubacterium"),
        ("Prevotella_9", None),
        ("Prevotella_A", "Prevotella"),
        ("Escherichia-Shigella", "Escherichia"),
        ("Escherichia/Shigella", "Escherichia"),
        ("Clostridium_sensu_stricto_1", "Clostridium"),
        ("Clostridium sensu stricto 1", "Clostridium"),
        ("[Ruminococcus]_torques_group", "Ruminococcus"),
        ("Lachnospiraceae_NK4A136_group", None),
        ("Candidatus Soleaferrea", "Soleaferrea"),
        ("uncultured", None),
        ("", None),
        ("NA", None),
        ("Lachnospiraceae", None),
        ("Clostridium_XlVa", None),
    ],
)
def test_normalise_genus(raw: str, expected: str | None) -> None:
    assert normalise_genus(raw) == expected


@pytest.mark.parametrize(
    ("genome", "expected"),
    [
        ("Bacteroides_fragilis_638R", "Bacteroides"),
        ("Lachnospiraceae_bacterium_3_1_57FAA_CT1", None),
        ("candidate_division_SR1_bacterium_taxon_345", None),
        ("Candidatus_Arthromitus_sp._SFB-mouse", "Arthromitus"),
        ("[Clostridium]_symbiosum_ATCC_14940", "Clostridium"),
    ],
)
def test_genus_of_genome(genome: str, expected: str | None) -> None:
    assert genus_of_genome(genome) == expected


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


def test_ko_profile_min_over_known_ecs_and_unknown_kos_absent() -> None:
    ec = pd.DataFrame({"EC:1.1.1.1": [2.0, 0.0], "EC:2.2.2.2": [1.0, 3.0]},
                      index=pd.Index(["A", "B"], name="genus"))
    crosswalk = pd.DataFrame({
        "ko": ["K00001", "K00002", "K00002", "K00003", "K00004"],
        "ec": ["EC:1.1.1.1", "EC:1.1.1.1", "EC:2.2.2.2", "EC:9.9.9.9", "EC:2.2.2.2"],
    })
    kos = ko_profile(ec, crosswalk)
    assert list(kos.columns) == ["K00001", "K00002", "K00004"]  # K00003: EC not annotated
    assert kos.loc["A", "K00002"] == 1.0  # min(2, 1)
    assert kos.loc["B", "K00002"] == 0.0
    assert kos.loc["B", "K00004"] == 3.0


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
    build_reference(_genome_table(tmp_path), copies, ko_info, tmp_path / "ref")
    profile = load_profile(tmp_path / "ref")
    assert profile.ec.loc["Bacteroides", "EC:4.1.1.15"] == pytest.approx(1.0)
    assert profile.fraction.loc["Roseburia", "EC:2.7.2.7"] == pytest.approx(1.0)
    assert profile.manifest["kind"] == "genus_profile"
    assert set(profile.ko_ec["ko"]) == {"K01580", "K00929"}


def test_load_profile_names_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="missing file"):
        load_profile(tmp_path)


def test_shipped_reference_loads_with_gut_genera() -> None:
    profile = load_profile(SHIPPED)
    assert len(profile.genera) > 300
    for genus in ("Bacteroides", "Faecalibacterium", "Roseburia", "Bifidobacterium"):
        assert genus in profile.genera.index
    # Real biology the literature table could not give: gut anaerobes carry acetate kinase and
    # Bacteroides carries glutamate decarboxylase in most genomes.
    assert profile.fraction.loc["Bacteroides", "EC:4.1.1.15"] > 0.5
    assert profile.fraction.loc["Faecalibacterium", "EC:2.7.2.1"] > 0.5
    # Tryptophanase (indole): nearly every Escherichia genome, no Bifidobacterium genome.
    assert profile.fraction.loc["Escherichia", "EC:4.1.99.1"] > 0.9
    assert profile.fraction.loc["Bifidobacterium", "EC:4.1.99.1"] == 0


@pytest.mark.shared_data
def test_shipped_reference_is_rebuilt_identically(shared_data: Path, tmp_path: Path) -> None:
    """The shipped files are what the build script makes from the shared source tables."""
    from gutbrain.genus_profile import SHIPPED_SOURCE

    build_reference(
        shared_data / "micfunpred" / "human_ec.tsv.gz",
        shared_data / "micfunpred" / "human_16S_cp.txt.gz",
        shared_data / "picrust2" / "description_mapfiles" / "ko_info.tsv.gz",
        tmp_path,
        SHIPPED_SOURCE,
    )
    for name in ("genera.tsv", "ec_profile.tsv.gz", "ec_annotated.txt", "ko_ec.tsv"):
        assert (tmp_path / name).read_bytes() == (SHIPPED / name).read_bytes(), name
