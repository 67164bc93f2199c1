"""Tests for gutbrain.markers: loading, per-sample abundance with top genera, catalog KOs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from gutbrain.errors import InputError
from gutbrain.markers import (
    Marker,
    catalog_kos,
    format_top_genera,
    load_markers,
    marker_abundance,
)
from gutbrain.modules import Module

MARKERS_YAML = """\
markers:
  - id: buk
    name: butyrate kinase
    kos: [K00929]
    category: scfa:butyrate
    source:
      - kegg: K00929
  - id: but_proxy
    name: but proxy
    kos: [K01034, K19709]
    category: scfa:butyrate
    proxy: true
    caveat: broader families
    source:
      - doi: 10.1128/JB.186.7.2099-2106.2004
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "markers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_markers(tmp_path: Path) -> None:
    markers = load_markers(_write(tmp_path, MARKERS_YAML))
    assert [m.id for m in markers] == ["buk", "but_proxy"]
    assert markers[1].kos == ("K01034", "K19709")
    assert markers[1].proxy and markers[1].caveat == "broader families"
    assert markers[0].source == ("KEGG:K00929",)
    assert markers[1].line == 8


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("[K00929]", "[K929]", "'K929' is not a KO ID"),
        ("    caveat: broader families\n", "", "needs a caveat"),
        ("    name: butyrate kinase\n", "", "key 'name': missing required key"),
        ("category: scfa:butyrate\n    source:\n      - kegg",
         "category: butyrate\n    source:\n      - kegg", "key 'category'"),
        ("    proxy: true\n", "    proxy: maybe\n", "must be true or false"),
        ("  - id: buk\n", "  - id: buk\n    colour: red\n", "unknown key"),
        ("markers:", "marker:", "'markers' list"),
    ],
)
def test_load_markers_errors(tmp_path: Path, old: str, new: str, fragment: str) -> None:
    assert old in MARKERS_YAML
    path = _write(tmp_path, MARKERS_YAML.replace(old, new, 1))
    with pytest.raises(InputError) as error:
        load_markers(path)
    assert str(path) in str(error.value)
    assert fragment in str(error.value)


def test_duplicate_marker_ids(tmp_path: Path) -> None:
    text = MARKERS_YAML.replace("id: but_proxy", "id: buk")
    with pytest.raises(InputError, match="marker buk, key 'id': duplicate"):
        load_markers(_write(tmp_path, text))


MARKERS = [
    Marker(id="buk", name="butyrate kinase", kos=("K00929",), category="scfa:butyrate",
           source=("KEGG:K00929",)),
    Marker(id="but_proxy", name="but", kos=("K01034", "K19709"), category="scfa:butyrate",
           source=("KEGG:K19709",), proxy=True, caveat="proxy"),
    Marker(id="absent", name="absent", kos=("K99999",), category="neuro:gaba",
           source=("KEGG:K99999",)),
]


def test_marker_abundance_sums_kos_and_names_genera() -> None:
    ko = pd.DataFrame({"ko": ["K00929", "K01034", "K19709"], "S1": [10.0, 3.0, 2.0],
                       "S2": [0.0, 1.0, 0.0]})
    contributions = pd.DataFrame({
        "sample": ["S1", "S1", "S1", "S1", "S2"],
        "ko": ["K00929", "K00929", "K00929", "K01034", "K01034"],
        "asv_id": ["a", "b", "c", "a", "a"],
        "genus": ["Faecalibacterium", "Roseburia", "", "Faecalibacterium", "Faecalibacterium"],
        "abundance": [6.2, 2.0, 1.8, 3.0, 1.0],
        "share": [0.62, 0.2, 0.18, 0.6, 1.0],
    })
    result = marker_abundance(ko, contributions, MARKERS, top_n=2)
    assert list(result.columns) == ["marker", "kos", "sample", "abundance", "top_genera",
                                    "status"]
    rows = result.set_index(["marker", "sample"])
    assert rows.loc[("buk", "S1"), "abundance"] == pytest.approx(10.0)
    assert rows.loc[("buk", "S1"), "top_genera"] == "Faecalibacterium (62%); Roseburia (20%)"
    assert rows.loc[("buk", "S2"), "top_genera"] == ""
    assert rows.loc[("but_proxy", "S1"), "abundance"] == pytest.approx(5.0)
    assert rows.loc[("but_proxy", "S1"), "kos"] == "K01034,K19709"
    assert rows.loc[("but_proxy", "S2"), "top_genera"] == "Faecalibacterium (100%)"
    # K99999 is not a row of the KO table: the reference cannot see it (not 0).
    assert pd.isna(rows.loc[("absent", "S1"), "abundance"])
    assert rows.loc[("absent", "S1"), "status"] == "not_measurable"
    assert rows.loc[("buk", "S1"), "status"] == "present"
    assert rows.loc[("buk", "S2"), "status"] == "absent"
    zero = marker_abundance(ko, contributions, MARKERS, missing="zero").set_index(
        ["marker", "sample"])
    assert zero.loc[("absent", "S1"), "abundance"] == 0.0
    assert zero.loc[("absent", "S1"), "status"] == "absent"
    three = marker_abundance(ko, contributions, MARKERS, top_n=3).set_index(["marker", "sample"])
    assert three.loc[("buk", "S1"), "top_genera"].endswith("unassigned (18%)")


def test_marker_abundance_without_contributions() -> None:
    ko = pd.DataFrame({"S1": [4.0]}, index=["K00929"])
    result = marker_abundance(ko, None, MARKERS[:1])
    assert result.to_dict("records") == [
        {"marker": "buk", "kos": "K00929", "sample": "S1", "abundance": 4.0, "top_genera": "",
         "status": "present"}]


COMPLEX_YAML = """\
markers:
  - id: lcdAB
    name: lactoyl-CoA dehydratase
    kos: [K20626+K20627]
    category: scfa:propionate
    source:
      - kegg: K20626
  - id: but_proxy
    name: but proxy
    kos: [K01034+K01035, K19709]
    category: scfa:butyrate
    proxy: true
    caveat: broader families
    source:
      - kegg: K19709
"""


def test_marker_subunits_are_averaged_and_alternatives_summed(tmp_path: Path) -> None:
    markers = load_markers(_write(tmp_path, COMPLEX_YAML))
    assert markers[0].kos == ("K20626", "K20627")
    assert markers[0].alternatives == (("K20626", "K20627"),)
    assert markers[1].alternatives == (("K01034", "K01035"), ("K19709",))
    # One genome with lcdA + lcdB is one enzyme; atoDA (one complex) + ydiF are two enzymes.
    ko = pd.DataFrame({"S1": [1.0, 1.0, 1.0, 1.0, 1.0]},
                      index=["K20626", "K20627", "K01034", "K01035", "K19709"])
    contributions = pd.DataFrame({
        "sample": ["S1"] * 5, "ko": ["K20626", "K20627", "K01034", "K01035", "K19709"],
        "asv_id": ["a", "a", "b", "b", "c"],
        "genus": ["Megasphaera", "Megasphaera", "Escherichia", "Escherichia", "Roseburia"],
        "abundance": [1.0] * 5, "share": [1.0] * 5,
    })
    rows = marker_abundance(ko, contributions, markers).set_index("marker")
    assert rows.loc["lcdAB", "abundance"] == pytest.approx(1.0)
    assert rows.loc["but_proxy", "abundance"] == pytest.approx(2.0)
    assert rows.loc["but_proxy", "kos"] == "K01034+K01035,K19709"
    assert rows.loc["but_proxy", "top_genera"] == "Escherichia (50%); Roseburia (50%)"


def test_marker_with_an_unseen_subunit_is_not_measurable(tmp_path: Path) -> None:
    markers = load_markers(_write(tmp_path, COMPLEX_YAML))
    ko = pd.DataFrame({"S1": [3.0, 0.0]}, index=["K20626", "K19709"])
    rows = marker_abundance(ko, None, markers).set_index("marker")
    assert rows.loc["lcdAB", "status"] == "not_measurable"  # K20627 unknown
    assert pd.isna(rows.loc["lcdAB", "abundance"])
    # the but proxy is measurable through ydiF alone, and absent.
    assert rows.loc["but_proxy", "status"] == "absent"
    assert rows.loc["but_proxy", "abundance"] == 0.0


def test_marker_abundance_rejects_incomplete_contributions() -> None:
    ko = pd.DataFrame({"S1": [4.0]}, index=["K00929"])
    with pytest.raises(InputError, match="genus"):
        marker_abundance(ko, pd.DataFrame({"sample": ["S1"], "ko": ["K00929"],
                                           "abundance": [1.0]}), MARKERS)


@pytest.mark.parametrize(
    ("values", "top_n", "expected"),
    [
        ({"B": 1.0, "A": 1.0}, 3, "A (50%); B (50%)"),
        ({"A": 0.0}, 3, ""),
        ({"A": 2.0, "B": 1.0, "C": 1.0}, 1, "A (50%)"),
    ],
)
def test_format_top_genera(values: dict[str, float], top_n: int, expected: str) -> None:
    assert format_top_genera(pd.Series(values), top_n) == expected


def test_catalog_kos_is_sorted_union_of_kos_only() -> None:
    module = Module(id="M", name="m", steps=((("K00002", "K00001"), ("COG0076",)),))
    assert catalog_kos([module], MARKERS[:2]) == ["K00001", "K00002", "K00929", "K01034",
                                                  "K19709"]


def test_alternatives_that_are_one_ec_to_the_reference_count_once() -> None:
    """pta K00625 and K13788 are both EC 2.3.1.8 to a reference that predicts KOs from ECs:
    one gene, counted once (each KO gets the EC's copies)."""
    marker = Marker(id="pta", name="pta", kos=("K00625", "K13788"), category="scfa:acetate",
                    source=("KEGG M00579",))
    ko = pd.DataFrame({"S1": [3.0, 3.0]}, index=["K00625", "K13788"])
    crosswalk = pd.DataFrame({"ko": ["K00625", "K13788"], "ec": ["EC:2.3.1.8", "EC:2.3.1.8"]})
    once = marker_abundance(ko, None, [marker], ko_ec=crosswalk)
    assert once["abundance"].tolist() == [3.0]
    # Without a crosswalk (KOs predicted as KOs) they are two genes.
    assert marker_abundance(ko, None, [marker])["abundance"].tolist() == [6.0]
