"""Checks on the shipped resources: module_catalog.yaml and marker_genes.yaml."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest
from gutbrain.markers import catalog_kos, load_markers
from gutbrain.modules import Module, load_catalog
from gutbrain.scoring import score_modules

REPO = Path(__file__).resolve().parents[2]
CATALOG = REPO / "resources" / "module_catalog.yaml"
MARKERS = REPO / "resources" / "marker_genes.yaml"
GBM_DOI = "doi:10.1038/s41564-018-0337-x"


@pytest.fixture(scope="module")
def modules() -> list[Module]:
    return load_catalog(CATALOG)


@pytest.fixture(scope="module")
def ko_names(shared_data: Path) -> dict[str, str]:
    path = shared_data / "picrust2" / "description_mapfiles" / "ko_name.txt.gz"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    names: dict[str, str] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            ko, _, name = line.rstrip("\n").partition("\t")
            names[ko.removeprefix("ko:")] = name
    return names


def test_catalog_loads_and_every_module_is_cited(modules: list[Module]) -> None:
    assert len(modules) >= 30
    for module in modules:
        assert module.source, module.id
        assert all(s.startswith(("KEGG:", "doi:")) for s in module.source), module.id
        assert module.direction in ("synthesis", "degradation")
        assert len(module.step_names) == len(module.steps)


REQUIRED_CATEGORIES = [
    "scfa:acetate", "scfa:propionate", "scfa:butyrate", "neuro:gaba", "neuro:glutamate",
    "neuro:tryptophan", "neuro:serotonin", "neuro:kynurenine", "neuro:dopamine",
    "neuro:histamine", "neuro:acetylcholine", "neuro:nitric_oxide", "neuro:quinolinic_acid",
    "neuro:p_cresol", "neuro:isovalerate", "neuro:noradrenaline",
]


@pytest.mark.parametrize("category", REQUIRED_CATEGORIES)
def test_required_categories_present(modules: list[Module], category: str) -> None:
    assert any(m.category == category for m in modules)


@pytest.mark.parametrize(
    ("module_id", "kos"),
    [
        ("GB_SCFA_ACE_PTA_ACK", {"K00625", "K00925"}),
        ("GB_SCFA_PRO_SUCC", {"K01847", "K05606", "K01604"}),
        ("GB_SCFA_PRO_ACR", {"K20626", "K20627", "K01026"}),
        ("GB_SCFA_PRO_PDU", {"K01699", "K13919", "K13920", "K13922"}),
        ("GB_SCFA_BUT_BUK", {"K00626", "K00074", "K01715", "K00248", "K00634", "K00929"}),
        ("GB_SCFA_BUT_BUT", {"K01034", "K01035", "K19709"}),
        ("GB_NEURO_GABA_GAD", {"K01580"}),
        ("GB_NEURO_GABA_PUU", {"K09470", "K09471", "K09472", "K09473"}),
        ("GB_NEURO_GABA_DEG", {"K13524", "K07250", "K00823", "K00135"}),
        ("GB_NEURO_TRP_KYN", {"K00453", "K01432"}),
        ("GB_NEURO_TRP_TRYPTAMINE", {"K01593"}),
        ("GB_NEURO_TRP_INDOLE", {"K01667"}),
        ("GB_NEURO_HIS_SYN", {"K01590"}),
        ("GB_NEURO_QUIN_SYN", {"K03517", "K00278"}),
        ("GB_NEURO_ACH_DEG", {"K01049"}),
    ],
)
def test_key_modules_name_the_expected_kos(modules: list[Module], module_id: str,
                                           kos: set[str]) -> None:
    by_id = {m.id: m for m in modules}
    assert kos <= set(by_id[module_id].kos)


@pytest.mark.parametrize("module_id", ["GB_NEURO_NORADR_SYN", "GB_NEURO_ADR_SYN"])
def test_noradrenaline_and_adrenaline_are_not_predictable(modules: list[Module],
                                                          module_id: str) -> None:
    module = {m.id: m for m in modules}[module_id]
    assert not module.predictable
    assert "not predictable from 16S" in module.reason
    table = pd.DataFrame({"S1": [100.0]}, index=["K00503"])
    row = score_modules(table, [module], 0.5).iloc[0]
    assert row["status"] == "not_predictable"
    assert pd.isna(row["score"])


def test_proxy_butyrate_module_carries_a_caveat(modules: list[Module]) -> None:
    module = {m.id: m for m in modules}["GB_SCFA_BUT_BUT"]
    assert "no KEGG ortholog of its own" in module.caveat


def test_gbm_derived_modules_cite_the_paper(modules: list[Module]) -> None:
    for module in modules:
        if any("GBM MGB" in s for s in module.source):
            assert any(s.startswith(GBM_DOI) for s in module.source), module.id


@pytest.mark.shared_data
def test_catalog_and_marker_kos_exist_in_kegg(ko_names: dict[str, str],
                                              modules: list[Module]) -> None:
    markers = load_markers(MARKERS)
    missing = [ko for ko in catalog_kos(modules, markers) if ko not in ko_names]
    assert missing == []


# Spot checks that KO numbers fit the enzyme named in the step (KEGG names, ko_name.txt).
@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("ko", "words"),
    [
        ("K01580", "glutamate decarboxylase"), ("K00929", "butyrate kinase"),
        ("K00634", "phosphate butyryltransferase"), ("K00925", "acetate kinase"),
        ("K01604", "methylmalonyl-CoA decarboxylase"), ("K20626", "lactoyl-CoA dehydratase"),
        ("K01699", "propanediol dehydratase"), ("K01667", "tryptophanase"),
        ("K01590", "histidine decarboxylase"), ("K01556", "kynureninase"),
        ("K00453", "tryptophan 2,3-dioxygenase"), ("K03517", "quinolinate synthase"),
        ("K00278", "L-aspartate oxidase"), ("K01593", "aromatic-L-amino-acid"),
        ("K00503", "dopamine beta-monooxygenase"), ("K00553", "phenylethanolamine"),
        ("K18427", "4-hydroxyphenylacetate decarboxylase"), ("K00491", "nitric-oxide synthase"),
        ("K01049", "acetylcholinesterase"), ("K22330", "tyrosine decarboxylase"),
    ],
)
def test_ko_names_fit(ko_names: dict[str, str], ko: str, words: str) -> None:
    assert words in ko_names[ko]


@pytest.mark.shared_data
def test_kegg_sourced_modules_use_kos_from_that_kegg_module(shared_data: Path,
                                                            modules: list[Module]) -> None:
    """Every cited KEGG module exists and shares a KO with ours; a cited KO is one we use."""
    table = pd.read_csv(shared_data / "kegg_module_defs" / "kegg_modules_table_kpc1.4.4.tsv",
                        sep="\t", index_col=0)
    for module in modules:
        for source in module.source:
            kegg_id = source.split(";")[0].removeprefix("KEGG:")
            if source.startswith("KEGG:M"):
                assert kegg_id in table.index, (module.id, kegg_id)
                assert any(ko in table.loc[kegg_id, "definition"] for ko in module.kos), module.id
            elif source.startswith("KEGG:K"):
                assert kegg_id in module.kos, (module.id, kegg_id)


def test_markers_load_and_cover_required_genes() -> None:
    markers = {m.id: m for m in load_markers(MARKERS)}
    required = {"gadB": "K01580", "aadc": "K01593", "tnaA": "K01667", "hdc": "K01590",
                "buk": "K00929", "ptb": "K00634", "mmdA": "K01604", "lcdA": "K20626",
                "pduCDE": "K01699", "ackA": "K00925", "gdh": "K00261", "kynU": "K01556",
                "kynA": "K00453", "nadA": "K03517", "but_proxy": "K19709"}
    for marker_id, ko in required.items():
        assert ko in markers[marker_id].kos
    assert markers["but_proxy"].proxy and markers["but_proxy"].caveat
