"""Tests for gutbrain.primers and tools.simulate: primer matching, read simulation, datasets."""

from __future__ import annotations

import hashlib
from pathlib import Path

import dnaio
import numpy as np
import pandas as pd
import pytest
from gutbrain.errors import InputError
from gutbrain.primers import (
    PRIMER_PRESETS,
    extract_amplicon,
    find_primer,
    mismatch_profile,
    primer_pair,
    reverse_complement,
)

from tools.simulate import (
    STAMP_NAME,
    ErrorModel,
    allocate_pairs,
    asv_id,
    load_demo_design,
    main,
    make_demo,
    make_mock,
    make_scale,
    mock_fractions,
    parse_header,
    phred_to_prob,
    read_references,
    simulate_pairs,
)

V4F, V4R = PRIMER_PRESETS["V4"]
V34F, V34R = PRIMER_PRESETS["V3V4"]
RNG = np.random.default_rng(7)
INSERT = "".join(RNG.choice(list("ACGT"), size=120))
FLANK5, FLANK3 = "ACGTTGCA" * 3, "TTGACCAG" * 3


def _read_fastq(path: Path) -> list[dnaio.SequenceRecord]:
    with dnaio.open(path) as reader:
        return list(reader)


def _mutate(primer: str, positions: list[int]) -> str:
    """Concrete primer (first IUPAC base) with mismatching bases at ``positions``."""
    from Bio.Data.IUPACData import ambiguous_dna_values

    bases = [ambiguous_dna_values[c][0] for c in primer]
    for p in positions:
        bases[p] = next(b for b in "ACGT" if b not in ambiguous_dna_values[primer[p]])
    return "".join(bases)


# --------------------------------------------------------------------------- primers


def test_primer_presets_hold_the_published_pairs() -> None:
    assert PRIMER_PRESETS["V4"] == ("GTGYCAGCMGCCGCGGTAA", "GGACTACNVGGGTWTCTAAT")
    assert PRIMER_PRESETS["V3V4"] == ("CCTACGGGNGGCWGCAG", "GACTACHVGGGTATCTAATCC")
    assert PRIMER_PRESETS["none"] is None
    assert primer_pair("V4") == PRIMER_PRESETS["V4"]
    with pytest.raises(KeyError, match="known presets"):
        primer_pair("V9")


@pytest.mark.parametrize(
    ("seq", "expected"),
    [
        ("ACGT", "ACGT"),
        ("AACG", "CGTT"),
        ("acgtn", "nacgt"),
        ("GTGYCAGCMGCCGCGGTAA", "TTACCGCGGCKGCTGRCAC"),
        ("GGACTACNVGGGTWTCTAAT", "ATTAGAWACCCBNGTAGTCC"),
    ],
)
def test_reverse_complement(seq: str, expected: str) -> None:
    assert reverse_complement(seq) == expected


@pytest.mark.parametrize(
    ("fwd_site", "rev_site", "fwd", "rev", "found"),
    [
        ("GTGCCAGCAGCCGCGGTAA", "GGACTACAAGGGTATCTAAT", V4F, V4R, True),  # Y=C, M=A, N=A V=A W=A
        ("GTGTCAGCCGCCGCGGTAA", "GGACTACTGGGGTTTCTAAT", V4F, V4R, True),  # Y=T, M=C, V=G, W=T
        (_mutate(V4F, [3]), _mutate(V4R, [0]), V4F, V4R, True),  # 1 mismatch each: 1 <= 1.9
        (_mutate(V4F, [3, 10]), _mutate(V4R, [0]), V4F, V4R, False),  # 2 mismatches in 19 bp
        (_mutate(V4F, []), _mutate(V4R, [4, 12]), V4F, V4R, True),  # 2 allowed in 20 bp
        (_mutate(V4F, []), _mutate(V4R, [4, 12, 15]), V4F, V4R, False),
        ("CCTACGGGTGGCAGCAG", "GACTACTCGGGTATCTAATCC", V34F, V34R, True),  # V3-V4 pair
        ("GTGCCAGCAGCCGCGGTAA", "", V4F, V4R, False),  # partial gene: no reverse site
    ],
)
def test_extract_amplicon_degenerate_and_mismatches(
    fwd_site: str, rev_site: str, fwd: str, rev: str, found: bool
) -> None:
    gene = FLANK5 + fwd_site + INSERT + reverse_complement(rev_site) + FLANK3
    got = extract_amplicon(gene, fwd, rev)
    assert got == (INSERT if found else None)
    assert extract_amplicon(gene.lower(), fwd, rev) == got


def test_find_primer_positions_and_reverse_only_downstream() -> None:
    gene = FLANK5 + _mutate(V4F, []) + INSERT
    hit = find_primer(gene, V4F)
    assert (hit.start, hit.end, hit.mismatches) == (len(FLANK5), len(FLANK5) + len(V4F), 0)
    assert find_primer(gene, V4F, start=hit.end) is None
    # reverse site placed before the forward primer is not an amplicon
    assert extract_amplicon(reverse_complement(_mutate(V4R, [])) + gene, V4F, V4R) is None


@pytest.mark.parametrize(
    ("seq", "primer", "expected"),
    [("ACGACT", "ACG", [0, 3, 3, 1]), ("NNNN", "ACG", [0, 0]), ("AA", "ACG", [])],
)
def test_mismatch_profile_iupac(seq: str, primer: str, expected: list[int]) -> None:
    assert mismatch_profile(seq, primer).tolist() == expected


def test_v4_amplicon_length_of_e_coli(shared_data: Path) -> None:
    ecoli = read_references(shared_data / "zymo_mock_truth" / "Zymo_Ecoli.fa")
    lengths = {len(extract_amplicon(r.sequence, V4F, V4R)) for r in ecoli}
    assert lengths == {253}


def test_v4_amplicon_length_in_dada2_reference(dada2_extdata: Path) -> None:
    refs = [r for r in read_references(dada2_extdata / "ten_16s.100.fa.gz")
            if r.genus in {"Escherichia", "Bacteroides"}][:8]
    lengths = [len(extract_amplicon(r.sequence, V4F, V4R) or "") for r in refs]
    assert all(250 <= n <= 256 for n in lengths), lengths


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gi_1;tax=d:Bacteria,p:Firmicutes,g:Roseburia;",
         ("gi_1", "Roseburia", "d:Bacteria,p:Firmicutes,g:Roseburia")),
        ("Salmonella;size=7129;", ("Salmonella;size=7129", "Salmonella", "g:Salmonella")),
        ("x;tax=d:Bacteria;", ("x", "", "d:Bacteria")),
    ],
)
def test_parse_header(header: str, expected: tuple[str, str, str]) -> None:
    assert parse_header(header) == expected


@pytest.mark.parametrize(
    ("fractions", "n", "expected"),
    [
        ([0.5, 0.5], 10, [5, 5]),
        ([1, 1, 1], 10, [4, 3, 3]),
        ([0.7, 0.2, 0.1], 7, [5, 1, 1]),
        ([3, 1], 0, [0, 0]),
    ],
)
def test_allocate_pairs(fractions: list[float], n: int, expected: list[int]) -> None:
    got = allocate_pairs(fractions, n)
    assert got.tolist() == expected and got.sum() == n


def test_mock_fractions_unequal() -> None:
    f = mock_fractions(9)
    assert f.sum() == pytest.approx(1.0)
    assert f[0] / f[-1] == pytest.approx(30.0)
    assert np.all(np.diff(f) < 0)


@pytest.mark.parametrize(("q", "p"), [(10, 0.1), (20, 0.01), (30, 0.001), (40, 0.0001)])
def test_phred_to_prob(q: int, p: float) -> None:
    assert phred_to_prob(q) == pytest.approx(p)


def test_error_profile_rises_and_r2_is_worse() -> None:
    m = ErrorModel()
    r1, r2 = m.error_profile(250, 1), m.error_profile(250, 2)
    assert r1[0] == pytest.approx(0.001) and r1[-1] == pytest.approx(0.01)
    assert np.all(np.diff(r1) >= 0) and np.all(r2 > r1)


# --------------------------------------------------------------------------- read simulation


def _simulate(tmp_path: Path, n: int = 1000, **kw) -> tuple[pd.DataFrame, Path, Path]:
    r1, r2 = tmp_path / "s_R1.fastq.gz", tmp_path / "s_R2.fastq.gz"
    amplicons = kw.pop("amplicons", {"a": INSERT * 2 + INSERT[:13], "b": INSERT[::-1] * 2})
    abundances = kw.pop("abundances", {"a": 3.0, "b": 1.0})
    truth = simulate_pairs(amplicons, abundances, n, r1, r2, "s", **kw)
    return truth, r1, r2


def test_substitution_rate_matches_qualities(tmp_path: Path) -> None:
    amp = INSERT * 2 + INSERT[:13]  # 253 bp
    model = ErrorModel(indel_rate=0.0)
    _, r1, r2 = _simulate(tmp_path, 2000, amplicons={"a": amp}, abundances={"a": 1},
                          include_primers=False, error_model=model, seed=3)
    rates = {}
    for mate, path, template in ((1, r1, amp), (2, r2, reverse_complement(amp))):
        recs = _read_fastq(path)
        seqs = np.array([list(r.sequence) for r in recs])
        quals = np.array([[ord(c) - 33 for c in r.qualities] for r in recs])
        assert quals.min() >= 2 and quals.max() <= 40  # Phred+33, '#'..'I'
        wrong = seqs != np.array(list(template[:250]))[None, :]
        expected = phred_to_prob(quals).sum()
        assert wrong.sum() == pytest.approx(expected, rel=0.06), mate
        head, tail = wrong[:, :50].mean(), wrong[:, -50:].mean()
        assert tail > 3 * head, mate
        rates[mate] = wrong.mean()
    assert 0.001 < rates[1] < 0.01
    assert rates[2] > rates[1]


def test_reads_carry_primers_ids_match_and_lengths(tmp_path: Path) -> None:
    truth, r1, r2 = _simulate(tmp_path, 400, seed=5)
    recs1, recs2 = _read_fastq(r1), _read_fastq(r2)
    assert len(recs1) == len(recs2) == 400
    assert [r.name for r in recs1[:2]] == ["s_1 1:N:0:1", "s_2 1:N:0:1"]
    for a, b in zip(recs1, recs2, strict=True):
        assert a.name.split()[0] == b.name.split()[0]
        assert b.name.endswith(" 2:N:0:1")
        assert len(a.sequence) == len(a.qualities)
    # R1 = 19 bp primer + 253 bp amplicon -> capped at 250; "b" = 20 + 240 -> 250 too
    assert {len(r.sequence) for r in recs1} == {250}
    fwd_ok = np.mean([mismatch_profile(r.sequence[:19], V4F)[0] <= 1 for r in recs1])
    rev_ok = np.mean([mismatch_profile(r.sequence[:20], V4R)[0] <= 1 for r in recs2])
    assert fwd_ok > 0.97 and rev_ok > 0.97
    assert truth["n_pairs"].tolist() == [300, 100]
    assert truth["expected_fraction"].tolist() == [0.75, 0.25]
    assert truth["asv_id"].tolist() == [
        hashlib.md5(s.encode()).hexdigest() for s in truth["sequence"]]


def test_read_longer_than_template_is_capped(tmp_path: Path) -> None:
    _, r1, r2 = _simulate(tmp_path, 50, amplicons={"a": INSERT}, abundances={"a": 1},
                          read_len=300, error_model=ErrorModel(indel_rate=0.0))
    assert {len(r.sequence) for r in _read_fastq(r1)} == {len(V4F) + len(INSERT)}
    assert {len(r.sequence) for r in _read_fastq(r2)} == {len(V4R) + len(INSERT)}


@pytest.mark.parametrize(("rate", "varies"), [(0.0, False), (0.01, True)])
def test_indels_change_read_length(tmp_path: Path, rate: float, varies: bool) -> None:
    _, r1, _ = _simulate(tmp_path, 300, amplicons={"a": INSERT}, abundances={"a": 1},
                         read_len=300, include_primers=False,
                         error_model=ErrorModel(indel_rate=rate))
    lengths = {len(r.sequence) for r in _read_fastq(r1)}
    assert (lengths != {len(INSERT)}) is varies
    if varies:
        assert {len(INSERT) - 1, len(INSERT) + 1} <= lengths


def test_simulation_is_deterministic(tmp_path: Path) -> None:
    outs = []
    for seed, sub in [(1, "a"), (1, "b"), (2, "c")]:
        d = tmp_path / sub
        d.mkdir()
        _, r1, r2 = _simulate(d, 200, seed=seed)
        outs.append((r1.read_bytes(), r2.read_bytes()))
    assert outs[0] == outs[1]
    assert outs[0] != outs[2]


@pytest.mark.parametrize(
    ("amplicons", "abundances", "message"),
    [
        ({"a": "ACGT" * 30}, {"z": 1}, "unknown amplicons"),
        ({"a": "ACGN" * 30}, {"a": 1}, "other than ACGT"),
        ({"a": "ACGT" * 30}, {"a": 0}, "positive sum"),
    ],
)
def test_simulate_pairs_rejects_bad_input(tmp_path: Path, amplicons, abundances,
                                          message: str) -> None:
    with pytest.raises(InputError, match=message):
        _simulate(tmp_path, 10, amplicons=amplicons, abundances=abundances)


# --------------------------------------------------------------------------- datasets


def _check_dataset(out: Path, sheet: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Common checks: relative FASTQ paths exist, truth pair counts equal reads simulated."""
    samples = pd.read_csv(sheet, sep="\t", dtype=str)
    truth = pd.read_csv(out / "truth.tsv", sep="\t")
    assert list(truth.columns[:6]) == ["sample", "name", "genus", "asv_id", "expected_fraction",
                                       "n_pairs"]
    for row in samples.itertuples():
        assert not Path(row.fq1).is_absolute()
        assert (sheet.parent / row.fq1).is_file() and (sheet.parent / row.fq2).is_file()
        if row.source == "simulated":
            n = len(_read_fastq(sheet.parent / row.fq1))
            assert truth.loc[truth["sample"] == row.sample, "n_pairs"].sum() == n
            frac = truth.loc[truth["sample"] == row.sample, "expected_fraction"].sum()
            assert frac == pytest.approx(1.0, abs=1e-4)
    assert (truth["asv_id"] == truth["sequence"].map(asv_id)).all()
    assert (out / STAMP_NAME).is_file()
    return samples, truth


def test_mock_from_dada2_reference(tmp_path: Path, dada2_extdata: Path) -> None:
    out = tmp_path / "mock"
    sheet = make_mock(out, "dada2", dada2_extdata=dada2_extdata, n_samples=2, n_pairs=300)
    samples, truth = _check_dataset(out, sheet)
    assert samples["sample"].tolist() == ["mock1", "mock2"]
    expected = {r.name: r.sequence for r in _read_fastq_fasta(out / "expected_asvs.fasta")}
    assert set(expected) == set(truth["asv_id"])
    assert len(expected) == 8 and len(set(expected.values())) == 8
    assert truth.groupby("sample")["n_pairs"].min().min() > 0
    assert (truth.groupby("sample")["expected_fraction"].max() > 0.3).all()
    # idempotent: a complete dataset is left untouched; --force rewrites identical bytes
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*.gz")}
    make_mock(out, "dada2", dada2_extdata=dada2_extdata, n_samples=2, n_pairs=300)
    assert all(p.stat().st_mtime_ns == m for p, (m, _) in before.items())
    make_mock(out, "dada2", dada2_extdata=dada2_extdata, n_samples=2, n_pairs=300, force=True)
    assert all(p.read_bytes() == b for p, (_, b) in before.items())


def _read_fastq_fasta(path: Path) -> list[dnaio.SequenceRecord]:
    with dnaio.open(path, fileformat="fasta") as reader:
        return list(reader)


def test_mock_from_zymo_truth(tmp_path: Path, shared_data: Path) -> None:
    out = tmp_path / "zymo"
    sheet = make_mock(out, "zymo", zymo_fasta=shared_data / "zymo_mock_truth" / "Zymo_ASVs.fa",
                      n_samples=3, n_pairs=200)
    _, truth = _check_dataset(out, sheet)
    seqs = truth.drop_duplicates("asv_id")["sequence"]
    assert len(seqs) == 9 and set(seqs.str.len()) == {253}
    assert set(truth["genus"]) == {"Bacillus", "Enterococcus", "Escherichia", "Lactobacillus",
                                   "Listeria", "Pseudomonas", "Salmonella", "Staphylococcus"}
    # each sample holds every amplicon; ranks rotate between samples
    assert truth.groupby("sample")["asv_id"].nunique().tolist() == [9, 9, 9]
    top = truth.loc[truth.groupby("sample")["n_pairs"].idxmax(), "asv_id"]
    assert top.nunique() == 3


def test_mock_without_zymo_file_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.fa"
    with pytest.raises(InputError, match="nope.fa"):
        make_mock(tmp_path / "m", "zymo", zymo_fasta=missing)


def test_demo_cohort(tmp_path: Path, dada2_extdata: Path, repo: Path) -> None:
    out = tmp_path / "demo"
    design = load_demo_design(repo / "resources" / "demo_cohort.yaml")
    sheet = make_demo(out, dada2_extdata, pairs_per_sample=150)
    samples, truth = _check_dataset(out, sheet)
    assert list(samples.columns) == ["sample", "fq1", "fq2", "group", "source"]
    assert samples["source"].value_counts().to_dict() == {"simulated": 10,
                                                          "dada2_package_real": 2}
    for s in design.real_samples:
        row = samples.set_index("sample").loc[s.sample]
        assert (sheet.parent / row.fq1).read_bytes() == (dada2_extdata / s.fq1).read_bytes()
    for s in design.simulated_samples:
        got = truth[truth["sample"] == s.sample].groupby("genus")["expected_fraction"].sum()
        assert (got * 100).round(6).to_dict() == pytest.approx(s.composition)
    low = truth[truth["sample"] == "gut_low_diversity"]
    assert low.groupby("genus")["n_pairs"].sum().max() / low["n_pairs"].sum() > 0.9
    assert "simulated" in (out / "README.txt").read_text().lower()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("primers: V4\nreal_samples: []\nsimulated_samples:\n"
         "  - {sample: a, group: g, composition: {Bacteroides: 50}}\n", "summing to 100"),
        ("primers: V4\nreal_samples: []\nsimulated_samples:\n"
         "  - {sample: a, group: g, composition: {Bacteroides: 100}}\n"
         "  - {sample: a, group: g, composition: {Bacteroides: 100}}\n", "appears twice"),
        ("primers: V4\nsimulated_samples: []\n", "lacks key 'real_samples'"),
        ("primers: none\nreal_samples: []\nsimulated_samples: []\n", "not 'none'"),
        ("- a list\n", "mapping at the top level"),
    ],
)
def test_demo_design_errors_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "design.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as err:
        load_demo_design(path)
    assert str(path) in str(err.value)


def test_scale_dataset_and_cli(tmp_path: Path, dada2_extdata: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    ref = dada2_extdata / "ten_16s.100.fa.gz"
    sheet = make_scale(tmp_path / "a", 3, 40, reference=ref, pool_size=20,
                       taxa_per_sample=(5, 10))
    samples, truth = _check_dataset(tmp_path / "a", sheet)
    assert samples["sample"].tolist() == ["S1", "S2", "S3"]
    assert truth.groupby("sample")["asv_id"].nunique().between(5, 10).all()
    assert main(["scale", "--out", str(tmp_path / "b"), "--samples", "3", "--pairs", "40",
                 "--reference", str(ref)]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "b" / "samples.tsv")
    assert main(["mock", "--out", str(tmp_path / "c"), "--zymo-fasta",
                 str(tmp_path / "missing.fa")]) == 2
    assert "missing.fa" in capsys.readouterr().err
