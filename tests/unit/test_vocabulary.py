"""The report vocabulary is data (resources/compounds.yaml, gutbrain.report.vocabulary): the
shipped file covers every compound the catalog and the routes name, a bad file is refused with
its key, and a new compound reaches the pages by editing the file only."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
import yaml
from gutbrain.errors import InputError
from gutbrain.report import build_cohort_facts, build_sample_facts
from gutbrain.report.render import render_sample_html
from gutbrain.report.vocabulary import DEFAULT_PATH, load_vocabulary, use_vocabulary, vocabulary

from tests.fixtures.report_cohort import make_cohort_inputs

REPO = Path(__file__).resolve().parents[2]


def test_shipped_vocabulary_names_every_compound_of_the_catalog_and_the_routes() -> None:
    shipped = load_vocabulary(DEFAULT_PATH)
    catalog = yaml.safe_load((REPO / "resources" / "module_catalog.yaml").read_text())
    compounds = {m["category"].split(":", 1)[1] for m in catalog["modules"]}
    with open(REPO / "resources" / "routes.tsv", encoding="utf-8") as handle:
        compounds |= {row["compound"] for row in csv.DictReader(
            (line for line in handle if not line.startswith("#")), delimiter="\t")}
    assert compounds - set(shipped.labels) == set()
    assert shipped.scfa == ("acetate", "propionate", "butyrate")
    assert shipped.cohort_keys == ("acetate", "propionate", "butyrate", "gaba")
    assert shipped.scfa_family == "Short-chain fatty acids"
    assert shipped.label("isovalerate") == "Isovalerate"
    assert shipped.family_of("isovalerate") == "Other compounds"
    assert vocabulary() == shipped


def _write(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "compounds.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["compounds"]["gaba"].pop("label"), "compounds.gaba: needs a label"),
    (lambda d: d["compounds"]["gaba"].update(section="brain"), "compounds.gaba.section"),
    (lambda d: d["compounds"]["gaba"].update(colour="red"), "unknown key(s) ['colour']"),
    (lambda d: d["families"][1]["compounds"].append("acetate"), "'acetate' is in two families"),
    (lambda d: d["families"][0]["compounds"].append("lactate"), "'lactate' has no entry"),
    (lambda d: d["compounds"]["dopamine"].update(also=["l_dopa"]), "also names ['l_dopa']"),
])
def test_a_bad_vocabulary_is_refused_naming_the_key(tmp_path, edit, message) -> None:
    path = _write(tmp_path, edit)
    with pytest.raises(InputError) as err:
        load_vocabulary(path)
    assert message in str(err.value) and str(path) in str(err.value)


def test_a_new_compound_reaches_the_pages_by_editing_the_vocabulary_only(tmp_path) -> None:
    """Trimethylamine: a catalog module of category neuro:trimethylamine (here its scores) and
    an entry in the compounds file give it a label, a panel family, the neuro section and a
    column of the cohort table; no code names it."""
    def add(data):
        data["compounds"]["trimethylamine"] = {"label": "Trimethylamine (TMA)",
                                               "section": "neuro", "cohort_key": True}
        data["families"].insert(-1, {"name": "Microbial amines",
                                     "compounds": ["trimethylamine"]})

    inputs = make_cohort_inputs()
    scores = inputs.module_scores
    new = scores[scores["module"] == "MGB020"].assign(
        module="M_TMA1", name="Trimethylamine from choline (cutC)",
        category="neuro:trimethylamine")
    inputs.module_scores = pd.concat([scores, new], ignore_index=True)

    with use_vocabulary(_write(tmp_path, add)):
        facts = build_sample_facts("S1", inputs, run_date="2025-06-01")
        cohort = build_cohort_facts([facts], inputs, run_date="2025-06-01")
        html = render_sample_html(facts)
    row = next(r for r in facts["panel"]["compounds"] if r["compound"] == "trimethylamine")
    assert row["label"] == "Trimethylamine (TMA)" and row["family"] == "Microbial amines"
    families = [r["family"] for r in facts["panel"]["compounds"]]
    assert families.index("Microbial amines") > families.index("Histamine")
    assert "trimethylamine" in {m["compound"] for m in facts["neuro"]["modules"]}
    assert "Trimethylamine (TMA)" in cohort["key_compounds"]
    assert "Trimethylamine (TMA)" in html and "Microbial amines" in html
    # Without the entry it would be a bare key in the last family, and no cohort column.
    plain = build_sample_facts("S1", inputs, run_date="2025-06-01")
    row = next(r for r in plain["panel"]["compounds"] if r["compound"] == "trimethylamine")
    assert row["label"] == "Trimethylamine" and row["family"] == "Other compounds"
    assert vocabulary() == load_vocabulary(DEFAULT_PATH)
