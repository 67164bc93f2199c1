"""Tests for gutbrain.report: facts, wording, SVG plots, HTML rendering and the JSON schema.

The fixture cohort (``make_cohort_inputs()``) lives in ``tests/fixtures/report_cohort.py``.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
from gutbrain.errors import InputError
from gutbrain.report import (
    ReportInputs,
    Thresholds,
    build_cohort_facts,
    build_sample_facts,
    load_report_inputs,
    plots,
    render_cohort_report,
    render_sample_report,
    wording,
    write_sample_json,
)
from gutbrain.report.cells import doi_url, genus_label, percentile_in_run
from gutbrain.report.inputs import catalog_notes, marker_notes
from gutbrain.report.module_facts import compound_panel, synthesis_potential
from gutbrain.report.render import render_sample_html
from gutbrain.report.verdicts import (
    confidence_levels,
    confidence_limits,
    qc_verdicts,
    worst_status,
)

from tests.fixtures.report_cohort import (
    PANEL_HEADING,
    SCHEMA_PATH,
    SECTION_HEADINGS,
    XSS,
    comparison_tables,
    make_cohort_inputs,
    render_fixture_cohort,
)


@pytest.fixture(scope="module")
def inputs() -> ReportInputs:
    return make_cohort_inputs()


@pytest.fixture(scope="module")
def facts(inputs: ReportInputs) -> dict[str, dict]:
    return {s: build_sample_facts(s, inputs, run_date="2025-06-01") for s in ("S1", "S2", "S3")}


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("reports")
    paths = render_fixture_cohort(out)
    return {
        p.stem if p.parent.name == "samples" else "index": p.read_text(encoding="utf-8")
        for p in paths
    }


# --------------------------------------------------------------------------- wording


@pytest.mark.parametrize(
    ("reads", "retained", "predicted", "expected"),
    [
        (5000, 0.8, 0.9, ["pass", "pass", "pass"]),
        (999, 0.8, 0.9, ["warn", "pass", "pass"]),
        (199, 0.8, 0.9, ["fail", "pass", "pass"]),
        (1000, 0.29, 0.9, ["pass", "warn", "pass"]),
        (1000, 0.8, 0.49, ["pass", "pass", "warn"]),
        (1000, 0.8, None, ["pass", "pass", "warn"]),
        (0, 0.0, None, ["fail", "fail", "fail"]),
        (0, None, None, ["fail", "fail", "fail"]),
    ],
)
def test_qc_checks_verdicts(reads, retained, predicted, expected) -> None:
    verdicts = qc_verdicts(reads, retained, predicted, Thresholds())
    assert [c["status"] for c in verdicts] == expected
    checks = wording.qc_checks({"reads_after_qc": reads, "checks": verdicts},
                               Thresholds().as_dict())
    assert [c["status"] for c in checks] == expected
    assert [c["check"] for c in checks] == [
        "min_reads_after_qc",
        "min_fraction_retained",
        "min_fraction_predicted",
    ]
    assert all(c["reason"] and c["thresholds"] for c in checks)
    assert worst_status(expected) == max(expected, key=["pass", "warn", "fail"].index)


@pytest.mark.parametrize(
    ("distance", "predicted", "levels"),
    [
        (0.01, 0.95, ("high", "high", "high")),
        (0.03, 0.80, ("high", "high", "high")),
        (0.05, 0.95, ("moderate", "high", "moderate")),
        (0.01, 0.60, ("high", "moderate", "moderate")),
        (0.10, 0.95, ("low", "high", "low")),
        (0.01, 0.20, ("high", "low", "low")),
        (None, 0.9, ("not available", "high", "not available")),
        (None, None, ("not available", "not available", "not available")),
    ],
)
def test_confidence_levels(distance, predicted, levels) -> None:
    out = confidence_levels(distance, predicted, Thresholds())
    assert (out["distance_level"], out["predicted_level"], out["overall"]) == levels
    sentence = wording.confidence_text({
        "weighted_distance": distance, "fraction_reads_predicted": predicted,
        "genomes_per_read": None, **out, "thresholds": confidence_limits(Thresholds())})
    if levels[2] != "not available":
        assert f"Reference coverage of the prediction is {levels[2]}" in sentence
        assert "0.03" in sentence and "80%" in sentence


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        (
            "depleted",
            "Lower abundance of X has been reported in groups of people with depression (S 2020).",
        ),
        (
            "enriched",
            "Higher abundance of X has been reported in groups of people with depression (S 2020).",
        ),
        (
            "mixed",
            "Both higher and lower abundance of X have been reported in groups of people "
            "with depression (S 2020); the evidence is mixed.",
        ),
        (
            "associated_with_better_QoL",
            "Higher abundance of X has been associated with better "
            "quality-of-life scores in groups of people (S 2020).",
        ),
        (
            "something_else",
            "X has been associated with depression-related measures in groups of people (S 2020).",
        ),
    ],
)
def test_association_statement(direction: str, expected: str) -> None:
    assert wording.association_statement("X", direction, "S 2020") == expected
    assert "you" not in expected.lower().split()


@pytest.mark.parametrize(
    ("values", "sample", "expected"),
    [
        ({"a": 1.0, "b": 2.0, "c": 3.0}, "a", 0.0),
        ({"a": 1.0, "b": 2.0, "c": 3.0}, "c", 100.0),
        ({"a": 1.0, "b": 2.0, "c": 3.0}, "b", 50.0),
        ({"a": 2.0, "b": 2.0}, "a", 50.0),
        ({"a": 1.0, "b": None}, "a", None),
        ({"a": 1.0}, "a", None),
        ({"a": None, "b": 1.0, "c": 2.0}, "a", None),
    ],
)
def test_percentile_in_run(values, sample, expected) -> None:
    assert percentile_in_run(values, sample) == expected


@pytest.mark.parametrize(
    ("doi", "url"),
    [
        ("10.1038/s41564-018-0337-x", "https://doi.org/10.1038/s41564-018-0337-x"),
        ("https://doi.org/10.1016/j.jad.2020.01.102", "https://doi.org/10.1016/j.jad.2020.01.102"),
        (
            "doi:10.1128/AEM.68.10.5186-5190.2002.",
            "https://doi.org/10.1128/AEM.68.10.5186-5190.2002",
        ),
        ("10.1000/a<b>", "https://doi.org/10.1000/a%3Cb%3E"),
        ("", None),
        ("https://example.org/paper", None),
    ],
)
def test_doi_url(doi: str, url: str | None) -> None:
    assert doi_url(doi) == url


@pytest.mark.parametrize(
    ("row", "label"),
    [
        ({"genus": "g__Blautia", "family": "Lachnospiraceae"}, "Blautia"),
        ({"genus": "", "family": "Lachnospiraceae"}, "Unclassified Lachnospiraceae"),
        ({"genus": "", "family": "", "phylum": "Bacillota"}, "Unclassified Bacillota"),
        ({}, "Unassigned"),
    ],
)
def test_genus_label(row: dict, label: str) -> None:
    assert genus_label(row) == label


def test_thresholds_from_config_mapping() -> None:
    made = Thresholds.from_mapping(
        {"min_reads_pass": 2000, "min_reads_warn": "100", "metadata_columns": ["group"]}
    )
    assert (made.min_reads_pass, made.min_reads_warn, made.metadata_columns) == (
        2000,
        100,
        ("group",),
    )
    with pytest.raises(InputError, match="unknown report setting.*min_read_pass"):
        Thresholds.from_mapping({"min_read_pass": 1})
    with pytest.raises(InputError, match="'min_reads_warn' must be <= 'min_reads_pass'"):
        Thresholds.from_mapping({"min_reads_pass": 10, "min_reads_warn": 20})
    with pytest.raises(InputError, match="must be a number"):
        Thresholds.from_mapping({"min_fraction_retained": "lots"})


# --------------------------------------------------------------------------- facts


def test_sample_facts_s1(facts: dict[str, dict]) -> None:
    f = facts["S1"]
    assert f["sample"] == "S1" and f["has_reads"]
    assert [s["step"] for s in f["qc"]["steps"]][0] == "input"
    assert f["qc"]["reads_after_qc"] == 1000
    assert f["qc"]["fraction_retained"] == pytest.approx(1000 / 1500, rel=1e-5)
    assert f["qc"]["status"] == "pass"
    top = f["composition"]["top_genera"]
    assert top[0] == {"genus": "Faecalibacterium", "relative_abundance": 0.5}
    assert {"genus": "Unclassified Lachnospiraceae", "relative_abundance": 0.04} in top
    assert f["composition"]["n_genera"] == 4
    shannon = next(m for m in f["composition"]["alpha"]["metrics"] if m["metric"] == "shannon")
    assert shannon["value"] == 1.2 and shannon["percentile"] == 100.0
    assert "faith_pd" not in {m["metric"] for m in f["composition"]["alpha"]["metrics"]}
    butyrate = next(m for m in f["scfa"]["modules"] if m["compound"] == "butyrate")
    assert butyrate["contributors"] == [
        {"genus": "Faecalibacterium", "share": 0.7},
        {"genus": "Coprococcus", "share": 0.3},
    ]
    assert [m["compound"] for m in f["scfa"]["modules"]] == ["acetate", "propionate", "butyrate"]
    producers = {p["genus"]: p for p in f["scfa"]["producers"]}
    assert producers["Faecalibacterium"]["relative_abundance"] == 0.5
    assert producers["Roseburia"]["relative_abundance"] == 0.0
    assert "Bacteroides" not in producers  # genomic evidence only
    others = {p["genus"]: p for p in f["scfa"]["other_genera"]}
    assert others["Bacteroides"]["traits"] == ["propionate_succinate"]
    assert others["Bacteroides"]["evidence"] == "genes only (production not shown)"
    assert f["confidence"]["overall"] == "high"
    assert f["reference"]["kind"] == "genus_profile"
    assert f["metadata"] == [{"column": "group", "value": XSS}, {"column": "age", "value": "34"}]
    assert f["summary"]["fixed_note"] == wording.FIXED_NOTE


def test_not_predictable_is_never_zero(facts: dict[str, dict]) -> None:
    for sample in ("S1", "S2"):
        na = next(m for m in facts[sample]["neuro"]["modules"] if m["module"] == "MGB_NA")
        assert na["status"] == "not_predictable"
        assert na["score"] is None and na["coverage"] is None
        assert na["status_text"] == "not predictable from 16S"


def test_taxa_of_interest_only_present_taxa(facts: dict[str, dict]) -> None:
    s1 = {(t["taxon"], t["direction"]) for t in facts["S1"]["taxa_of_interest"]}
    assert s1 == {
        ("Faecalibacterium", "depleted"),
        ("Eggerthella", "enriched"),
        ("Bacteroides", "mixed"),
        ("Faecalibacterium prausnitzii", "depleted"),
    }
    s2 = {t["taxon"] for t in facts["S2"]["taxa_of_interest"]}
    assert s2 == {"Bacteroides"}
    egg = next(t for t in facts["S1"]["taxa_of_interest"] if t["taxon"] == "Eggerthella")
    assert egg["statement"] == (
        "Higher abundance of Eggerthella has been reported in groups of "
        "people with depression (Study E 2022)."
    )
    assert egg["url"] == "https://doi.org/10.1000/eggerthella"
    bac = next(t for t in facts["S1"]["taxa_of_interest"] if t["taxon"] == "Bacteroides")
    assert bac["url"] is None


def test_zero_read_sample_facts(facts: dict[str, dict]) -> None:
    f = facts["S3"]
    assert not f["has_reads"]
    assert f["qc"]["status"] == "fail" and f["qc"]["zero_reads"]
    assert f["qc"]["flag"] == "no_reads_after_filtering"
    assert f["scfa"]["modules"] == [] and f["neuro"]["modules"] == []
    assert f["confidence"]["overall"] == "not available"
    assert "No reads remained" in " ".join(f["summary"]["paragraphs"])


def test_views_kept_across_samples_give_each_sample_its_own_facts() -> None:
    """Per-run views (rows, counts, contributors) are computed once and reused by every sample:
    the facts of each sample equal those built from freshly loaded inputs."""
    shared = make_cohort_inputs()
    samples = [str(s) for s in shared.samples["sample"]]
    reused = [build_sample_facts(s, shared, run_date="2025-06-01") for s in samples]
    fresh = [build_sample_facts(s, make_cohort_inputs(), run_date="2025-06-01")
             for s in samples]
    assert len(samples) > 1
    assert reused == fresh
    assert len({json.dumps(f, sort_keys=True) for f in reused}) == len(samples)


def test_assigning_a_table_drops_the_kept_views() -> None:
    shared = make_cohort_inputs()
    before = build_sample_facts("S1", shared, run_date="2025-06-01")
    shared.alpha = shared.alpha[shared.alpha["sample"] != "S1"]
    after = build_sample_facts("S1", shared, run_date="2025-06-01")
    assert before["composition"]["alpha"] != after["composition"]["alpha"]


def test_single_sample_percentile_is_na(inputs: ReportInputs) -> None:
    one = make_cohort_inputs()
    one.alpha = inputs.alpha[inputs.alpha["sample"] == "S1"]
    f = build_sample_facts("S1", one)
    shannon = next(m for m in f["composition"]["alpha"]["metrics"] if m["metric"] == "shannon")
    assert shannon["percentile"] is None
    assert shannon["percentile_note"].startswith("n/a")


def test_unknown_sample_and_module_status_errors(inputs: ReportInputs) -> None:
    with pytest.raises(InputError, match="no sample 'S9'"):
        build_sample_facts("S9", inputs)
    broken = make_cohort_inputs()
    broken.module_scores.loc[0, "status"] = "weird"
    with pytest.raises(InputError, match="unknown status 'weird'"):
        build_sample_facts(str(broken.module_scores.loc[0, "sample"]), broken)
    with pytest.raises(InputError, match="metadata_columns names \\['nope'\\]"):
        build_sample_facts("S1", inputs, Thresholds(metadata_columns=("nope",)))


@pytest.mark.parametrize(("status", "text"), [("not_measurable", "not measurable"),
                                              ("required_step_absent", "defining enzyme")])
def test_scoring_statuses_are_accepted(status: str, text: str, schema: dict) -> None:
    """The scorer's not_measurable and required_step_absent rows reach the page as words."""
    changed = make_cohort_inputs()
    changed.module_scores.loc[0, ["status", "score"]] = [status, None]
    if status == "not_measurable":
        changed.module_scores.loc[0, "coverage"] = None
    sample = str(changed.module_scores.loc[0, "sample"])
    module = str(changed.module_scores.loc[0, "module"])
    f = build_sample_facts(sample, changed)
    rows = [m for group in ("scfa", "neuro") for m in f[group]["modules"]
            if m["module"] == module]
    assert rows[0]["status"] == status and text in rows[0]["status_text"]
    jsonschema.validate(json.loads(json.dumps(f, default=str)), schema,
                        cls=jsonschema.Draft202012Validator)


def test_metadata_columns_selection(inputs: ReportInputs) -> None:
    f = build_sample_facts("S2", inputs, Thresholds(metadata_columns=("age",)))
    assert f["metadata"] == [{"column": "age", "value": "51"}]


def test_cohort_facts(inputs: ReportInputs, facts: dict[str, dict]) -> None:
    cohort = build_cohort_facts([facts[s] for s in ("S1", "S2", "S3")], inputs)
    assert [r["sample"] for r in cohort["rows"]] == ["S1", "S2", "S3"]
    assert cohort["rows"][0]["href"] == "samples/S1.html"
    assert cohort["status_counts"] == {"pass": 1, "warn": 1, "fail": 1}
    assert [k["status"] for k in cohort["rows"][2]["key_scores"]] == ["no_reads"] * 4
    butyrate_s2 = cohort["rows"][1]["key_scores"][2]
    assert butyrate_s2["score"] is None and butyrate_s2["status"] == "absent"
    heat = cohort["heatmap"]
    na_row = [m["module"] for m in heat["modules"]].index("MGB_NA")
    assert [c["status"] for c in heat["cells"][na_row]] == [
        "not_predictable",
        "not_predictable",
        "no_reads",
    ]
    assert cohort["pcoa"][0]["metric"] == "braycurtis" and len(cohort["pcoa"][0]["points"]) == 3
    assert cohort["pcoa"][1]["points"] == [] and cohort["pcoa"][1]["note"]
    bars = cohort["genus_bars"]
    assert bars["genera"][-1] == "Other"
    for j in range(2):
        assert sum(v[j] for v in bars["values"]) == pytest.approx(1.0, abs=1e-4)
    assert sum(v[2] for v in bars["values"]) == 0


# --------------------------------------------------------------------------- schema


def _walk_properties(node: object, path: str = "#"):
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            yield f"{path}/{name}", sub
        for key, sub in node.items():
            yield from _walk_properties(sub, f"{path}/{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from _walk_properties(sub, f"{path}/{i}")


def test_schema_is_valid_and_fully_described(schema: dict) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    undocumented = [
        p
        for p, sub in _walk_properties(schema)
        if not (isinstance(sub, dict) and sub.get("description"))
    ]
    assert undocumented == []


def test_fixture_json_validates(tmp_path: Path, facts: dict[str, dict], schema: dict) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    for sample, f in facts.items():
        out = tmp_path / f"{sample}.json"
        write_sample_json(f, out)
        loaded = json.loads(out.read_text(encoding="utf-8"))
        assert loaded == f
        assert list(validator.iter_errors(loaded)) == []


@pytest.mark.parametrize(
    "breakage",
    [
        lambda f: f.pop("sample"),
        lambda f: f["qc"].__setitem__("status", "ok"),
        lambda f: f["neuro"]["modules"][0].__setitem__("score", "high"),
        lambda f: f["confidence"].__setitem__("overall", "certain"),
        lambda f: f.__setitem__("extra", 1),
        lambda f: f["summary"].__setitem__("fixed_note", "Not the fixed note."),
    ],
    ids=[
        "no-sample",
        "bad-qc-status",
        "score-not-number",
        "bad-level",
        "extra-key",
        "fixed-note-changed",
    ],
)
def test_broken_json_is_rejected(facts: dict[str, dict], schema: dict, breakage) -> None:
    broken = json.loads(json.dumps(facts["S1"]))
    breakage(broken)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema, cls=jsonschema.Draft202012Validator)


# --------------------------------------------------------------------------- plots


@pytest.mark.parametrize(
    "svg",
    [
        lambda: plots.bar_chart([("<b>&'\"", 0.5), ("Other", 0.5)], title="t<"),
        lambda: plots.bar_chart([], title="empty"),
        lambda: plots.stacked_bars(
            ["s<1", "s2"], ["g&1", "Other"], [[0.4, 0.0], [0.6, 0.0]], title="bars"
        ),
        lambda: plots.heatmap(["m<1"], ["s>1", "s2"], [[(1.0, "1"), (None, "n/p")]], title="heat"),
        lambda: plots.scatter(
            [("<a>", 0.1, 0.2), ("b", -0.1, 0.0)],
            title="pcoa",
            x_label="PC1 (50%)",
            y_label="PC2 & more",
        ),
    ],
    ids=["bars", "bars-empty", "stacked", "heatmap", "scatter"],
)
def test_svg_is_well_formed_and_escaped(svg) -> None:
    text = svg()
    root = ET.fromstring(text)  # raises on unescaped markup
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "<b>" not in text and "<a>" not in text and "s<1" not in text
    assert "href" not in text and "<script" not in text


# --------------------------------------------------------------------------- HTML

URL_ATTR = re.compile(
    r"""\b(?:src|href|action|srcset|xlink:href)\s*=\s*["']?([^"'\s>]*)""", re.IGNORECASE
)
ALLOWED_URL = re.compile(
    r"^(?:https://doi\.org/\S+|#[\w-]*|\.\./index\.html|samples/[\w.%-]+"
    r"\.html)$"
)


def test_pages_have_sections_and_fixed_note(pages: dict[str, str]) -> None:
    for sample in ("S1", "S2", "S3"):
        html = pages[sample]
        for heading in SECTION_HEADINGS:
            assert f"<h2>{heading}</h2>" in html, (sample, heading)
        assert wording.FIXED_NOTE in html
        assert "Functional reference: <strong>human_genomes_genus_profile</strong>" in html
    assert "No reads after QC" in pages["S3"]
    assert "No reads after QC" not in pages["S1"]
    for heading in ("Samples", "Module scores", "Ordination (PCoA)", "Genus composition"):
        assert f"<h2>{heading}</h2>" in pages["index"]


def test_metadata_is_escaped(pages: dict[str, str]) -> None:
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["S1"]
    assert "control &amp; friends" in pages["S2"]
    for html in pages.values():
        assert "<script" not in html.lower()


def test_no_external_urls(pages: dict[str, str]) -> None:
    for name, html in pages.items():
        urls = URL_ATTR.findall(html)
        assert urls, name
        assert [u for u in urls if not ALLOWED_URL.match(u)] == [], name
        assert "<link" not in html and "@import" not in html and "url(" not in html
    assert 'href="https://doi.org/10.1000/eggerthella"' in pages["S1"]
    assert 'href="samples/S3.html"' in pages["index"]


def test_not_predictable_rendered_as_words(pages: dict[str, str]) -> None:
    row = re.search(r"<tr>\s*<td>Noradrenaline</td>.*?</tr>", pages["S1"], re.S)
    assert row is not None
    assert "not predictable from 16S" in row.group(0)
    assert not re.search(r">\s*0(\.0+)?\s*<", row.group(0))
    assert "n/p" in pages["index"]


def test_pages_are_deterministic_except_run_date(inputs: ReportInputs) -> None:
    a = render_sample_html(build_sample_facts("S1", inputs, run_date="2030-01-01"))
    b = render_sample_html(build_sample_facts("S1", inputs, run_date="2031-12-31"))
    assert a != b
    assert a.count('id="run-date"') == 1
    strip = re.compile(r'<span id="run-date">[^<]*</span>')
    assert strip.sub("", a) == strip.sub("", b)
    assert "2030-01-01" not in strip.sub("", a)


def test_genus_profile_confidence_names_the_genomes_behind_it() -> None:
    inputs = make_cohort_inputs()
    inputs.sample_confidence["method"] = "genus_profile"
    inputs.sample_confidence["weighted_distance"] = float("nan")
    inputs.sample_confidence["genomes_per_read"] = [42.0, 3.0]
    f = build_sample_facts("S1", inputs)
    conf = f["confidence"]
    assert conf["method"] == "genus_profile"
    assert conf["weighted_distance"] is None
    assert conf["genomes_per_read"] == 42.0
    assert conf["overall"] == conf["predicted_level"] == "high"
    assert "genome-derived profile" in conf["text"] and "42 sequenced genomes" in conf["text"]
    html = render_sample_html(f)
    assert "Sequenced genomes behind the genus profiles" in html
    assert "nearest reference genome</td>" not in html
    # A sample with no predicted read is low confidence, never "not available" silently.
    low = build_sample_facts("S2", inputs)["confidence"]
    assert low["overall"] == low["predicted_level"]


def test_reference_section_names_the_reference_and_its_source() -> None:
    inputs = make_cohort_inputs()
    inputs.bundle["citation"] = "Mongad et al. 2021 Genomics"
    f = build_sample_facts("S1", inputs)
    assert f["reference"]["citation"] == "Mongad et al. 2021 Genomics"
    assert "Source: Mongad et al. 2021 Genomics" in render_sample_html(f)


def test_render_writes_files(tmp_path: Path, facts: dict[str, dict], inputs: ReportInputs) -> None:
    render_sample_report(facts["S2"], tmp_path / "samples" / "S2.html")
    cohort = build_cohort_facts(list(facts.values()), inputs)
    render_cohort_report(cohort, tmp_path / "index.html")
    assert (
        (tmp_path / "samples" / "S2.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html", "samples"]


# --------------------------------------------------------------------------- loading


def test_load_report_inputs_from_files(tmp_path: Path, inputs: ReportInputs, repo: Path) -> None:
    paths = {}
    for name in (
        "read_tracking",
        "alpha",
        "module_scores",
        "module_contributions",
        "marker_genes",
        "sample_confidence",
        "provenance",
        "taxa_of_interest",
        "genus_traits",
    ):
        paths[name] = tmp_path / f"{name}.tsv"
        getattr(inputs, name).to_csv(paths[name], sep="\t", index=False)
    sheet = tmp_path / "samples.tsv"
    sheet.write_text(
        "# sample sheet\n" + inputs.samples.to_csv(sep="\t", index=False), encoding="utf-8"
    )
    asv = tmp_path / "asv_table_filtered.tsv"
    inputs.asv_table.to_csv(asv, sep="\t")
    tax = tmp_path / "asv_taxonomy.tsv"
    inputs.taxonomy.to_csv(tax, sep="\t")
    bundle = tmp_path / "bundle.yaml"
    bundle.write_text("name: test\nkind: genus_profile\n", encoding="utf-8")
    pcoa = tmp_path / "pcoa_braycurtis.tsv"
    pcoa.write_text(
        "# metric: braycurtis\n# proportion_explained: PC1=0.7\tPC2=0.2\tPC3=0.1\n"
        "sample\tPC1\tPC2\tPC3\nS1\t0.1\t0\t0\nS2\t-0.2\t0.05\t0\nS3\t0.1\t-0.05\t0\n",
        encoding="utf-8",
    )
    loaded = load_report_inputs(
        asv_table=asv,
        taxonomy=tax,
        samples=sheet,
        bundle=bundle,
        pcoa={"braycurtis": pcoa},
        module_catalog=repo / "resources" / "module_catalog.yaml",
        marker_catalog=repo / "resources" / "marker_genes.yaml",
        **paths,
    )
    assert loaded.module_notes["GB_NEURO_GABA_DEG"]["direction"] == "degradation"
    assert loaded.marker_notes["gadB"]["caveat"]
    loaded.module_notes, loaded.marker_notes = {}, {}  # the fixture's modules are not in them
    f = build_sample_facts("S1", loaded, run_date="2025-06-01")
    expected = build_sample_facts("S1", inputs, run_date="2025-06-01")
    assert f["qc"] == expected["qc"]
    assert f["scfa"] == expected["scfa"] and f["neuro"] == expected["neuro"]
    assert f["taxa_of_interest"] == expected["taxa_of_interest"]
    assert f["metadata"] == expected["metadata"]
    assert f["composition"]["top_genera"] == expected["composition"]["top_genera"]


def test_load_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "read_tracking.tsv"
    bad.write_text("sample\treads\nS1\t3\n", encoding="utf-8")
    missing = r"read_tracking\.tsv: line 1: missing column\(s\) \['input'\]"
    with pytest.raises(InputError, match=missing):
        load_report_inputs(read_tracking=bad, asv_table=bad, taxonomy=bad, samples=bad)
    scores = tmp_path / "module_scores.tsv"
    scores.write_text(
        "module\tname\tcategory\tdirection\tsample\tscore\tcoverage\tstatus\n"
        "M1\tx\tscfa:acetate\tsynthesis\tS1\tlots\t1\tscored\n",
        encoding="utf-8",
    )
    from gutbrain.report.inputs import read_table

    with pytest.raises(InputError, match=r"module_scores\.tsv: column 'score' must be numeric"):
        read_table(scores, "module_scores")
    with pytest.raises(InputError, match="not found"):
        read_table(tmp_path / "absent.tsv", "alpha")


def test_shipped_literature_resources_give_statements(repo: Path) -> None:
    """The project's curated taxa_of_interest.tsv (shipped) yields valid wording and links."""
    path = repo / "resources" / "taxa_of_interest.tsv"
    assert path.is_file(), f"{path} is missing"
    from gutbrain.report.inputs import read_table

    table = read_table(path, "taxa_of_interest")
    assert len(table) > 0
    for row in table.to_dict("records"):
        sentence = wording.association_statement(row["taxon"], row["direction"], row["study"])
        assert row["taxon"] in sentence and "groups of people" in sentence
        if row["doi"]:
            assert doi_url(row["doi"]).startswith("https://doi.org/10.")


@pytest.mark.parametrize(
    ("directions", "overall"),
    [
        (["depleted", "depleted"], "depleted"),
        (["depleted", "enriched"], "mixed"),
        (["mixed"], "mixed"),
        (["enriched", "associated_with_worse_QoL"], "enriched"),
        (["associated_with_better_QoL"], "associated_with_better_qol"),
        (["associated_with_better_QoL", "associated_with_worse_QoL"], "mixed"),
    ],
)
def test_summarise_taxa_direction(directions: list[str], overall: str) -> None:
    from gutbrain.report.taxa_facts import summarise_taxa

    findings = [
        {"taxon": "X", "rank": "genus", "relative_abundance": 0.1, "direction": d}
        for d in directions
    ]
    assert summarise_taxa(findings) == [
        {
            "taxon": "X",
            "rank": "genus",
            "relative_abundance": 0.1,
            "direction": overall,
            "n_findings": len(directions),
        }
    ]



# --------------------------------------------------------------------------- direction (issue 10.2)

DEGRADATION_ONLY = [
    # module, category, direction, score, coverage, status
    ("GB_NEURO_GABA_GAD", "neuro:gaba", "synthesis", 0.0, 0.0, "absent"),
    ("GB_NEURO_GABA_DEG", "neuro:gaba", "degradation", 9.0, 1.0, "scored"),
    ("GB_NEURO_HIS_SYN", "neuro:histamine", "synthesis", None, 0.5, "required_step_absent"),
    ("GB_NEURO_HIS_DEG", "neuro:histamine", "degradation", 4.0, 1.0, "scored"),
    ("GB_NEURO_HISTIDINE_DEG", "neuro:histidine", "degradation", 6.0, 1.0, "scored"),
    ("GB_NEURO_DOPA_SYN", "neuro:dopamine", "synthesis", 0.0, 0.0, "absent"),
    ("GB_NEURO_DOPAC_SYN", "neuro:dopamine", "conversion", 3.0, 1.0, "scored"),
]


def degradation_only_inputs() -> ReportInputs:
    """The fixture cohort where S1 and S2 carry only degradation/conversion genes for GABA,
    histamine (and histidine) and dopamine (GABA shunt, histamine and histidine catabolism,
    dopamine -> DOPAC)."""
    inputs = make_cohort_inputs()
    rows = [
        (m, m.replace("_", " "), cat, direction, sample, score, cov, status)
        for sample in ("S1", "S2", "S3")
        for m, cat, direction, score, cov, status in DEGRADATION_ONLY
    ]
    extra = pd.DataFrame(rows, columns=inputs.module_scores.columns)
    kept = inputs.module_scores[~inputs.module_scores["category"].isin(
        ["neuro:gaba", "neuro:histamine"])]
    inputs.module_scores = pd.concat([kept, extra], ignore_index=True)
    return inputs


def test_degradation_only_sample_has_no_synthesis_potential() -> None:
    inputs = degradation_only_inputs()
    f = build_sample_facts("S1", inputs)
    panel = {r["compound"]: r for r in f["panel"]["compounds"]}
    for compound in ("gaba", "histamine", "dopamine"):
        assert panel[compound]["potential"] == "absent", compound
        assert panel[compound]["score"] is None and panel[compound]["module"] is None
    assert "histidine" not in panel  # no synthesis module: not a panel row
    assert panel["gaba"]["other_directions"] == ["predicted potential to degrade GABA"]
    cohort = build_cohort_facts([build_sample_facts(s, inputs) for s in ("S1", "S2", "S3")],
                                inputs)
    gaba = cohort["key_compounds"].index("GABA")
    assert [r["key_scores"][gaba]["score"] for r in cohort["rows"]] == [None, None, None]
    assert cohort["rows"][0]["key_scores"][gaba]["status"] == "absent"


def test_route_sentences_say_what_the_share_means_and_what_is_unseen() -> None:
    row = {"label": "Butyrate", "name": "Butyrate via the acetyl-CoA pathway",
           "status": "present", "carrier_share": 0.4, "fraction_cells_resolved": 0.9,
           "invisible": "", "contributors": [{"genus": "Faecalibacterium", "share": 0.7}],
           "agreement": [{"rho": 0.6, "label": "Cameroon stool, 57 samples"}]}
    text = wording.route_sentence(row)
    assert text.startswith("Butyrate: 40% of predicted cells belong to genera whose genomes "
                           "carry the complete route")
    assert "Faecalibacterium 70%" in text and "rho 0.60 (Cameroon stool, 57 samples)" in text
    absent = wording.route_sentence({**row, "status": "absent", "carrier_share": 0.0})
    assert "no predicted cell belongs to a genus" in absent and "90%" in absent
    unseen = wording.route_sentence({**row, "status": "not_measurable", "invisible": "x y"})
    assert unseen == "Butyrate: not measurable with this reference (x y)."
    unmeasured = wording.route_sentence({**row, "agreement": [{"rho": None, "label": "HMP"}]})
    assert "agreement with metagenomes cannot be measured" in unmeasured
    constant = wording.route_sentence(
        {**row, "agreement": [{"rho": None, "samples": 57, "label": "Cameroon"}]})
    assert "cannot be computed (no genus carrying the whole route occurred" in constant
    degrade = wording.neuro_route_paragraph(
        [{**row, "label": "GABA", "status": "absent", "carrier_share": 0.0}],
        [{"direction": "degradation", "status": "present", "name": "GABA degradation",
          "carrier_share": 0.3}])
    assert "no carrier genus predicted for GABA" in degrade
    assert "present for GABA" not in degrade
    assert "use up or convert: GABA degradation (30% of predicted cells)" in degrade


def test_unscored_module_is_not_worded_as_a_predicted_potential() -> None:
    """A module whose pathway is not scored (here GABA synthesis, defining enzyme absent) is
    described by its direction, never as 'Predicted potential to make GABA'."""
    f = build_sample_facts("S1", degradation_only_inputs())
    html = render_sample_html(f)
    assert "Predicted potential to make GABA" not in html
    assert "A synthesis pathway of GABA; not scored in this sample." in html
    assert "Predicted potential to degrade GABA." in html  # the scored degradation module
    qc = next(c for c in f["qc"]["checks"] if c["check"] == "min_fraction_predicted")
    assert "reference genome or a profiled genus" in qc["thresholds"] + qc["reason"]


def test_module_direction_reaches_json_and_table() -> None:
    inputs = degradation_only_inputs()
    f = build_sample_facts("S1", inputs)
    deg = next(m for m in f["neuro"]["modules"] if m["module"] == "GB_NEURO_GABA_DEG")
    assert deg["direction"] == "degradation"
    assert deg["role"] == "predicted potential to degrade GABA"
    conv = next(m for m in f["neuro"]["modules"] if m["module"] == "GB_NEURO_DOPAC_SYN")
    assert conv["direction"] == "conversion"
    html = render_sample_html(f)
    row = re.search(r"<tr>\s*<td>GABA</td>\s*<td[^>]*>degradation</td>.*?</tr>", html, re.S)
    assert row is not None and "Predicted potential to degrade GABA" in row.group(0)
    assert "GABA (degradation): GB_NEURO_GABA_DEG" in html  # coverage chart label


def test_module_scores_without_direction_are_rejected() -> None:
    inputs = make_cohort_inputs()
    inputs.module_scores = inputs.module_scores.drop(columns="direction")
    with pytest.raises(InputError, match="direction"):
        build_sample_facts("S1", inputs)
    inputs.module_notes = {m: {"direction": "synthesis"} for m in inputs.module_scores["module"]}
    assert build_sample_facts("S1", inputs)["scfa"]["modules"][0]["direction"] == "synthesis"


def test_panel_follows_compound_synthesis_scores() -> None:
    """The panel's key status is the scorer's compound_synthesis_scores status, per sample."""
    from gutbrain.scoring import compound_synthesis_scores

    inputs = degradation_only_inputs()
    expected = compound_synthesis_scores(inputs.module_scores)
    for sample in ("S1", "S2"):
        f = build_sample_facts(sample, inputs)
        for row in f["panel"]["compounds"]:
            want = expected[(expected["sample"] == sample)
                             & (expected["category"].str.endswith(":" + row["compound"]))]
            assert row["key_status"] == want["status"].iloc[0], (sample, row["compound"])
            if row["score"] is not None:
                assert row["score"] == pytest.approx(float(want["score"].iloc[0]))


# --------------------------------------------------------------------------- caveats (issue 10.7)


def test_shipped_catalog_and_marker_caveats_are_read(repo: Path) -> None:
    notes = catalog_notes(repo / "resources" / "module_catalog.yaml")
    but = notes["GB_SCFA_BUT_BUT"]
    assert but["direction"] == "synthesis"
    assert any("no KO of its own" in c for c in but["caveats"])
    assert notes["GB_NEURO_GABA_DEG"]["direction"] == "degradation"
    markers = marker_notes(repo / "resources" / "marker_genes.yaml")
    assert any(m["proxy"] and m["caveat"] for m in markers.values())


def test_caveats_appear_next_to_their_scores(repo: Path) -> None:
    inputs = make_cohort_inputs()
    inputs.module_notes = {
        "M_BUT1": {"direction": "synthesis", "note": "Dominant route.",
                   "caveats": ["the but CoA-transferase has no KO: proxy"]},
    }
    inputs.marker_notes = {"gadB": {"name": "glutamate decarboxylase", "proxy": True,
                                    "caveat": "ALDH is broad-specificity"}}
    f = build_sample_facts("S1", inputs)
    but = next(m for m in f["scfa"]["modules"] if m["module"] == "M_BUT1")
    assert but["caveats"] == ["the but CoA-transferase has no KO: proxy"]
    assert but["note"] == "Dominant route."
    panel = next(r for r in f["panel"]["compounds"] if r["compound"] == "butyrate")
    assert panel["caveats"] == but["caveats"]
    marker = f["markers"][0]
    assert marker["proxy"] is True and marker["caveat"] == "ALDH is broad-specificity"
    html = render_sample_html(f)
    row = re.search(r"<tr>\s*<td>Butyrate</td>.*?</tr>", html[html.index('id="scfa"'):], re.S)
    assert row is not None and "Caveat: the but CoA-transferase has no KO: proxy" in row.group(0)
    marker_row = re.search(r"<tr><td>gadB.*?</tr>", html, re.S)
    assert marker_row is not None
    assert "Proxy:</strong> ALDH is broad-specificity" in marker_row.group(0)


# --------------------------------------------------------------------------- panel (issue 10.11)


@pytest.mark.parametrize(
    ("statuses", "percentile", "n_scored", "word"),
    [
        (["scored", "absent"], 60.0, 10, "present"),
        (["scored"], 10.0, 10, "lowest_quarter"),
        (["scored"], 10.0, 3, "present"),  # too few scored samples for a percentile rule
        (["scored"], None, 1, "present"),
        (["below_coverage", "absent"], None, 0, "incomplete"),
        (["required_step_absent"], None, 0, "absent"),
        (["absent", "not_measurable"], None, 0, "absent"),
        (["not_measurable", "not_predictable"], None, 0, "not_measurable"),
        (["not_predictable"], None, 0, "not_predictable"),
    ],
)
def test_synthesis_potential_words(statuses, percentile, n_scored, word) -> None:
    assert synthesis_potential(statuses, percentile, n_scored) == word


def test_panel_orders_families_and_uses_run_percentiles() -> None:
    def module(compound: str, direction: str, status: str, score: float | None) -> dict:
        return {"compound": compound, "direction": direction, "status": status, "score": score,
                "module": f"M_{compound}_{direction}", "caveats": [],
                "role": f"predicted potential to {direction} {compound}"}

    modules = [module("histamine", "synthesis", "scored", 1.0),
               module("butyrate", "synthesis", "scored", 2.0),
               module("gaba", "degradation", "scored", 5.0),
               module("gaba", "synthesis", "below_coverage", None),
               module("isovalerate", "synthesis", "absent", 0.0)]
    run = {"butyrate": {"A": 2.0, "B": 5.0, "C": 6.0, "D": 7.0}, "histamine": {"A": 1.0}}
    rows = compound_panel(modules, run, "A")
    assert [r["compound"] for r in rows] == ["butyrate", "gaba", "histamine", "isovalerate"]
    assert [r["potential"] for r in rows] == ["lowest_quarter", "incomplete", "present",
                                              "absent"]
    assert rows[0]["percentile"] == 0.0 and rows[0]["n_samples_scored"] == 4
    assert rows[2]["percentile"] is None  # one scored sample: no percentile
    assert rows[0]["family"] == "Short-chain fatty acids"


def test_panel_leads_the_sample_page_and_compounds_lead_the_cohort(pages: dict[str, str]) -> None:
    html = pages["S1"]
    panel = html.index(f"<h2>{PANEL_HEADING}</h2>")
    assert panel < html.index("<h2>Plain-language summary</h2>") < html.index('id="scfa"')
    table = html[panel:html.index("</table>", panel)]
    for label in ("Acetate", "Propionate", "Butyrate", "GABA", "Histamine", "Noradrenaline"):
        assert f"<td><strong>{label}</strong>" in table
    assert "potential-present" in table and "not predictable from 16S" in table
    # The first screen says what the measure means, how it agrees with metagenomes, and what
    # the reference cannot see.
    assert "so it does not follow sequencing depth" in " ".join(html.split())
    assert "rho 0.60 (0.45 to 0.72), Cameroon stool, 57 samples" in table
    assert "Cannot see: the terminal butyryl-CoA:acetate CoA-transferase" in table
    assert "lowest quarter: scored but below the 25th percentile" in html  # folded detail
    index = pages["index"]
    assert index.index("<h2>Gene-level module scores per compound</h2>") < index.index(
        "<h2>Module scores</h2>")
    # The cohort table compares samples by route shares (per cell), not by module scores.
    assert "Butyrate: predicted cells in carrier genera" in index
    # ... and names the route behind each column (acetate's is acetogenesis, not fermentation).
    assert "Acetate by reductive acetogenesis (Wood-Ljungdahl pathway" in index
    assert "does not\n  follow sequencing depth" in index


# --------------------------------------------------------------------------- evidence (issue 10.8)


def _shipped_table(repo: Path, name: str, kind: str) -> pd.DataFrame:
    from gutbrain.report.inputs import read_table

    return read_table(repo / "resources" / name, kind)


def test_known_producers_have_direct_evidence_only(repo: Path) -> None:
    inputs = make_cohort_inputs()
    inputs.genus_traits = _shipped_table(repo, "genus_traits.tsv", "genus_traits")
    f = build_sample_facts("S1", inputs)
    producers = {p["genus"]: p for p in f["scfa"]["producers"]}
    others = {p["genus"]: p for p in f["scfa"]["other_genera"]}
    assert {"Faecalibacterium", "Coprococcus", "Roseburia"} <= set(producers)
    assert {"Bacteroides", "Subdoligranulum", "Butyricicoccus", "Odoribacter"} <= set(others)
    assert not set(producers) & set(others)
    assert all(p["evidence"] == "direct" for p in producers.values())
    assert others["Bacteroides"]["evidence"] == "genes only (production not shown)"
    assert others["Subdoligranulum"]["evidence"] == "review only (no primary source)"
    assert others["Odoribacter"]["evidence"] == "association only"
    assert others["Butyricicoccus"]["evidence"].startswith("non-human evidence only (animal")
    # the association-only Faecalibacterium row is not cited as evidence of production
    cited = {c["citation"] for c in producers["Faecalibacterium"]["citations"]}
    assert not any("Van-Wehle" in c for c in cited)
    html = render_sample_html(f)
    section = html[html.index("Known SCFA producers"):html.index('id="neuro"')]
    assert "direct evidence of production" in section
    assert "<td>genes only (production not shown)</td>" in section


def test_taxa_findings_merge_by_genus_and_hide_community_types(repo: Path) -> None:
    inputs = make_cohort_inputs()
    inputs.taxa_of_interest = _shipped_table(repo, "taxa_of_interest.tsv", "taxa_of_interest")
    # The fixture's Coprococcus ASV becomes a Bifidobacterium (family Bifidobacteriaceae).
    inputs.taxonomy = inputs.taxonomy.copy()
    inputs.taxonomy.loc["ASV_000000000002", ["family", "genus"]] = [
        "Bifidobacteriaceae", "Bifidobacterium"]
    f = build_sample_facts("S1", inputs)
    overview = {t["taxon"]: t for t in f["taxa_summary"]}
    bif = overview["Bifidobacterium"]
    assert bif["direction"] == "mixed"  # genus depleted, family Bifidobacteriaceae enriched
    assert bif["rank"] == "genus and related taxa"
    ranks = {t["rank"] for t in f["taxa_of_interest"] if t["genus"] == "Bifidobacterium"}
    assert ranks == {"genus", "family"}
    # Bact2 is a community type the pipeline does not assign: never shown with Bacteroides.
    assert "community_type" not in {t["rank"] for t in f["taxa_of_interest"]}
    assert not any("Bact2" in t["taxon"] for t in f["taxa_of_interest"])
    assert overview["Faecalibacterium"]["n_findings"] == 6  # genus and species rows merged


def test_absent_and_missing_defining_enzyme_count_alike_in_module_percentiles() -> None:
    from gutbrain.report.module_facts import _percentile_value

    assert _percentile_value("absent", 0.0) == _percentile_value("required_step_absent",
                                                                 float("nan")) == 0.0
    assert _percentile_value("below_coverage", float("nan")) is None
    assert _percentile_value("not_predictable", float("nan")) is None
    assert _percentile_value("scored", 2.5) == 2.5


def test_confidence_section_quotes_the_measured_agreement(pages: dict[str, str]) -> None:
    html = " ".join(pages["S1"].split())
    assert "Read coverage says how much of the sample the prediction covers" in html
    assert "median Spearman's rho of 0.60 (Cameroon stool, 57 samples, 1 headline route;" in html
    summary = " ".join(build_sample_facts("S1", make_cohort_inputs())["summary"]["paragraphs"])
    assert "Coverage is not accuracy" in summary and "rho of 0.60 (Cameroon" in summary


# --------------------------------------------------------------------------- group comparison


def _comparison_inputs(inputs: ReportInputs, significant: bool) -> ReportInputs:
    from dataclasses import replace

    return replace(inputs, **comparison_tables(significant))


def test_the_cohort_page_words_group_differences_as_predicted_potential(
        inputs: ReportInputs, facts: dict[str, dict], tmp_path: Path) -> None:
    sample_facts = [facts[s] for s in ("S1", "S2", "S3")]
    assert build_cohort_facts(sample_facts, inputs)["comparisons"] == []
    cohort = build_cohort_facts(sample_facts, _comparison_inputs(inputs, True))
    entry, other = cohort["comparisons"]
    assert (entry["test"], entry["reference"], entry["n_test"]) == ("dep", "control", 5)
    assert [r["feature"] for r in entry["rows"]] == ["butyrate", "gaba", "BUT_KINASE"]
    assert other["sentences"][0].startswith("No compound or route differs between 'anx'")
    assert entry["sentences"] == [
        "Predicted potential for Butyrate (Butyrate via acetyl-CoA) lower in 'dep' than "
        "in 'control': median 4.1% vs 7.9% of predicted cells in genera whose genomes carry the "
        "complete route, q = 0.03; genera behind the difference: Faecalibacterium -2.9 pp."]
    assert [g["label"] for g in entry["genera"]] == ["Faecalibacterium"]
    assert "has not been measured" in entry["agreement_text"]
    out = tmp_path / "index.html"
    render_cohort_report(cohort, out)
    html = out.read_text()
    assert 'id="comparison-dep_vs_control"' in html and "Bias: the groups differ in reads" in html
    assert "never a statement about a person" in html
    svg = re.search(r"<svg[^>]*aria-label=\"Group comparison[^\"]*\".*?</svg>", html, re.S)
    assert svg is not None
    ET.fromstring(svg.group(0))  # well-formed SVG
    nothing = build_cohort_facts(sample_facts, _comparison_inputs(inputs, False))
    assert nothing["comparisons"][0]["sentences"][0].startswith(
        "No compound or route differs between 'dep' and 'control'")


def test_forest_plot_draws_one_row_per_effect() -> None:
    svg = plots.forest([("butyrate", -0.035, -0.06, -0.01, True),
                        ("route: kinase", None, None, None, False)],
                       title="t", axis_label="pp")
    root = ET.fromstring(svg)
    circles = root.findall("{http://www.w3.org/2000/svg}circle")
    assert len(circles) == 1 and circles[0].get("fill") == "#08306b"
    assert "no value" in svg and "-3.5 pp (-6.0 to -1.0)" in svg


def test_a_zero_share_is_not_ranked_in_the_run(pages: dict[str, str]) -> None:
    """A share of 0 is never 'higher than' other samples (ties at 0 get a mid-rank)."""
    for name, html in pages.items():
        assert not re.search(r"<strong>0\.0%</strong>(<br><span[^>]*>bounds[^<]*</span>)?"
                             r"<br><span class=\"small muted\">higher than", html), name
    assert any("<strong>0.0%</strong>" in html for html in pages.values())
