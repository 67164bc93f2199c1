"""Unit tests: ASV IDs and filters, taxonomy formats, off-target flags, references (read tracking
and the primer check: test_tracking.py; the steps that read and write these files:
test_steps_denoise, test_steps_taxonomy, test_steps_references)."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from gutbrain import asv, taxonomy
from gutbrain.errors import InputError

SEQ_A = "TACGGAGGATCCGAGCGTTATCCGGATTTATTGGGTTTAAAGGGAGCGTAG" * 5
SEQ_B = "TACGTAGGTGGCAAGCGTTATCCGGATTTATTGGGCGTAAAGCGAGCGCAG" * 5


def test_asv_id_is_stable_hash_of_uppercase_sequence():
    # md5 by default, as QIIME 2 and nf-core/ampliseq name features
    expected = hashlib.md5(SEQ_A.encode()).hexdigest()
    assert asv.asv_id(SEQ_A) == expected and len(expected) == 32
    assert asv.asv_id(SEQ_A.lower()) == expected
    assert asv.asv_id(SEQ_A) != asv.asv_id(SEQ_B)
    # the IDs of earlier versions on request
    old = "ASV_" + hashlib.sha1(SEQ_A.encode()).hexdigest()[:12]
    assert asv.asv_id(SEQ_A.lower(), "sha1_12") == old
    with pytest.raises(InputError, match="denoise.asv_ids"):
        asv.asv_id(SEQ_A, "crc32")
    table, _, _ = asv.build_asv_table(pd.DataFrame({"S1": [3]}, index=[SEQ_A]),
                                      asv.AsvFilter(), "sha1_12")
    assert list(table.index) == [old]


@pytest.mark.parametrize(
    ("filt", "kept", "removed_length", "removed_abundance"),
    [
        (asv.AsvFilter(1, 10_000, 1), 3, 0, 0),
        (asv.AsvFilter(200, 10_000, 1), 2, 1, 0),
        (asv.AsvFilter(1, 10_000, 10), 1, 0, 2),
    ],
)
def test_build_asv_table_filters(filt, kept, removed_length, removed_abundance):
    seqtab = pd.DataFrame({"s1": [50, 3, 2], "s2": [40, 0, 1]}, index=[SEQ_A, SEQ_B, "ACGT" * 10])
    table, seqs, summary = asv.build_asv_table(seqtab, filt)
    assert len(table) == kept
    assert summary["removed_length"] == removed_length
    assert summary["removed_abundance"] == removed_abundance
    assert table.index[0] == asv.asv_id(SEQ_A)  # most abundant first
    assert all(seqs[i] in (SEQ_A, SEQ_B, "ACGT" * 10) for i in table.index)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            "x1;tax=d:Bacteria,p:Firmicutes,c:Clostridia,o:Eubacteriales,f:Lachnospiraceae,g:Roseburia;",
            [
                "Bacteria",
                "Firmicutes",
                "Clostridia",
                "Eubacteriales",
                "Lachnospiraceae",
                "Roseburia",
                "",
            ],
        ),
        ("x2;tax=d:Bacteria,p:Bacteroidetes;", ["Bacteria", "Bacteroidetes", "", "", "", "", ""]),
    ],
)
def test_parse_sintax_header(header, expected):
    assert taxonomy.parse_sintax_header(header) == expected


@pytest.mark.parametrize("header", ["no taxonomy here", "x;tax=q:Weird;", "x;tax=d:;"])
def test_parse_sintax_header_rejects_with_location(header):
    with pytest.raises(InputError, match="ref.fa: record 3"):
        taxonomy.parse_sintax_header(header, "ref.fa", "record 3")


def test_parse_dada2_header():
    assert taxonomy.parse_dada2_header("Bacteria;Firmicutes;Clostridia;")[:4] == [
        "Bacteria",
        "Firmicutes",
        "Clostridia",
        "",
    ]
    with pytest.raises(InputError, match="not a DADA2 lineage"):
        taxonomy.parse_dada2_header("id;tax=d:Bacteria", "r.fa", "record 1")


GOLD_HEADERS = [
    # Genome-derived record whose lineage is right.
    "7000001\tBacteroides fragilis 638R \t7000001|16s_rRNA|x\t"
    "Bacteria; Bacteroidetes; Bacteroidia; Bacteroidales; Bacteroidaceae; Bacteroides",
    # Genome-derived record filed under another organism's lineage: borrows Roseburia's.
    "7000002\tRoseburia intestinalis L1-82 \t7000002|16s_rRNA|y\t"
    "Bacteria; Cyanobacteria; Cyanobacteria; Nostocales; Nostocaceae; Anabaena",
    # RDP type strain.
    "S000390990 Prevotella copri (T); DSM 18205; AB064923 Prevotella copri\t"
    "Bacteria; Bacteroidetes; Bacteroidia; Bacteroidales; Prevotellaceae; Prevotella",
    # Wrong lineage and no other record of its genus: skipped.
    "7000003\tAnabaena variabilis ATCC 29413 \t7000003|16s_rRNA|z\t"
    "Bacteria; Bacteroidetes; Bacteroidetes; Bacteroidales; Bacteroidaceae; Megamonas",
]


def test_gold_records_keep_only_trustworthy_lineages():
    known = {"Roseburia": ["Bacteria", "Firmicutes", "Clostridia", "Clostridiales",
                           "Lachnospiraceae", "Roseburia"]}
    stats: dict = {}
    ranked = list(taxonomy.iter_gold(((h, SEQ_A) for h in GOLD_HEADERS), known, stats))
    assert [ident for ident, _, _ in ranked] == ["7000001", "7000002", "S000390990"]
    assert ranked[1][1][5] == "Roseburia" and ranked[1][1][6] == ""  # borrowed lineage
    assert stats == {"gold_skipped": 1}


def test_reference_headers_in_both_formats():
    ranks = ["Bacteria", "Firmicutes", "C", "O", "F", "", ""]
    assert taxonomy.dada2_header(ranks) == "Bacteria;Firmicutes;C;O;F;"
    assert taxonomy.sintax_header("r1", ranks) == "r1;tax=d:Bacteria,p:Firmicutes,c:C,o:O,f:F;"
    records = [("r1;tax=d:Bacteria,p:Firmicutes;", "acgu")]
    (ranked,) = taxonomy.iter_reference(records, "sintax", "ref.fa")
    assert ranked == ("r1", ["Bacteria", "Firmicutes", "", "", "", "", ""], "ACGT")
    with pytest.raises(InputError, match=r"ref.fa: record 1 \('a1'\) has no lineage in l.tsv"):
        list(taxonomy.iter_reference([("a1", "ACGT")], "fasta_tsv", "ref.fa", {}, "l.tsv"))


@pytest.mark.parametrize(
    ("header", "ident", "organism"),
    [
        (GOLD_HEADERS[0], "7000001", "Bacteroides fragilis 638R"),
        (GOLD_HEADERS[2], "S000390990", "Prevotella copri"),
    ],
)
def test_gold_organism(header, ident, organism):
    got = taxonomy.gold_organism(header)
    assert got[0] == ident and got[1] == organism and len(got[2]) == 6


@pytest.mark.parametrize(
    ("ranks", "reason"),
    [
        ({"kingdom": "Bacteria", "order": "Chloroplast"}, "chloroplast"),
        ({"kingdom": "Bacteria", "family": "Mitochondria"}, "mitochondria"),
        ({"kingdom": "Eukaryota"}, "eukaryota"),
        ({"kingdom": ""}, "unassigned_kingdom"),
        ({"kingdom": "Bacteria", "genus": "Roseburia"}, ""),
        ({"kingdom": "Archaea"}, ""),
    ],
)
def test_off_target_reason(ranks, reason):
    remove = ["mitochondria", "chloroplast", "eukaryota", "unassigned_kingdom"]
    assert taxonomy.off_target_reason(ranks, remove) == reason
    assert taxonomy.off_target_reason(ranks, []) == ""


def test_from_sintax_applies_cutoff_and_truncates():
    lines = [
        "ASV_1\td:Bacteria(1.00),p:Firmicutes(0.95),c:Clostridia(0.70),g:Roseburia(0.90)\t+\t\n",
        "ASV_2\t\t\t\n",
    ]
    table = taxonomy.finalize(
        taxonomy.from_sintax(lines, 0.8, "sintax.tsv"), ["ASV_1", "ASV_2", "ASV_3"],
        ["unassigned_kingdom"],
    )
    with pytest.raises(InputError, match=r"sintax.tsv: line 2: cannot parse SINTAX field 'x'"):
        taxonomy.from_sintax([lines[0], "ASV_2\tx\n"], 0.8, "sintax.tsv")
    row = table.set_index("asv_id").loc["ASV_1"]
    assert (row["kingdom"], row["phylum"], row["class"], row["genus"]) == (
        "Bacteria",
        "Firmicutes",
        "",
        "",
    )
    assert row["class_conf"] == pytest.approx(0.70)
    assert list(table["status"]) == [
        "kept",
        "off_target:unassigned_kingdom",
        "off_target:unassigned_kingdom",
    ]


def test_read_asv_table(tmp_path):
    good = tmp_path / "asv_table.tsv"
    good.write_text("asv_id\t001\tS2\nASV_a\t3\t0\nASV_b\t1\t5\n", encoding="utf-8")
    table = asv.read_asv_table(good)
    assert list(table.columns) == ["001", "S2"] and table.loc["ASV_b", "S2"] == 5
    bad = tmp_path / "bad.tsv"
    bad.write_text("asv_id\tS1\nASV_a\t1.5\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.tsv: column 'S1' must hold integer"):
        asv.read_asv_table(bad)
