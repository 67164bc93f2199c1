"""Genus profile reference: genus names, loading, KOs from ECs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from gutbrain.errors import InputError
from gutbrain.genus_profile import genus_of_genome, ko_profile, load_profile, normalise_genus

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
        ("[Eubacterium]_coprostanoligenes_group", "Eubacterium"),
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


def test_silva_species_groups_find_the_species_current_genus() -> None:
    moved = {"Ruminococcus gnavus": "Mediterraneibacter", "Eubacterium hallii": "Anaerobutyricum"}
    assert normalise_genus("[Ruminococcus]_gnavus_group", moved) == "Mediterraneibacter"
    assert normalise_genus("[Eubacterium]_hallii_group", moved) == "Anaerobutyricum"
    assert normalise_genus("[Ruminococcus]_torques_group", moved) == "Ruminococcus"
    shipped = load_profile(Path(__file__).resolve().parents[2] / "resources" / "genus_profile")
    assert shipped.species_genera["Eubacterium rectale"] == "Agathobacter"
    assert "Agathobacter" in shipped.genera.index
