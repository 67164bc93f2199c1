"""Tests for gutbrain.literature: the shipped curated tables and their loaders."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest
from gutbrain.errors import InputError
from gutbrain.literature import (
    DIRECTIONS,
    MIXED,
    TRAITS,
    load_genus_copies,
    load_genus_traits,
    load_taxa_of_interest,
    split_list,
)

BUT_PROXIES = {"K01034", "K01035", "K19709"}


def scfa_traits(traits: pd.DataFrame, exclude_evidence: tuple[str, ...] = ()) -> dict[str, set]:
    """Genus -> its short-chain fatty acid traits (category ``scfa:``) in the shipped table."""
    rows = traits[traits["trait"].map(lambda t: TRAITS[t][0].startswith("scfa:"))
                  & ~traits["evidence"].isin(exclude_evidence)]
    return {g: set(group["trait"]) for g, group in rows.groupby("genus")}


def genus_kos(traits: pd.DataFrame, include_proxies: bool = True) -> dict[str, set]:
    """Genus -> KOs listed for it (direct, plus proxies if asked)."""
    out: dict[str, set] = {}
    for record in traits.to_dict("records"):
        kos = out.setdefault(record["genus"], set())
        kos.update(split_list(record["kos"]))
        if include_proxies:
            kos.update(split_list(record["proxy_kos"]))
    return out


@pytest.fixture(scope="module")
def traits(repo: Path) -> pd.DataFrame:
    return load_genus_traits(repo / "resources" / "genus_traits.tsv")


@pytest.fixture(scope="module")
def copies(repo: Path) -> pd.DataFrame:
    return load_genus_copies(repo / "resources" / "genus_16s_copies.tsv")


@pytest.fixture(scope="module")
def findings(repo: Path) -> pd.DataFrame:
    return load_taxa_of_interest(repo / "resources" / "taxa_of_interest.tsv")


@pytest.fixture(scope="session")
def knowledge(repo: Path) -> Path:
    folder = repo.parent / "shared" / "knowledge"
    if not folder.is_dir():
        pytest.skip(f"curated knowledge tables not found at {folder}")
    return folder


# --- shipped genus_traits.tsv -------------------------------------------------------------


def test_genus_traits_shape_and_vocabulary(traits: pd.DataFrame) -> None:
    assert len(traits) == 78  # literature rows only: no inferred rows
    assert traits["genus"].nunique() == 29
    assert set(traits["trait"]) <= set(TRAITS)
    assert (traits["summary"].str.len() > 20).all()


@pytest.mark.parametrize(
    ("genus", "expected"),
    [
        ("Faecalibacterium", {"butyrate_but", "butyrate_unresolved"}),
        ("Roseburia", {"butyrate_but", "propionate_propanediol"}),
        ("Coprococcus", {"butyrate_buk", "propionate_acrylate"}),
        ("Anaerostipes", {"butyrate_but", "butyrate_lactate"}),
        ("Anaerobutyricum", {"butyrate_lactate", "propionate_propanediol"}),
        ("Agathobacter", {"butyrate_but", "butyrate_unresolved"}),
        ("Bacteroides", {"propionate_succinate"}),
        ("Akkermansia", {"propionate_succinate"}),
        ("Bifidobacterium", {"acetate"}),
    ],
)
def test_well_known_scfa_producers(traits: pd.DataFrame, genus: str, expected: set[str]) -> None:
    assert scfa_traits(traits)[genus] == expected


@pytest.mark.parametrize("genus", ["Eggerthella", "Alistipes", "Enterococcus", "Prevotella"])
def test_not_scfa_producers(traits: pd.DataFrame, genus: str) -> None:
    assert genus not in scfa_traits(traits)


def test_scfa_producers_can_drop_association_only_rows(traits: pd.DataFrame) -> None:
    strict = scfa_traits(traits, exclude_evidence=("in_vivo_association", "review"))
    assert "Odoribacter" not in strict and "Subdoligranulum" not in strict
    assert "Odoribacter" in scfa_traits(traits)
    assert strict["Faecalibacterium"] == {"butyrate_but", "butyrate_unresolved"}


def test_but_has_only_proxy_kos_and_absent_buk_is_not_listed(traits: pd.DataFrame) -> None:
    but = traits[traits["trait"] == "butyrate_but"]
    for record in but.to_dict("records"):
        assert split_list(record["kos"]) == [] or "K00929" in record["kos"]
        assert set(split_list(record["proxy_kos"])) == BUT_PROXIES
        assert "no KO of its own" in record["ko_note"]
    direct = genus_kos(traits, include_proxies=False)
    assert direct["Faecalibacterium"] == set()  # but has no KO: proxies only
    assert "K00929" not in direct.get("Roseburia", set())
    assert set(direct["Coprococcus"]) >= {"K00929", "K00634"}
    assert set(genus_kos(traits)["Faecalibacterium"]) == BUT_PROXIES


def test_genus_kos_lists_genera_without_kos(traits: pd.DataFrame) -> None:
    kos = genus_kos(traits)
    assert kos["Eggerthella"] == set() and kos["Alistipes"] == set()
    assert kos["Enterococcus"] == {"K01593", "K22330"}


def test_renamings_are_recorded(traits: pd.DataFrame) -> None:
    syn = traits.groupby("genus")["synonyms"].apply(lambda s: set(";".join(s).split(";")))
    assert "Eubacterium" in syn["Agathobacter"] and "Eubacterium" in syn["Anaerobutyricum"]
    assert "Phocaeicola" in syn["Bacteroides"]
    assert "Lactiplantibacillus" in syn["Lactobacillus"]


def test_every_ko_exists_in_kegg_names(traits: pd.DataFrame, shared_data: Path) -> None:
    path = shared_data / "picrust2" / "description_mapfiles" / "ko_name.txt.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        names = pd.read_csv(handle, sep="\t", header=None, dtype=str)
    known = {k.removeprefix("ko:") for k in names[0]}
    used = {k for col in ("kos", "proxy_kos") for cell in traits[col] for k in split_list(cell)}
    assert used and used <= known


def test_gene_name_assigned_kos_match_kegg_names(traits: pd.DataFrame, shared_data: Path) -> None:
    path = shared_data / "picrust2" / "description_mapfiles" / "ko_name.txt.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        names = dict(pd.read_csv(handle, sep="\t", header=None, dtype=str).to_numpy())
    assert names["ko:K01425"].startswith("glutaminase")
    assert names["ko:K22330"].startswith("tyrosine decarboxylase")
    assert "fructose-6-phosphate phosphoketolase" in names["ko:K01621"]
    assert names["ko:K01580"].startswith("glutamate decarboxylase")
    assigned = traits[traits["ko_note"].str.contains("assigned by gene name")]
    assert len(assigned) >= 5


def test_dois_come_from_the_knowledge_tables(
    traits: pd.DataFrame, findings: pd.DataFrame, knowledge: Path
) -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(knowledge.iterdir()))
    dois = set(traits["doi"]) | set(findings["doi"])
    dois.discard("")
    missing = sorted(d for d in dois if d not in text)
    assert missing == []


# --- shipped genus_16s_copies.tsv ----------------------------------------------------------


def test_copies_cover_trait_genera_from_rrndb(
    copies: pd.DataFrame, traits: pd.DataFrame, shared_data: Path
) -> None:
    rrndb = pd.read_csv(
        shared_data / "rdp_classifier_samples" / "rrnDBv4.2.2_copynumber.txt", sep="\t"
    ).set_index("name")
    for record in copies.to_dict("records"):
        assert record["copies_16s"] == pytest.approx(rrndb.loc[record["rrndb_taxon"], "mean"])
        assert record["statistic"] == "mean" and "10.1093/nar/gku1201" in record["source"]
    missing = set(traits["genus"]) - set(copies["genus"])
    assert missing == {
        "Agathobacter", "Anaerobutyricum", "Blautia", "Butyricicoccus", "Dialister", "Evtepia",
        "Morganella", "Phascolarctobacterium", "Subdoligranulum",
    }
    assert not (missing & set(rrndb.index))


@pytest.mark.parametrize(
    ("genus", "value"),
    [("Faecalibacterium", 1.0), ("Bacteroides", 5.8), ("Escherichia", 7.0),
     ("Bifidobacterium", 3.47), ("Akkermansia", 3.0)],
)
def test_copy_values(copies: pd.DataFrame, genus: str, value: float) -> None:
    assert copies.set_index("genus").loc[genus, "copies_16s"] == pytest.approx(value)


# --- shipped taxa_of_interest.tsv ----------------------------------------------------------


def test_findings_rows_are_single_direction(findings: pd.DataFrame) -> None:
    assert len(findings) == 44
    assert set(findings["direction"]) <= set(DIRECTIONS)
    assert MIXED not in set(findings["direction"])


# --- malformed tables ----------------------------------------------------------------------


def _write(path: Path, frame: pd.DataFrame) -> Path:
    frame.to_csv(path, sep="\t", index=False)
    return path


def _trait_row(**changes: str) -> dict[str, str]:
    row = {
        "genus": "Alpha", "trait": "butyrate_buk", "kos": "K00929;K00634", "proxy_kos": "",
        "ko_note": "", "genes": "buk; ptb", "prevalence": "some_strains",
        "evidence": "biochemical", "summary": "A tiny made-up fact for testing.",
        "citation": "Someone 2000", "doi": "10.1000/xyz", "url": "",
    }
    row.update(changes)
    return row


@pytest.mark.parametrize(
    ("changes", "column"),
    [
        ({"trait": "butyrate_magic"}, "trait"),
        ({"kos": "K00929;K123"}, "kos"),
        ({"proxy_kos": "ko:K01034"}, "proxy_kos"),
        ({"proxy_kos": "K00929"}, "proxy_kos"),
        ({"genus": "alpha"}, "genus"),
        ({"prevalence": "all"}, "prevalence"),
        ({"evidence": "anecdote"}, "evidence"),
        ({"summary": ""}, "summary"),
        ({"doi": "doi.org/10.1/x"}, "doi"),
        ({"doi": "", "url": ""}, "doi"),
        ({"url": "ftp://x"}, "url"),
    ],
)
def test_load_genus_traits_rejects(tmp_path: Path, changes: dict[str, str], column: str) -> None:
    path = _write(tmp_path / "traits.tsv", pd.DataFrame([_trait_row(), _trait_row(**changes)]))
    with pytest.raises(InputError) as info:
        load_genus_traits(path)
    message = str(info.value)
    assert str(path) in message and "line 3" in message and f"column '{column}'" in message


def test_load_genus_traits_missing_column_and_file(tmp_path: Path) -> None:
    frame = pd.DataFrame([_trait_row()]).drop(columns=["kos"])
    path = _write(tmp_path / "traits.tsv", frame)
    with pytest.raises(InputError, match=r"traits\.tsv: line 1: missing column\(s\) \['kos'\]"):
        load_genus_traits(path)
    with pytest.raises(InputError, match="not found"):
        load_genus_traits(tmp_path / "absent.tsv")


def test_load_genus_traits_ragged_line(tmp_path: Path) -> None:
    path = tmp_path / "traits.tsv"
    header = "\t".join(_trait_row())
    path.write_text(f"{header}\n" + "\t".join(_trait_row().values()) + "\textra\tmore\n")
    with pytest.raises(InputError, match="traits.tsv"):
        load_genus_traits(path)


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ({"genus": "Alpha", "copies_16s": "0.5", "statistic": "mean", "source": "s"}, "copies_16s"),
        ({"genus": "Alpha", "copies_16s": "four", "statistic": "mean", "source": "s"},
         "copies_16s"),
        ({"genus": "Alpha", "copies_16s": "4", "statistic": "mode", "source": "s"}, "statistic"),
        ({"genus": "Beta", "copies_16s": "4", "statistic": "mean", "source": ""}, "source"),
        ({"genus": "Beta", "copies_16s": "4", "statistic": "mean", "source": "s"}, "genus"),
    ],
)
def test_load_genus_copies_rejects(tmp_path: Path, row: dict[str, str], column: str) -> None:
    good = {"genus": "Beta", "copies_16s": "2", "statistic": "mean", "source": "rrnDB"}
    path = _write(tmp_path / "copies.tsv", pd.DataFrame([good, row]))
    with pytest.raises(InputError) as info:
        load_genus_copies(path)
    assert "copies.tsv, line 3" in str(info.value) and f"column '{column}'" in str(info.value)


def test_load_genus_copies_parses_floats(tmp_path: Path) -> None:
    good = {"genus": "Beta", "copies_16s": "2.5", "statistic": "median", "source": "rrnDB"}
    table = load_genus_copies(_write(tmp_path / "copies.tsv", pd.DataFrame([good])))
    assert table["copies_16s"].tolist() == [2.5]


def _taxa_row(**changes: str) -> dict[str, str]:
    row = {
        "taxon": "Alpha", "rank": "genus", "genus": "Alpha", "direction": "depleted",
        "finding": "Lower in a made-up group.", "study": "Someone 2000", "doi": "10.1000/x",
        "url": "", "evidence_strength": "single-small-cohort",
    }
    row.update(changes)
    return row


@pytest.mark.parametrize(
    ("changes", "column", "text"),
    [
        ({"direction": MIXED}, "direction", "combined_direction"),
        ({"direction": "up"}, "direction", "not one of"),
        ({"rank": "kingdom"}, "rank", "not one of"),
        ({"evidence_strength": "strong"}, "evidence_strength", "not one of"),
        ({"genus": ""}, "genus", "not a genus name"),
        ({"finding": ""}, "finding", "empty value"),
    ],
)
def test_load_taxa_of_interest_rejects(
    tmp_path: Path, changes: dict[str, str], column: str, text: str
) -> None:
    path = _write(tmp_path / "taxa.tsv", pd.DataFrame([_taxa_row(), _taxa_row(**changes)]))
    with pytest.raises(InputError) as info:
        load_taxa_of_interest(path)
    message = str(info.value)
    assert "taxa.tsv, line 3" in message and f"column '{column}'" in message and text in message



# --- issue 10: directions checked, evidence classes, copy-number support ---------------------


def test_unsupported_depression_directions_are_not_shipped(findings: pd.DataFrame) -> None:
    """Strandwitz 2019 reported a Bacteroides-fMRI correlation (known from a secondary summary),
    not depletion in depression; Aizawa 2016's Lactobacillus result was a non-significant trend
    (P = 0.067). Neither is a direction of abundance in depression: both rows are left out."""
    bacteroides = findings[findings["genus"] == "Bacteroides"]
    assert not bacteroides["study"].str.contains("Strandwitz").any()
    lactobacillus = findings[findings["genus"] == "Lactobacillus"]
    assert not lactobacillus["study"].str.contains("Aizawa").any()
    # every remaining row is cited; a non-significant result is never given as a direction
    assert ((findings["doi"] != "") | (findings["url"] != "")).all()
    assert not findings["finding"].str.contains("P=0.067|P = 0.067").any()


def test_trait_rows_record_where_the_evidence_comes_from(traits: pd.DataFrame) -> None:
    from gutbrain.literature import ORIGINS, evidence_label

    assert set(traits["origin"]) <= set(ORIGINS)
    for genus in ("Butyricicoccus", "Megasphaera"):
        rows = traits[(traits["genus"] == genus) & (traits["trait"] == "butyrate_unresolved")]
        assert set(rows["origin"]) == {"animal"}, genus
    assert evidence_label("biochemical", "human") == "direct"
    assert evidence_label("biochemical", "animal").startswith("non-human evidence")
    assert evidence_label("in_vivo_association", "human") == "association only"
    assert evidence_label("review", "human").startswith("review only")
    assert evidence_label("genomic", "human").startswith("genes only")


def test_copy_numbers_from_few_genomes_are_flagged(copies: pd.DataFrame) -> None:
    flagged = copies.set_index("genus")["few_genomes"]
    assert flagged["Faecalibacterium"] == "true"  # 1 from a single rrnDB genome
    assert flagged["Bacteroides"] == "false"
    few = copies["rrndb_childcount"].astype(int) <= 2
    assert (copies.loc[few, "few_genomes"] == "true").all()
    assert (copies.loc[~few, "few_genomes"] == "false").all()


def test_few_genomes_flag_must_match_childcount(tmp_path: Path, repo: Path) -> None:
    text = (repo / "resources" / "genus_16s_copies.tsv").read_text(encoding="utf-8")
    lines = text.splitlines()
    header = lines[0].split("\t")
    column = header.index("few_genomes")
    row = next(i for i, line in enumerate(lines) if line.startswith("Faecalibacterium\t"))
    cells = lines[row].split("\t")
    cells[column] = "false"
    lines[row] = "\t".join(cells)
    bad = tmp_path / "copies.tsv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=f"line {row + 1}, column 'few_genomes'"):
        load_genus_copies(bad)
