"""Checks on the shipped resources: module_catalog.yaml and marker_genes.yaml."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest
from gutbrain.catalog import load_catalog
from gutbrain.markers import catalog_kos, load_markers
from gutbrain.modules import Module
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
        assert module.direction in ("synthesis", "degradation", "conversion")
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
        # catalog 1.1 corrections (docs/modules.md, "Catalog changes")
        ("GB_NEURO_DOPA_SYN", {"K01593", "K22330", "K01592"}),
        ("GB_NEURO_GLU_DEG_HGDH", {"K20903", "K20904", "K01039", "K01040", "K01615"}),
        ("GB_NEURO_QUIN_SYN", {"K00278", "K06989", "K03517"}),
        ("GB_NEURO_QUIN_DEG", {"K00767", "K00969", "K06210", "K01916", "K01950"}),
        ("GB_NEURO_TRP_TRYPTAMINE", {"K22433"}),
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


def _step_of(module: Module, ko: str) -> int:
    return next(i for i, step in enumerate(module.steps) if any(ko in alt for alt in step))


def test_catalog_corrections(modules: list[Module]) -> None:
    by_id = {m.id: m for m in modules}
    # DOPA step 2: tyrDC and K01592 are alternatives of the L-DOPA decarboxylation step.
    dopa = by_id["GB_NEURO_DOPA_SYN"]
    assert _step_of(dopa, "K22330") == _step_of(dopa, "K01592") == _step_of(dopa, "K01593") == 1
    # hgdAB is one complex, the committed (required) step; K00109 carries a caveat.
    hgdh = by_id["GB_NEURO_GLU_DEG_HGDH"]
    assert ("K20903", "K20904") in hgdh.steps[_step_of(hgdh, "K20903")]
    assert _step_of(hgdh, "K20903") in hgdh.required
    text = (CATALOG.read_text(encoding="utf-8").split("id: GB_NEURO_GLU_DEG_HGDH")[1]
            .split("  - id:")[0])
    assert "L-2-hydroxyglutarate dehydrogenase" in text
    # K00209 (fabV/ter) is no longer an alternative for crotonyl-CoA => butyryl-CoA.
    for module in modules:
        if module.category == "scfa:butyrate":
            assert "K00209" not in module.kos, module.id
    # acetylcholinesterase is animal: not predictable.
    assert not by_id["GB_NEURO_ACH_DEG"].predictable
    # M00115: K06989 with nadB, K06210 with nadD.
    quin_syn, quin_deg = by_id["GB_NEURO_QUIN_SYN"], by_id["GB_NEURO_QUIN_DEG"]
    assert _step_of(quin_syn, "K06989") == _step_of(quin_syn, "K00278")
    assert _step_of(quin_deg, "K06210") == _step_of(quin_deg, "K00969")
    # directions and categories
    assert by_id["GB_NEURO_DOPAC_SYN"].direction == "conversion"
    assert by_id["GB_NEURO_HISTIDINE_DEG"].category == "neuro:histidine"
    assert by_id["GB_NEURO_TRP_INDOLE"].direction == "synthesis"


# The defining step of key modules (GMM MF0088/89, GBM MGB052/53, lactoscfa release steps).
@pytest.mark.parametrize(
    ("module_id", "kos"),
    [
        ("GB_SCFA_BUT_BUK", {"K00634", "K00929"}),
        ("GB_SCFA_BUT_BUT", {"K01034", "K01035", "K19709"}),
        ("GB_SCFA_PRO_SUCC", {"K01604", "K11264", "K03416", "K17489", "K17490"}),
        ("GB_NEURO_GABA_GAD", {"K01580"}),
        ("GB_NEURO_HIS_SYN", {"K01590"}),
        ("GB_SCFA_ACE_PTA_ACK", {"K00625", "K13788", "K15024", "K00925"}),
    ],
)
def test_required_steps(modules: list[Module], module_id: str, kos: set[str]) -> None:
    module = {m.id: m for m in modules}[module_id]
    required = {k for i in module.required for alt in module.steps[i] for k in alt}
    assert required == kos


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
        ("K01592", "tyrosine decarboxylase"), ("K20903", "2-hydroxyglutaryl-CoA dehydratase"),
        ("K20904", "2-hydroxyglutaryl-CoA dehydratase"), ("K06989", "aspartate dehydrogenase"),
        ("K06210", "nicotinamide mononucleotide adenylyltransferase"),
        ("K22433", "L-tryptophan decarboxylase"), ("K00109", "2-hydroxyglutarate dehydrogenase"),
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


def test_marker_subunits_are_complexes() -> None:
    """Subunits of one enzyme form one alternative (averaged); true alternatives stay apart."""
    markers = {m.id: m for m in load_markers(MARKERS)}
    assert markers["lcdA"].alternatives == (("K20626", "K20627"),)
    assert markers["pduCDE"].alternatives == (("K01699", "K13919", "K13920"),)
    assert markers["but_proxy"].alternatives == (("K01034", "K01035"), ("K19709",))
    assert markers["gdh"].alternatives == (("K00261",), ("K00262",))
