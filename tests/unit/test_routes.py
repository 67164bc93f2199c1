"""Genome-resolved routes (gutbrain.routes) and the shipped route tables."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from gutbrain.errors import InputError
from gutbrain.genus_profile_build import genome_taxa, read_species_genera
from gutbrain.routes import (
    MIN_CARRIER_FRACTION,
    RouteReference,
    ec_route_copies,
    genome_carriage,
    genome_quality,
    genus_cells,
    genus_route_carriers,
    load_route_reference,
    load_routes,
    route_visibility,
    sample_route_measures,
)

REPO = Path(__file__).resolve().parents[2]
ROUTES = REPO / "resources" / "routes.tsv"
REFERENCE = REPO / "resources" / "genus_profile"
HEADER = ("route\tcompound\tdirection\trole\tname\tspecific\tgeneric\tmax_generic_missing\t"
          "measurable\tinvisible\ttraits\tnon_carriers\tsources\tnote\n")


def _routes_file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "routes.tsv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def _route(tmp_path: Path, specific: str, generic: str = "", missing: int = 0):
    row = (f"R1\tbutyrate\tsynthesis\theadline\tTest route\t{specific}\t{generic}\t{missing}\t"
           "yes\t\t\t\tTest source\t")
    return load_routes(_routes_file(tmp_path, row))[0]


# --------------------------------------------------------------------------- the table


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("R1\tbutyrate\tsynthesis\theadline\tx\t2.3.1.x\t\t0\tyes\t\t\t\tsrc\t",
         "column specific: '2.3.1.x' is not a list of EC numbers"),
        ("R1\tbutyrate\tmaking\theadline\tx\t2.3.1.9\t\t0\tyes\t\t\t\tsrc\t",
         "column direction: 'making'"),
        ("R1\tbutyrate\tsynthesis\theadline\tx\t2.3.1.9\t\t0\tno\t\t\t\tsrc\t",
         "is not measurable but column 'invisible' does not say"),
        ("R1\tbutyrate\tsynthesis\theadline\tx\t\t\t0\tyes\t\t\t\tsrc\t",
         "route R1 has no specific step"),
        ("R1\tbutyrate\tsynthesis\theadline\tx\t2.3.1.9\t\t0\tyes\t\t\t\t\t",
         "route R1 has no source"),
        ("R1\tbutyrate\tsynthesis\theadline\tx\t2.3.1.9\t\tone\tyes\t\t\t\tsrc\t",
         "max_generic_missing: 'one' is not a whole number"),
    ],
)
def test_bad_route_rows_are_named(tmp_path: Path, row: str, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)) as err:
        load_routes(_routes_file(tmp_path, row))
    assert "line 2" in str(err.value)


def test_shipped_routes_load_and_declare_measurability_as_the_reference_sees_it() -> None:
    routes = load_routes(ROUTES)
    visibility = pd.read_csv(REFERENCE / "route_visibility.tsv", sep="\t", dtype=str)
    seen = dict(zip(visibility["route"], visibility["seen"], strict=True))
    for route in routes:
        if route.measurable:
            assert seen[route.id] == "yes", route.id
        elif route.role != "not_predictable" and route.specific:
            # Declared not measurable: the reference does not annotate a defining enzyme, or
            # (L-DOPA decarboxylase) annotates it in none of the known carriers.
            assert route.invisible, route.id
    by_id = {r.id: r for r in routes}
    # Decisions of the route table (docs/modules.md): what is never measurable here.
    for rid in ("BUT_GLUTARATE", "PRO_ACRYLATE", "TRYPTAMINE_DC", "LDOPA_DC", "GABA_PUTRESCINE"):
        assert not by_id[rid].measurable, rid
    assert by_id["QUIN_NAD"].role == "universal" and by_id["ACE_PTA_ACK"].role == "universal"
    # The succinate route is seen through mutase + epimerase, never through EC 4.1.1.41.
    assert "EC:4.1.1.41" not in by_id["PRO_SUCCINATE"].ecs
    assert ("EC:5.4.99.2",) in by_id["PRO_SUCCINATE"].specific
    # Propanediol needs the dehydratase and pduP; Wood-Ljungdahl needs three enzymes, not fhs.
    assert len(by_id["PRO_PROPANEDIOL"].specific) == 2
    assert "EC:6.3.4.3" not in by_id["ACE_WOOD_LJUNGDAHL"].ecs
    # EC 2.8.3.8 (AtoDA) is not a stand-in for the butyrate CoA-transferase.
    assert all("EC:2.8.3.8" not in r.ecs for r in routes)


# --------------------------------------------------------------------------- genomes


def _genomes() -> pd.DataFrame:
    cols = ["EC:2.3.1.9", "EC:1.1.1.157", "EC:4.2.1.55", "EC:1.3.8.1", "EC:2.3.1.19",
            "EC:2.7.2.7"]
    rows = {
        "Full_one_1": [1, 1, 1, 1, 1, 1],
        "Full_one_2": [1, 1, 1, 1, 1, 1],
        "Full_two_1": [1, 1, 0, 1, 1, 1],  # crotonase unannotated: one generic step may miss
        "Kinase_only_1": [0, 0, 0, 0, 1, 1],  # ptb + buk alone (Bacteroidetes-like)
        "Trace_one_1": [1, 0.01, 1, 0.003, 1, 1],  # trace values are not genes
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=cols, dtype=float)


def test_a_route_is_carried_only_whole_in_one_genome(tmp_path: Path) -> None:
    genomes = _genomes()
    kinase = _route(tmp_path, "2.3.1.19;2.7.2.7;1.1.1.157", "2.3.1.9;4.2.1.55;1.3.8.1", 1)
    assert genome_carriage(genomes, kinase).tolist() == [True, True, True, False, False]
    strict = _route(tmp_path, "1.3.8.1;1.1.1.157", "2.3.1.9;4.2.1.55", 0)
    assert genome_carriage(genomes, strict).tolist() == [True, True, False, False, False]


def test_genus_carriage_averages_species_and_leaves_thin_genera_unresolved(tmp_path: Path
                                                                          ) -> None:
    route = _route(tmp_path, "1.3.8.1;1.1.1.157")
    n_big, n_small = 100, 4
    names = ([f"Alpha_coli_{i}" for i in range(n_big)] + [f"Alpha_rara_{i}" for i in
                                                          range(n_small)]
             + ["Beta_one_1", "Beta_one_2"])
    carried = [0.0] * n_big + [1.0] * n_small + [1.0, 1.0]
    genomes = pd.DataFrame({"EC:1.3.8.1": carried, "EC:1.1.1.157": carried}, index=names)
    genus, species = genome_taxa(genomes.index)
    table = genus_route_carriers(genomes, genus, species, [route], min_genomes=3)
    alpha = table.set_index("genus").loc["Alpha"]
    # Species weighted by the square root of their genome counts: 4 carriers of 104 genomes
    # pooled would give 0.04, a plain species mean 0.5.
    assert alpha["carrier_fraction"] == pytest.approx(2 / (10 + 2))
    assert (alpha["carrier_low"], alpha["carrier_high"]) == (0.0, 1.0)
    beta = table.set_index("genus").loc["Beta"]
    assert np.isnan(beta["carrier_fraction"])  # 2 genomes < 3: unresolved, not zero


def test_duplicates_and_incomplete_genomes_are_left_out() -> None:
    from gutbrain.routes import CORE_AARS

    full = dict.fromkeys(CORE_AARS, 1.0)
    genomes = pd.DataFrame([full, full, {**full, **dict.fromkeys(CORE_AARS[:3], 0.0)}],
                           index=["A_b_1", "A_b_1", "A_b_2"])
    keep, counts = genome_quality(genomes)
    assert keep.tolist() == [True, False, False]
    assert counts == {"genomes": 3, "duplicates": 1, "incomplete": 1, "used": 1}


def test_species_move_to_their_current_genus() -> None:
    renames = read_species_genera(REPO / "resources" / "species_genera.tsv")
    genus, species = genome_taxa(["Eubacterium_rectale_M104/1", "Eubacterium_eligens_1",
                                  "Ruminococcus_gnavus_ATCC", "[Ruminococcus]_lactaris_2"],
                                 renames)
    assert genus.tolist() == ["Agathobacter", "Eubacterium", "Mediterraneibacter",
                              "Mediterraneibacter"]
    assert species.iloc[0] == "Agathobacter rectale"
    carriers = pd.read_csv(REFERENCE / "route_carriers.tsv", sep="\t")
    for name in ("Agathobacter", "Mediterraneibacter", "Phocaeicola"):
        assert name in set(carriers["genus"]), name


# --------------------------------------------------------------------------- samples


def _reference(fraction: dict[str, float], route: str = "R1") -> RouteReference:
    carriers = pd.DataFrame({
        "route": route, "genus": list(fraction), "n_genomes": 10, "n_species": 2,
        "carrier_fraction": list(fraction.values()),
        "carrier_low": [max(0.0, f - 0.1) for f in fraction.values()],
        "carrier_high": [min(1.0, f + 0.1) for f in fraction.values()],
        "marker_copies": [f * 1.5 for f in fraction.values()],
    })
    visibility = pd.DataFrame({"route": [route], "seen": ["yes"], "unseen_ecs": [""],
                               "n_carrier_genera": [1]})
    return RouteReference(carriers=carriers, visibility=visibility)


def test_carrier_share_is_per_cell_and_names_only_carriers(tmp_path: Path) -> None:
    route = _route(tmp_path, "1.3.8.1")
    reference = _reference({"Faecalibacterium": 0.9, "Bacteroides": 0.0, "Escherichia": 0.05,
                            "Thin": np.nan})
    cells = pd.DataFrame({"S1": [100.0, 300.0, 50.0, 10.0, 40.0]},
                         index=["Faecalibacterium", "Bacteroides", "Escherichia", "Thin", ""])
    measures, contributors = sample_route_measures(cells, [route], reference, 0.01, 0.5)
    row = measures.iloc[0]
    resolved = 450.0
    assert row["carrier_share"] == pytest.approx(100 * 0.9 / resolved)
    assert row["fraction_cells_resolved"] == pytest.approx(resolved / 500)
    assert row["marker_copies_per_cell"] == pytest.approx((100 * 1.35 + 50 * 0.075)
                                                          / resolved)
    assert row["status"] == "present"
    # Escherichia's 5 % is below MIN_CARRIER_FRACTION: not a carrier, never a contributor.
    assert MIN_CARRIER_FRACTION > 0.05
    assert contributors["genus"].tolist() == ["Faecalibacterium"]


def test_a_genus_where_only_some_species_carry_the_route_counts_only_in_the_upper_bound(
        tmp_path: Path) -> None:
    """A genus is credited only when most of its genomes carry the route: at 0.3 it is not a
    contributor and adds nothing to the carrier share, but stays in the upper bound."""
    route = _route(tmp_path, "4.1.1.22")
    reference = _reference({"Morganella": 0.95, "Bacteroides": 0.3})
    cells = pd.DataFrame({"S1": [10.0, 90.0]}, index=["Morganella", "Bacteroides"])
    measures, contributors = sample_route_measures(cells, [route], reference, 0.01, 0.5)
    row = measures.iloc[0]
    assert row["carrier_share"] == pytest.approx(10 * 0.95 / 100)
    assert row["carrier_share_high"] == pytest.approx((10 * 1.0 + 90 * 0.4) / 100)
    assert row["carrier_share_low"] == pytest.approx(10 * 0.85 / 100)
    assert row["partial_share"] == pytest.approx(0.9)
    assert row["partial_genera"] == "Bacteroides"
    assert contributors["genus"].tolist() == ["Morganella"]
    # Without the whole-route carrier the route is absent, and the page says where some
    # species might carry it.
    from gutbrain.report.wording import route_sentence

    alone = cells.loc[["Bacteroides"]]
    measures, contributors = sample_route_measures(alone, [route], reference, 0.01, 0.5)
    row = measures.iloc[0]
    assert row["status"] == "absent" and row["carrier_share"] == 0
    assert contributors.empty
    sentence = route_sentence({"label": "Histamine", "status": "absent", "name": "hdc",
                               "fraction_cells_resolved": 1.0, "partial_share": 1.0,
                               "partial_genera": ["Bacteroides"]})
    assert "only some genomes carry it (Bacteroides)" in sentence
    # Rare carriage (under MIN_PARTIAL_FRACTION) is not named as a lead.
    rare = _reference({"Escherichia": 0.03})
    rare_cells = pd.DataFrame({"S1": [10.0]}, index=["Escherichia"])
    row = sample_route_measures(rare_cells, [route], rare, 0.01, 0.5)[0].iloc[0]
    assert row["partial_share"] == 0 and row["partial_genera"] == ""


def test_statuses_absent_unresolved_and_not_measurable(tmp_path: Path) -> None:
    route = _route(tmp_path, "1.3.8.1")
    reference = _reference({"Bacteroides": 0.0})
    cells = pd.DataFrame({"S1": [100.0, 0.0], "S2": [10.0, 90.0], "S3": [0.0, 0.0]},
                         index=["Bacteroides", ""])
    measures, _ = sample_route_measures(cells, [route], reference, 0.01, 0.5)
    assert measures["status"].tolist() == ["absent", "unresolved", "unresolved"]
    measures, _ = sample_route_measures(cells, [route], None, 0.01, 0.5)
    assert set(measures["status"]) == {"not_measurable"}
    assert measures["carrier_share"].isna().all()


def test_thinning_a_sample_to_a_quarter_keeps_its_statuses() -> None:
    """Rarefy each demo-like sample to 25 % of its reads: statuses and shares hold."""
    routes = load_routes(ROUTES)
    reference = load_route_reference(REFERENCE)
    rng = np.random.default_rng(1)
    genera = ["Faecalibacterium", "Roseburia", "Bacteroides", "Escherichia", "Alistipes",
              "Coprococcus", "Akkermansia", "Parabacteroides", "Blautia", ""]
    counts = pd.DataFrame(rng.integers(200, 4000, size=(len(genera), 4)).astype(float),
                          index=[f"ASV_{i}" for i in range(len(genera))],
                          columns=["A", "B", "C", "D"])
    counts.iloc[0:2, 1] = 0.0  # a sample without the main butyrate producers
    names = dict(zip(counts.index, genera, strict=True))
    copies = {"Bacteroides": 5.8, "Escherichia": 7.0}
    full, _ = sample_route_measures(genus_cells(counts, names, copies, 3.0), routes, reference,
                                    0.01, 0.5)
    thinned = counts.apply(lambda c: pd.Series(
        rng.multinomial(int(c.sum() // 4), c / c.sum()), index=c.index)).astype(float)
    quarter, _ = sample_route_measures(genus_cells(thinned, names, copies, 3.0), routes,
                                       reference, 0.01, 0.5)
    assert full["status"].tolist() == quarter["status"].tolist()
    both = full["carrier_share"].notna()
    assert np.allclose(full.loc[both, "carrier_share"], quarter.loc[both, "carrier_share"],
                       atol=0.02)


def test_ec_route_copies_take_the_scarcest_step_per_cell(tmp_path: Path) -> None:
    from gutbrain.routes import CORE_AARS

    route = _route(tmp_path, "1.3.8.1;1.1.1.157|1.1.1.35")
    table = pd.DataFrame({"S1": [2.0, 1.0, 2.0], "S2": [0.0, 3.0, 3.0]},
                         index=["EC:1.3.8.1", "EC:1.1.1.157", "EC:1.1.1.35"])
    cells = pd.DataFrame({"S1": 4.0, "S2": 2.0}, index=list(CORE_AARS))
    out = ec_route_copies(pd.concat([table, cells]), [route])
    assert out.loc["R1", "S1"] == pytest.approx(2.0 / 4.0)
    assert out.loc["R1", "S2"] == 0.0
    # A step the table cannot report makes the route unknown, not zero.
    unseen = ec_route_copies(pd.concat([table.drop(index="EC:1.3.8.1"), cells]), [route])
    assert unseen.loc["R1"].isna().all()
    with pytest.raises(InputError, match="single-copy"):
        ec_route_copies(table, [route])


# --------------------------------------------------------------------------- the shipped reference


def test_known_carriers_pass_and_known_non_carriers_fail() -> None:
    """Recall at genus level for the literature's genus-wide producers; every non-carrier the
    route table names stays below the carrier threshold."""
    carriers = pd.read_csv(REFERENCE / "route_carriers.tsv", sep="\t").set_index(
        ["route", "genus"])["carrier_fraction"]
    expected = {
        "BUT_ACETYL_COA": ["Faecalibacterium", "Roseburia", "Agathobacter", "Anaerostipes",
                           "Anaerobutyricum", "Coprococcus"],
        "BUT_KINASE": ["Coprococcus"],
        "BUT_LYSINE": ["Fusobacterium"],
        "PRO_SUCCINATE": ["Bacteroides", "Veillonella", "Akkermansia"],
        "PRO_PROPANEDIOL": ["Anaerobutyricum"],
        "GABA_GAD": ["Bacteroides", "Parabacteroides", "Escherichia"],
        "INDOLE_TNA": ["Escherichia", "Bacteroides"],
        "HISTAMINE_HDC": ["Morganella"],
    }
    for route, genera in expected.items():
        for genus in genera:
            assert carriers[(route, genus)] >= MIN_CARRIER_FRACTION, (route, genus)
    for route in load_routes(ROUTES):
        for genus in route.non_carriers:
            value = carriers.get((route.id, genus), 0.0)
            assert not value >= MIN_CARRIER_FRACTION, (route.id, genus, value)
    # Species-dependent carriers: some species of the genus carry the route (Dialister invisus's
    # succinate route, Blautia obeum's propanediol route, the B. fragilis group's histidine
    # decarboxylase), most genomes of the genus do not; they stay out of the measure and in its
    # upper bound.
    for route, genus in (("PRO_SUCCINATE", "Dialister"), ("PRO_PROPANEDIOL", "Blautia"),
                         ("HISTAMINE_HDC", "Bacteroides")):
        assert 0.1 < carriers[(route, genus)] < MIN_CARRIER_FRACTION, (route, genus)


def test_visibility_names_unseen_enzymes(tmp_path: Path) -> None:
    route = _route(tmp_path, "1.3.8.1;9.9.9.9")
    genomes = pd.DataFrame({"EC:1.3.8.1": [1.0]}, index=["A_b_1"])
    table = route_visibility(genomes, [route], pd.DataFrame(columns=["route",
                                                                     "carrier_fraction"]))
    assert table.iloc[0]["seen"] == "no" and table.iloc[0]["unseen_ecs"] == "EC:9.9.9.9"


#: Producers the literature traits table names whose genomes in this reference lack an
#: annotated defining step (annotation gaps, documented in docs/modules.md).
KNOWN_GAPS = {
    ("PRO_PROPANEDIOL", "Roseburia inulinivorans"): "propanediol dehydratase (EC 4.2.1.28) "
    "is not annotated in its 10 genomes",
    ("GABA_DEGRADATION", "Evtepia gabavorous"): "no succinate-semialdehyde dehydrogenase "
    "annotated in its one genome",
}


@pytest.mark.shared_data
@pytest.mark.slow
def test_named_producer_species_carry_their_routes(shared_data: Path) -> None:
    """Recall at species level: every species the literature traits table names for a route's
    trait, with genomes in the source table, carries the whole route in at least half of its
    genomes (strain traits such as hdc in L. reuteri at least in some), except the known
    annotation gaps."""
    from gutbrain.genus_profile_build import (
        read_ec_transfers,
        read_genome_ec_table,
        renumber_ec_columns,
    )
    from gutbrain.literature import load_genus_traits

    genomes = renumber_ec_columns(
        read_genome_ec_table(shared_data / "micfunpred" / "human_ec.tsv.gz"),
        read_ec_transfers(shared_data / "picrust2" / "description_mapfiles" / "ec_name.txt.gz"))
    keep, _ = genome_quality(genomes)
    genomes = genomes.loc[keep.to_numpy()]
    renames = read_species_genera(REPO / "resources" / "species_genera.tsv")
    _, species = genome_taxa(genomes.index, renames)
    traits = load_genus_traits(REPO / "resources" / "genus_traits.tsv")
    checked, gaps = [], []
    for route in load_routes(ROUTES):
        if not route.measurable or not route.traits:
            continue
        carries = pd.Series(genome_carriage(genomes, route), index=genomes.index)
        rows = traits[traits["trait"].isin(route.traits)]
        for genus, organism in zip(rows["genus"], rows["organism"], strict=True):
            match = re.match(r"^[A-Z]\. ([a-z]+)\b", str(organism))
            if not match:
                continue
            name = f"{genus} {match.group(1)}"
            # Epithets change ending with the genus's gender (E. rectale -> A. rectalis).
            stem = f"{genus} {match.group(1)[:5]}"
            mask = species.fillna("").str.startswith(stem).to_numpy()
            if not mask.any():
                continue
            fraction = float(carries[mask].mean())
            if (route.id, name) in KNOWN_GAPS:
                gaps.append((route.id, name, fraction))
                continue
            checked.append((route.id, name, fraction))
    failing = [c for c in checked if c[2] < 0.5]
    assert not failing, failing
    assert len({(r, s) for r, s, _ in checked}) >= 8  # the check covers the named producers
    assert all(fraction < 0.5 for _, _, fraction in gaps)  # still gaps: else drop them


def test_report_schema_knows_every_route_status() -> None:
    import json

    from gutbrain.routes import STATUSES

    schema = json.loads((REPO / "workflow" / "schemas" / "sample_report.schema.json")
                        .read_text(encoding="utf-8"))
    assert tuple(schema["$defs"]["route"]["properties"]["status"]["enum"]) == STATUSES
    from gutbrain.report.wording import ROUTE_STATUS_TEXT

    assert set(ROUTE_STATUS_TEXT) == set(STATUSES)


def test_route_library_imports_on_its_own() -> None:
    """The route library is imported first by the score_routes job: no import cycle with the
    report package."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "import gutbrain.routes"], check=False,
                          cwd=REPO / "workflow" / "scripts", capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
