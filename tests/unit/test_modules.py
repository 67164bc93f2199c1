"""Tests for gutbrain.modules, omixer, catalog and yaml_checks: model, parsers, loader, checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from gutbrain.catalog import load_catalog
from gutbrain.errors import InputError
from gutbrain.modules import (
    is_ko,
    unknown_ortholog_messages,
    unknown_orthologs,
    unpredictable_steps,
)
from gutbrain.omixer import parse_omixer_modules, read_module_names

GOOD = (
    "MF0001\tsome module 1\n"
    "K00001\n"
    "K00002,K00003\tK00009\n"
    "///\n"
    "\n"
    "MGX02\tNoradrenaline synthesis\n"
    "NOG132553\n"
    "///\n"
    "MF0003\tmixed\n"
    "K00004\tCOG0076\n"
    "K00448,TIGR02422\n"
)


def _write(tmp_path: Path, text: str, name: str = "mods.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_parse_omixer_structure_and_predictability(tmp_path: Path) -> None:
    modules = parse_omixer_modules(_write(tmp_path, GOOD))
    assert [m.id for m in modules] == ["MF0001", "MGX02", "MF0003"]
    first = modules[0]
    assert first.name == "some module 1"
    assert first.steps == ((("K00001",),), (("K00002", "K00003"), ("K00009",)))
    assert first.step_lines == (2, 3)
    assert first.predictable and first.reason == ""
    # only non-KO groups: not predictable, reason names the line
    assert not modules[1].predictable
    assert "line 7" in modules[1].reason and "NOG132553" in modules[1].reason
    assert modules[1].direction == "synthesis"
    # last module closed by end of file; step 2 has only a mixed KO/TIGRFAM complex
    assert modules[2].line == 9
    assert not modules[2].predictable
    assert unpredictable_steps(modules[2].steps) == [1]


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("MF1\tm\nK00001\n\nK00002\n///\n", 3, "empty step"),
        ("MF1\tm\nK00001\n///\nMF1\tagain\nK00002\n///\n", 4, "duplicate module ID MF1"),
        ("MF1\tm\nK00001\nMF2\tnext module\nK00002\n///\n", 3, "missing '///'"),
        ("MF1\tm\nK00001\t\tK00002\n///\n", 2, "empty alternative"),
        ("MF1\tm\nK00001,,K00002\n///\n", 2, "empty alternative"),
        ("MF1\tm\nK00001 K00002\n///\n", 2, "not an ortholog ID"),
        ("K00001\n///\n", 1, "module header"),
        ("///\n", 1, "without a module"),
        ("MF1\tm\n///\n", 2, "no reaction steps"),
    ],
)
def test_parse_omixer_syntax_errors(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as error:
        parse_omixer_modules(path)
    assert f"{path} line {line}" in str(error.value)
    assert fragment in str(error.value)


def test_names_file_overrides_names(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    names = _write(tmp_path, "MF0001\tBetter name\n\n", "mods.names")
    assert read_module_names(names) == {"MF0001": "Better name"}
    assert parse_omixer_modules(path, names)[0].name == "Better name"
    bad = _write(tmp_path, "MF0001 no tab\n", "bad.names")
    with pytest.raises(InputError, match="bad.names line 1"):
        read_module_names(bad)


@pytest.mark.parametrize(
    ("name", "count", "not_predictable"),
    [
        ("GBMs.v1.0.txt", 56,
         ["MGB001", "MGB003", "MGB011", "MGB013", "MGB014", "MGB017", "MGB030", "MGB042"]),
        ("GMMs.v1.07.txt", 103, []),
    ],
)
@pytest.mark.shared_data
def test_parse_published_module_files(shared_data: Path, name: str, count: int,
                                      not_predictable: list[str]) -> None:
    modules = parse_omixer_modules(shared_data / "modules" / name,
                                   shared_data / "modules" / name.replace(".txt", ".names"))
    assert len(modules) == count
    assert [m.id for m in modules if not m.predictable] == not_predictable


@pytest.mark.shared_data
def test_parse_upstream_test_lists(shared_data: Path) -> None:
    tests = shared_data / "omixer_rpm_testdata"
    assert len(parse_omixer_modules(tests / "module.list")) == 121
    toy = parse_omixer_modules(tests / "module-inference.list")
    assert [m.id for m in toy] == ["MF0001", "MF0002", "MF0003", "MF0004", "MF0005", "MF0007"]
    assert toy[2].steps[1] == (("K00006", "K00007"), ("K00008", "K00009"), ("K00010",))


@pytest.mark.parametrize(("value", "expected"), [("K00001", True), ("K0001", False),
                                                 ("COG0076", False), ("k00001", False)])
def test_is_ko(value: str, expected: bool) -> None:
    assert is_ko(value) is expected


def test_unknown_orthologs_and_messages(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    modules = parse_omixer_modules(path)
    missing = unknown_orthologs(modules, {"K00001", "K00002", "K00004"})
    assert missing == {"MF0001": ["K00003", "K00009"], "MF0003": ["K00448"]}
    messages = unknown_ortholog_messages(modules, {"K00001", "K00002", "K00004"}, "ko.txt.gz")
    assert messages[0] == (f"{path} line 3: module MF0001 step 2 names K00003, which is absent "
                           "from ko.txt.gz; it is unknown for this reference (not counted as 0)")
    assert len(messages) == 3


CATALOG = """\
catalog_version: "1"
modules:
  - id: GB_TEST
    name: Test module
    category: scfa:butyrate
    direction: synthesis
    steps:
      - name: first
        alternatives: [K00626]
      - name: second
        alternatives: [K00634, K01034+K01035]
        required: true
    source:
      - kegg: M00027
      - doi: 10.1038/s41564-018-0337-x
        module: GBM MGB052
    predictable: true
    note: a note
"""


def test_load_catalog_valid(tmp_path: Path) -> None:
    modules = load_catalog(_write(tmp_path, CATALOG, "cat.yaml"))
    module = modules[0]
    assert module.id == "GB_TEST"
    assert module.steps == ((("K00626",),), (("K00634",), ("K01034", "K01035")))
    assert module.step_names == ("first", "second")
    assert module.step_lines == (8, 10)
    assert module.source == ("KEGG:M00027", "doi:10.1038/s41564-018-0337-x; GBM MGB052")
    assert module.kos == ["K00626", "K00634", "K01034", "K01035"]
    assert module.required == (1,)
    messages = unknown_ortholog_messages(modules, {"K00626", "K00634", "K01034"})
    assert messages == [f"{tmp_path / 'cat.yaml'} line 10: module GB_TEST step 2 names K01035, "
                        "which is absent from the KO table; it is unknown for this reference "
                        "(not counted as 0)"]


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("    note: a note\n", "    notes: a note\n", "key 'notes': unknown key"),
        ("[K00626]", "[K0626]", "'K0626' is not a KO ID"),
        ("[K00634, K01034+K01035]", "[K00634, K01034+COG1788]", "'COG1788' is not a KO ID"),
        ("scfa:butyrate", "butyrate", "key 'category'"),
        ("direction: synthesis", "direction: production", "key 'direction'"),
        ("predictable: true", "predictable: false", "needs a 'reason'"),
        ("predictable: true", "predictable: yes please", "must be true or false"),
        ("      - kegg: M00027\n", "      - kegg: X1\n", "not a KEGG module"),
        ("      - doi: 10.1038", "      - doi: https://x/10.1038", "is not a DOI"),
        ("        alternatives: [K00626]\n", "        alternatives: []\n", "non-empty list"),
        ("        alternatives: [K00626]\n", "        kos: [K00626]\n", "unknown key"),
        ("    name: Test module\n", "", "key 'name': missing required key"),
        ("modules:", "module:", "'modules' list"),
        ("        required: true\n", "        required: yes please\n",
         "key 'steps[1].required': must be true or false"),
        ("        required: true\n", "",
         "key 'steps': a predictable module needs at least one step marked 'required: true'"),
        ("direction: synthesis", "direction: interconversion", "key 'direction'"),
        ("    source:\n      - kegg: M00027\n", "    source:\n      - citation: x\n",
         "'kegg' (module ID) or 'doi'"),
    ],
)
def test_load_catalog_errors(tmp_path: Path, old: str, new: str, fragment: str) -> None:
    assert old in CATALOG
    path = _write(tmp_path, CATALOG.replace(old, new, 1), "cat.yaml")
    with pytest.raises(InputError) as error:
        load_catalog(path)
    message = str(error.value)
    assert str(path) in message
    assert fragment in message
    if "modules" not in fragment:
        assert "GB_TEST" in message


def test_load_catalog_duplicate_and_bad_yaml(tmp_path: Path) -> None:
    body = CATALOG.split("modules:\n")[1]
    path = _write(tmp_path, CATALOG + body, "dup.yaml")
    with pytest.raises(InputError, match="duplicate module ID"):
        load_catalog(path)
    path = _write(tmp_path, "modules: [\n", "broken.yaml")
    with pytest.raises(InputError, match="not valid YAML"):
        load_catalog(path)


def test_missing_required_step_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, CATALOG.replace("        required: true\n", ""), "cat.yaml")
    with pytest.raises(InputError, match=rf"^{path} line 3: module GB_TEST, key 'steps'"):
        load_catalog(path)


def test_conversion_direction_is_accepted(tmp_path: Path) -> None:
    text = CATALOG.replace("direction: synthesis", "direction: conversion")
    assert load_catalog(_write(tmp_path, text, "cat.yaml"))[0].direction == "conversion"


def test_unpredictable_catalog_module_may_name_eukaryotic_kos(tmp_path: Path) -> None:
    text = CATALOG.replace("predictable: true", "predictable: false\n    reason: eukaryotic only")
    module = load_catalog(_write(tmp_path, text, "cat.yaml"))[0]
    assert not module.predictable and module.reason == "eukaryotic only"


def test_line_loader_reads_the_shipped_catalogs_as_the_pure_python_loader_does() -> None:
    import yaml
    from gutbrain.yaml_checks import LineLoader, _PureLineLoader

    resources = Path(__file__).resolve().parents[2] / "resources"
    for name in ("module_catalog.yaml", "marker_genes.yaml", "demo_cohort.yaml"):
        text = (resources / name).read_text(encoding="utf-8")
        assert yaml.load(text, Loader=LineLoader) == yaml.load(text, Loader=_PureLineLoader)  # noqa: S506
