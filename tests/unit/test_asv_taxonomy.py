"""Unit tests: ASV IDs and filters, taxonomy formats, off-target flags, tracking, references."""

from __future__ import annotations

import gzip
import hashlib
import json

import pandas as pd
import pytest
from gutbrain import asv, references, taxonomy, tracking
from gutbrain.errors import InputError

SEQ_A = "TACGGAGGATCCGAGCGTTATCCGGATTTATTGGGTTTAAAGGGAGCGTAG" * 5
SEQ_B = "TACGTAGGTGGCAAGCGTTATCCGGATTTATTGGGCGTAAAGCGAGCGCAG" * 5


def test_asv_id_is_stable_hash_of_uppercase_sequence():
    expected = "ASV_" + hashlib.sha1(SEQ_A.encode()).hexdigest()[:12]
    assert asv.asv_id(SEQ_A) == expected
    assert asv.asv_id(SEQ_A.lower()) == expected
    assert asv.asv_id(SEQ_A) != asv.asv_id(SEQ_B)


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


def _write_fasta(path, records):
    with gzip.open(path, "wt") as handle:
        for name, seq in records:
            handle.write(f">{name}\n{seq}\n")


def test_convert_reference_roundtrip(tmp_path):
    src = tmp_path / "ref.fa.gz"
    _write_fasta(
        src,
        [
            ("r1;tax=d:Bacteria,p:Firmicutes,c:C,o:O,f:F,g:Roseburia;", SEQ_A),
            ("r2;tax=d:Bacteria,p:Bacteroidetes;", SEQ_B.replace("T", "U")),
        ],
    )
    d, s = tmp_path / "dada2.fa.gz", tmp_path / "sintax.fa.gz"
    counts = taxonomy.convert_reference(str(src), "sintax", str(d), str(s))
    assert counts == {"sequences": 2, "genera": 1}
    dada2_lines = gzip.open(d, "rt").read().splitlines()
    assert dada2_lines[0] == ">Bacteria;Firmicutes;C;O;F;Roseburia;"
    assert dada2_lines[2] == ">Bacteria;Bacteroidetes;"
    assert "U" not in dada2_lines[3]
    sintax_lines = gzip.open(s, "rt").read().splitlines()
    assert sintax_lines[0] == ">r1;tax=d:Bacteria,p:Firmicutes,c:C,o:O,f:F,g:Roseburia;"
    # And back again from the DADA2 format.
    d2, s2 = tmp_path / "d2.fa.gz", tmp_path / "s2.fa.gz"
    taxonomy.convert_reference(str(d), "dada2", str(d2), str(s2))
    assert gzip.open(d2, "rt").read() == gzip.open(d, "rt").read()


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


def test_gold_headers_keep_only_trustworthy_lineages(tmp_path):
    gold = tmp_path / "gold.fasta"
    gold.write_text("".join(f">{h}\n{SEQ_A}\n" for h in GOLD_HEADERS))
    main = tmp_path / "main.fa.gz"
    _write_fasta(main, [("m1;tax=d:Bacteria,p:Firmicutes,c:Clostridia,o:Clostridiales,"
                         "f:Lachnospiraceae,g:Roseburia;", SEQ_B)])
    d, s = tmp_path / "d.fa.gz", tmp_path / "s.fa.gz"
    counts = taxonomy.convert_reference(
        str(main), "sintax", str(d), str(s), extra=[(str(gold), "gold")]
    )
    assert counts == {"sequences": 4, "genera": 3, "gold_skipped": 1}
    headers = [line for line in gzip.open(d, "rt").read().splitlines() if line.startswith(">")]
    assert headers == [
        ">Bacteria;Firmicutes;Clostridia;Clostridiales;Lachnospiraceae;Roseburia;",
        ">Bacteria;Bacteroidetes;Bacteroidia;Bacteroidales;Bacteroidaceae;Bacteroides;",
        ">Bacteria;Firmicutes;Clostridia;Clostridiales;Lachnospiraceae;Roseburia;",
        ">Bacteria;Bacteroidetes;Bacteroidia;Bacteroidales;Prevotellaceae;Prevotella;",
    ]


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


def test_convert_reference_fasta_tsv_names_missing_lineage(tmp_path):
    src = tmp_path / "ref.fa.gz"
    _write_fasta(src, [("a1", SEQ_A), ("a2", SEQ_B)])
    lineages = tmp_path / "lineages.tsv"
    lineages.write_text("a1\tBacteria;Firmicutes;C;O;F;G\n")
    with pytest.raises(InputError, match=r"record 2 \('a2'\) has no lineage"):
        taxonomy.convert_reference(
            str(src),
            "fasta_tsv",
            str(tmp_path / "d.fa.gz"),
            str(tmp_path / "s.fa.gz"),
            str(lineages),
        )


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


def test_from_sintax_applies_cutoff_and_truncates(tmp_path):
    out = tmp_path / "sintax.tsv"
    out.write_text(
        "ASV_1\td:Bacteria(1.00),p:Firmicutes(0.95),c:Clostridia(0.70),g:Roseburia(0.90)\t+\t\n"
        "ASV_2\t\t\t\n"
    )
    table = taxonomy.finalize(
        taxonomy.from_sintax(str(out), 0.8), ["ASV_1", "ASV_2", "ASV_3"], ["unassigned_kingdom"]
    )
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


def test_filter_taxonomy_removes_and_counts_off_target(tmp_path):
    table = tmp_path / "asv_table.tsv"
    pd.DataFrame({"asv_id": ["A", "B"], "s1": [10, 5], "s2": [0, 3]}).to_csv(
        table, sep="\t", index=False
    )
    assign = tmp_path / "assign.tsv"
    pd.DataFrame(
        {
            "asv_id": ["A", "B"],
            "Kingdom": ["Bacteria", "Bacteria"],
            "Phylum": ["Firmicutes", "Cyanobacteria"],
            "Class": ["Clostridia", "Cyanobacteriia"],
            "Order": ["O", "Chloroplast"],
            "Family": ["F", ""],
            "Genus": ["G", ""],
            "boot_Kingdom": [100, 100],
            "boot_Phylum": [99, 90],
            "boot_Class": [90, 80],
            "boot_Order": [80, 70],
            "boot_Family": [70, 20],
            "boot_Genus": [60, 10],
        }
    ).to_csv(assign, sep="\t", index=False)
    outs = [str(tmp_path / n) for n in ("tax.tsv", "filtered.tsv", "summary.tsv")]
    taxonomy.filter_taxonomy(str(assign), str(table), "dada2", 0.8, ["chloroplast"], *outs)
    tax = pd.read_csv(outs[0], sep="\t")
    assert list(tax["status"]) == ["kept", "off_target:chloroplast"]
    assert tax.loc[0, "genus_conf"] == pytest.approx(0.6)
    filtered = pd.read_csv(outs[1], sep="\t")
    assert list(filtered["asv_id"]) == ["A"]
    summary = pd.read_csv(outs[2], sep="\t").set_index("status")
    assert summary.loc["off_target:chloroplast", "s1"] == 5
    assert summary.loc["off_target:chloroplast", "asvs"] == 1


def _cutadapt_json(path, total, out, with_primer):
    path.write_text(
        json.dumps(
            {"read_counts": {"input": total, "output": out, "read1_with_adapter": with_primer}}
        )
    )


def test_tracking_flags_empty_sample_and_low_primer_fraction(tmp_path):
    cut = []
    for name, total, out, prim in (("a", 100, 90, 90), ("b", 50, 50, 5), ("c", 10, 0, 0)):
        path = tmp_path / f"{name}.json"
        _cutadapt_json(path, total, out, prim)
        cut.append(str(path))
    denoise = pd.DataFrame(
        {
            "sample": ["a", "b", "c"],
            "filtered": [80, 40, 0],
            "denoised": [78, 39, 0],
            "merged": [75, 35, 0],
            "nonchimeric": [70, 30, 0],
        }
    )
    final = pd.DataFrame({"a": [60, 5], "b": [20, 0]}, index=["x", "y"])
    table = tracking.build_tracking(["a", "b", "c"], cut, denoise, None, final, "V4", 0.5)
    assert list(table.columns[:8]) == ["sample"] + tracking.STEPS
    rows = table.set_index("sample")
    assert rows.loc["a", "taxonomy_kept"] == 65
    assert rows.loc["a", "flag"] == ""
    assert rows.loc["b", "flag"] == "primer_found_in_10%_of_reads"
    assert rows.loc["c", "flag"].startswith("no_reads_after_filtering")
    # Monotone: no step has more reads than the one before.
    for _, row in rows.iterrows():
        counts = [row[s] for s in tracking.STEPS]
        assert counts == sorted(counts, reverse=True)


def test_download_verifies_checksum_and_writes_lock(tmp_path):
    src = tmp_path / "upstream.fa.gz"
    src.write_bytes(b"reference v1")
    out = tmp_path / "cache" / "ref.fa.gz"
    digest = references.download(src.as_uri(), out)
    assert digest == hashlib.sha256(b"reference v1").hexdigest()
    assert references.read_lock(out.with_name(out.name + ".sha256")) == digest
    # Upstream changed: the lock written on first download refuses it and keeps nothing.
    src.write_bytes(b"reference v2")
    out.unlink()
    with pytest.raises(InputError, match="checksum mismatch"):
        references.download(src.as_uri(), out)
    assert not out.exists()
    with pytest.raises(InputError, match="from the config"):
        references.download(src.as_uri(), out, expected_sha256="0" * 64)


def test_gather_provenance_sorted_and_deduplicated(tmp_path):
    rows = [
        references.provenance_row("b", "taxonomy_reference", "1", "u", "x", date="2026-01-01"),
        references.provenance_row("a", "bundle", "2", "v", "y", date="2026-01-01"),
    ]
    paths = []
    for i, row in enumerate(rows + rows[:1]):
        p = tmp_path / f"p{i}.tsv"
        references.write_provenance([row], p)
        paths.append(p)
    table = references.gather_provenance(paths, tmp_path / "all.tsv")
    assert list(table["name"]) == ["a", "b"]
    assert list(table.columns) == references.PROVENANCE_COLUMNS


@pytest.mark.parametrize(
    ("primers", "require", "with_primer", "outcome"),
    [
        ("V4", False, 95, "ok"),
        ("V4", False, 10, "warning"),
        ("none", True, 0, "ok"),
        ("V4", True, 10, "error"),
    ],
)
def test_check_primers(tmp_path, primers, require, with_primer, outcome):
    cut = tmp_path / "s.json"
    _cutadapt_json(cut, 100, 100, with_primer)
    out = tmp_path / "out.tsv"
    if outcome == "error":
        with pytest.raises(InputError, match=r"sample 'S1'.*10\.0% of 100 reads.*require_primers"):
            tracking.check_primers(["S1"], [str(cut)], primers, require, 0.5, str(out))
        assert not out.exists()
        return
    tracking.check_primers(["S1"], [str(cut)], primers, require, 0.5, str(out))
    assert pd.read_csv(out, sep="\t").loc[0, "status"] == outcome


def test_assignments_by_asv_keys_by_id_and_names_missing(tmp_path):
    by_seq = tmp_path / "by_sequence.tsv"
    pd.DataFrame(
        {
            "sequence": [SEQ_A.lower(), SEQ_B],
            "Kingdom": ["Bacteria", "Bacteria"],
            "Genus": ["Roseburia", ""],
            "boot_Kingdom": [100, 99],
            "boot_Genus": [88, 20],
        }
    ).to_csv(by_seq, sep="\t", index=False)
    fasta = tmp_path / "asvs.fasta"
    fasta.write_text(f">{asv.asv_id(SEQ_A)}\n{SEQ_A}\n")
    rows = taxonomy.assignments_by_asv(str(by_seq), str(fasta), str(tmp_path / "out.tsv"))
    assert list(rows["asv_id"]) == [asv.asv_id(SEQ_A)]
    assert rows.loc[0, "Genus"] == "Roseburia"
    fasta.write_text(f">ASV_x\n{'ACGT' * 30}\n")
    with pytest.raises(InputError, match="1 ASVs of .* have no classification"):
        taxonomy.assignments_by_asv(str(by_seq), str(fasta), str(tmp_path / "out.tsv"))


def test_read_asv_table(tmp_path):
    good = tmp_path / "asv_table.tsv"
    good.write_text("asv_id\t001\tS2\nASV_a\t3\t0\nASV_b\t1\t5\n", encoding="utf-8")
    table = asv.read_asv_table(good)
    assert list(table.columns) == ["001", "S2"] and table.loc["ASV_b", "S2"] == 5
    bad = tmp_path / "bad.tsv"
    bad.write_text("asv_id\tS1\nASV_a\t1.5\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.tsv: column 'S1' must hold integer"):
        asv.read_asv_table(bad)
