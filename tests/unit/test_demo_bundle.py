"""Tests for gutbrain.demo_bundle: the offline literature-based genus-profile reference bundle."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import dnaio
import pandas as pd
import pytest
import yaml
from gutbrain.demo_bundle import (
    build_demo_bundle,
    genome_id,
    lineage_string,
    parse_sintax_header,
)
from gutbrain.errors import InputError

FILES = ("16S.fna", "16S.txt.gz", "bundle.yaml", "ko.txt.gz", "metadata.tsv")
EXPECTED_GENERA = [
    "Agathobacter", "Akkermansia", "Anaerostipes", "Bacteroides", "Bifidobacterium",
    "Clostridium", "Coprococcus", "Escherichia", "Faecalibacterium", "Parabacteroides",
    "Phascolarctobacterium", "Roseburia",
]
HEADER = re.compile(r"^genusprofile_[A-Za-z]+\|\S+$")


@pytest.fixture(scope="module")
def resources(repo: Path) -> tuple[Path, Path]:
    return repo / "resources" / "genus_traits.tsv", repo / "resources" / "genus_16s_copies.tsv"


@pytest.fixture(scope="module")
def ten_16s(dada2_extdata: Path) -> Path:
    path = dada2_extdata / "ten_16s.100.fa.gz"
    if not path.is_file():
        pytest.skip(f"{path} not shipped by this DADA2 version")
    return path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, ten_16s: Path, resources) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("demo") / "bundle"
    summary = build_demo_bundle(ten_16s, *resources, out)
    return out, summary


def _ko(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "ko.txt.gz", sep="\t", index_col=0)


def _copies(out: Path) -> pd.Series:
    return pd.read_csv(out / "16S.txt.gz", sep="\t", index_col=0)["16S_rRNA_Count"]


# --- pure helpers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "seq_id", "ranks"),
    [
        ("gi_1;tax=d:Bacteria,p:Firmicutes,g:Roseburia;", "gi_1",
         {"d": "Bacteria", "p": "Firmicutes", "g": "Roseburia"}),
        ("X2;size=3;tax=d:Bacteria,g:Escherichia", "X2", {"d": "Bacteria", "g": "Escherichia"}),
        ("plain_header description", "plain_header", {}),
        ("id9;tax=d:Bacteria,g:;", "id9", {"d": "Bacteria"}),
    ],
)
def test_parse_sintax_header(header: str, seq_id: str, ranks: dict[str, str]) -> None:
    assert parse_sintax_header(header) == (seq_id, ranks)


@pytest.mark.parametrize(
    ("ranks", "expected"),
    [
        ({"d": "Bacteria", "g": "Alpha", "f": "Fam"}, "d__Bacteria;f__Fam;g__Alpha"),
        ({}, ""),
    ],
)
def test_lineage_string(ranks: dict[str, str], expected: str) -> None:
    assert lineage_string(ranks) == expected


@pytest.mark.parametrize(
    ("genus", "expected"),
    [("Bacteroides", "genusprofile_Bacteroides"), ("Escherichia/Shigella",
                                                   "genusprofile_Escherichia_Shigella")],
)
def test_genome_id(genus: str, expected: str) -> None:
    assert genome_id(genus) == expected


# --- tiny synthetic reference --------------------------------------------------------------


def _tiny(tmp_path: Path) -> tuple[Path, Path, Path]:
    fasta = tmp_path / "ref.fa"
    fasta.write_text(
        ">s3;tax=d:Bacteria,f:Fa,g:Alpha;\nACGU\n"
        ">s1;tax=d:Bacteria,f:Fa,g:Alpha;\nacgt\n"
        ">s2;tax=d:Bacteria,f:Fa,g:Alpha;\nAAAA\n"
        ">b1;tax=d:Bacteria,f:Fb,g:Beta;\nCCCC\n"
        ">c1;tax=d:Bacteria,f:Fc,g:Gamma;\nGGGG\n"
        ">x1;tax=d:Bacteria,f:Fx;\nTTTT\n"
    )
    base = {"ko_note": "", "genes": "g", "prevalence": "unknown", "evidence": "genomic",
            "summary": "A made-up fact for a test.", "citation": "Someone 2000",
            "doi": "10.1000/x", "url": ""}
    traits = pd.DataFrame([
        {"genus": "Alpha", "trait": "butyrate_buk", "kos": "K00929;K00634", "proxy_kos": ""},
        {"genus": "Alpha", "trait": "butyrate_but", "kos": "", "proxy_kos": "K01034"},
        {"genus": "Beta", "trait": "butyrate_but", "kos": "", "proxy_kos": "K01034"},
        {"genus": "Gamma", "trait": "phenotype_association", "kos": "", "proxy_kos": ""},
        {"genus": "Delta", "trait": "indole", "kos": "K01667", "proxy_kos": ""},
    ]).assign(**base)
    traits_tsv = tmp_path / "traits.tsv"
    traits.to_csv(traits_tsv, sep="\t", index=False)
    copies_tsv = tmp_path / "copies.tsv"
    copies_tsv.write_text("genus\tcopies_16s\tstatistic\tsource\nAlpha\t2.5\tmean\trrnDB\n")
    return fasta, traits_tsv, copies_tsv


def test_tiny_bundle_contents(tmp_path: Path) -> None:
    fasta, traits_tsv, copies_tsv = _tiny(tmp_path)
    out = tmp_path / "out"
    summary = build_demo_bundle(fasta, traits_tsv, copies_tsv, out, max_seqs_per_genus=2)
    assert summary["genomes"] == ["genusprofile_Alpha", "genusprofile_Beta"]
    assert summary["genera_without_kos"] == ["Gamma"]
    assert summary["genera_not_in_reference"] == ["Delta"]
    assert summary["default_copies_genera"] == ["Beta"]
    with dnaio.open(out / "16S.fna") as reader:
        records = [(r.name, r.sequence) for r in reader]
    assert records == [
        ("genusprofile_Alpha|s1", "ACGT"), ("genusprofile_Alpha|s2", "AAAA"),
        ("genusprofile_Beta|b1", "CCCC"),
    ]
    ko = _ko(out)
    assert list(ko.columns) == ["ko:K00634", "ko:K00929", "ko:K01034"]
    assert ko.loc["genusprofile_Alpha"].tolist() == [1, 1, 1]
    assert ko.loc["genusprofile_Beta"].tolist() == [0, 0, 1]
    assert _copies(out).to_dict() == {"genusprofile_Alpha": 2.5, "genusprofile_Beta": 4.0}
    meta = pd.read_csv(out / "metadata.tsv", sep="\t", index_col=0)
    assert meta.loc["genusprofile_Alpha", "taxonomy"] == "d__Bacteria;f__Fa;g__Alpha"
    assert meta.loc["genusprofile_Beta", "copies_16s_source"].startswith("default")


def test_tiny_bundle_without_proxies(tmp_path: Path) -> None:
    fasta, traits_tsv, copies_tsv = _tiny(tmp_path)
    summary = build_demo_bundle(fasta, traits_tsv, copies_tsv, tmp_path / "out",
                                include_proxy_kos=False, default_copies=3.0)
    assert summary["genomes"] == ["genusprofile_Alpha"]
    assert summary["genera_without_kos"] == ["Beta", "Gamma"]
    assert summary["kos"] == ["K00634", "K00929"]
    manifest = yaml.safe_load((tmp_path / "out" / "bundle.yaml").read_text())
    assert "proxy KOs excluded" in manifest["description"]


def test_errors(tmp_path: Path) -> None:
    fasta, traits_tsv, copies_tsv = _tiny(tmp_path)
    plain = tmp_path / "plain.fa"
    plain.write_text(">a\nACGT\n>b\nACGT\n")
    with pytest.raises(InputError, match="no record carries SINTAX taxonomy"):
        build_demo_bundle(plain, traits_tsv, copies_tsv, tmp_path / "o1")
    other = tmp_path / "other.fa"
    other.write_text(">a;tax=d:Bacteria,g:Zeta;\nACGT\n")
    with pytest.raises(InputError, match="none of the genera"):
        build_demo_bundle(other, traits_tsv, copies_tsv, tmp_path / "o2")
    with pytest.raises(InputError, match="at least 1"):
        build_demo_bundle(fasta, traits_tsv, copies_tsv, tmp_path / "o3", max_seqs_per_genus=0)
    with pytest.raises(InputError, match="does not exist"):
        build_demo_bundle(tmp_path / "absent.fa", traits_tsv, copies_tsv, tmp_path / "o4")
    bad = tmp_path / "bad_traits.tsv"
    bad.write_text(traits_tsv.read_text().replace("butyrate_buk", "butyrate_bulk"))
    with pytest.raises(InputError, match=r"bad_traits\.tsv, line 2, column 'trait'"):
        build_demo_bundle(fasta, bad, copies_tsv, tmp_path / "o5")


# --- the real DADA2 reference --------------------------------------------------------------


def test_demo_genera_and_summary(demo) -> None:
    out, summary = demo
    assert summary["genomes"] == [f"genusprofile_{g}" for g in EXPECTED_GENERA]
    assert set(summary["genera_without_kos"]) >= {"Eggerthella", "Alistipes", "Prevotella"}
    assert "Blautia" in summary["genera_not_in_reference"]
    assert summary["default_copies_genera"] == ["Agathobacter", "Phascolarctobacterium"]
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)


def test_demo_fasta_headers(demo) -> None:
    out, summary = demo
    with dnaio.open(out / "16S.fna") as reader:
        records = list(reader)
    assert len(records) == summary["n_sequences"]
    assert all(HEADER.match(r.name) for r in records)
    per_genome = pd.Series([r.name.split("|")[0] for r in records]).value_counts()
    assert per_genome.max() <= 3 and set(per_genome.index) == set(summary["genomes"])
    assert per_genome["genusprofile_Faecalibacterium"] == 1  # one sequence in ten_16s
    assert all(set(r.sequence) <= set("ACGTNRYKMSWBDHV") for r in records)
    assert [r.name for r in records] == sorted(r.name for r in records)


@pytest.mark.parametrize(
    ("genome", "ko", "value"),
    [
        ("genusprofile_Coprococcus", "K00929", 1),
        ("genusprofile_Coprococcus", "K20626", 1),
        ("genusprofile_Faecalibacterium", "K00929", 0),
        ("genusprofile_Faecalibacterium", "K01034", 1),
        ("genusprofile_Roseburia", "K13922", 1),
        ("genusprofile_Bacteroides", "K01580", 1),
        ("genusprofile_Bacteroides", "K01604", 1),
        ("genusprofile_Escherichia", "K01667", 1),
        ("genusprofile_Escherichia", "K00929", 0),
        ("genusprofile_Akkermansia", "K01847", 1),
        ("genusprofile_Parabacteroides", "K01580", 1),
        ("genusprofile_Parabacteroides", "K01604", 0),
    ],
)
def test_demo_ko_presence(demo, genome: str, ko: str, value: int) -> None:
    out, _ = demo
    table = _ko(out)
    assert table.index.name == "assembly"
    assert all(re.match(r"^ko:K\d{5}$", c) for c in table.columns)
    assert table.loc[genome, f"ko:{ko}"] == value


@pytest.mark.parametrize(
    ("genome", "copies"),
    [("genusprofile_Bacteroides", 5.8), ("genusprofile_Faecalibacterium", 1.0),
     ("genusprofile_Escherichia", 7.0), ("genusprofile_Agathobacter", 4.0)],
)
def test_demo_copies(demo, genome: str, copies: float) -> None:
    out, _ = demo
    assert _copies(out)[genome] == pytest.approx(copies)


def test_demo_manifest_and_metadata(demo) -> None:
    out, summary = demo
    manifest = yaml.safe_load((out / "bundle.yaml").read_text(encoding="utf-8"))
    assert set(manifest) == {"name", "version", "kind", "description", "source"}
    assert manifest["kind"] == "literature_genus_profile"
    assert "coarse literature-based genus profile, not genome-derived copy numbers" in (
        manifest["description"]
    )
    assert "10.1093/nar/gku1201" in manifest["source"]
    meta = pd.read_csv(out / "metadata.tsv", sep="\t", index_col=0)
    assert list(meta.index) == summary["genomes"]
    assert meta.loc["genusprofile_Bacteroides", "taxonomy"].endswith(
        ";f__Bacteroidaceae;g__Bacteroides"
    )
    assert meta.loc["genusprofile_Agathobacter", "copies_16s_source"].startswith("default")


def test_demo_is_deterministic(demo, tmp_path: Path, ten_16s: Path, resources) -> None:
    out, summary = demo
    again = build_demo_bundle(ten_16s, *resources, tmp_path / "again")
    assert {k: v for k, v in again.items() if k != "out_dir"} == {
        k: v for k, v in summary.items() if k != "out_dir"
    }
    for name in FILES:
        assert (out / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name
    with gzip.open(out / "ko.txt.gz", "rb") as handle:
        assert handle.read().startswith(b"assembly\tko:K")


def test_demo_loads_with_bundle_loader(demo) -> None:
    bundle_module = pytest.importorskip("gutbrain.bundle")
    out, summary = demo
    bundle = bundle_module.load_bundle(out)
    assert bundle.kind == "literature_genus_profile"
    assert list(bundle.genomes) == summary["genomes"]
    assert bundle.ko.shape == (summary["n_genomes"], summary["n_kos"])
