"""The references step (gutbrain.steps.references): checksummed downloads, taxonomy references
converted to both classifier formats, provenance gathered."""

from __future__ import annotations

import gzip
import hashlib

import pytest
from gutbrain import references
from gutbrain.errors import InputError
from gutbrain.steps.references import collect_provenance, convert_reference, download, read_lock

SEQ_A = "TACGGAGGATCCGAGCGTTATCCGGATTTATTGGGTTTAAAGGGAGCGTAG" * 5
SEQ_B = "TACGTAGGTGGCAAGCGTTATCCGGATTTATTGGGCGTAAAGCGAGCGCAG" * 5
GOLD_HEADERS = [
    # Filed under another organism's lineage: borrows Roseburia's from the main part.
    "7000002\tRoseburia intestinalis L1-82 \t7000002|16s_rRNA|y\t"
    "Bacteria; Cyanobacteria; Cyanobacteria; Nostocales; Nostocaceae; Anabaena",
    # Wrong lineage and no other record of its genus: skipped.
    "7000003\tAnabaena variabilis ATCC 29413 \t7000003|16s_rRNA|z\t"
    "Bacteria; Bacteroidetes; Bacteroidetes; Bacteroidales; Bacteroidaceae; Megamonas",
]


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
    counts = convert_reference(str(src), "sintax", str(d), str(s))
    assert counts == {"sequences": 2, "genera": 1}
    dada2_lines = gzip.open(d, "rt").read().splitlines()
    assert dada2_lines[0] == ">Bacteria;Firmicutes;C;O;F;Roseburia;"
    assert dada2_lines[2] == ">Bacteria;Bacteroidetes;"
    assert "U" not in dada2_lines[3]
    sintax_lines = gzip.open(s, "rt").read().splitlines()
    assert sintax_lines[0] == ">r1;tax=d:Bacteria,p:Firmicutes,c:C,o:O,f:F,g:Roseburia;"
    # And back again from the DADA2 format.
    d2, s2 = tmp_path / "d2.fa.gz", tmp_path / "s2.fa.gz"
    convert_reference(str(d), "dada2", str(d2), str(s2))
    assert gzip.open(d2, "rt").read() == gzip.open(d, "rt").read()


def test_gold_part_borrows_lineages_from_the_main_part(tmp_path):
    gold = tmp_path / "gold.fasta"
    gold.write_text("".join(f">{h}\n{SEQ_A}\n" for h in GOLD_HEADERS))
    main = tmp_path / "main.fa.gz"
    _write_fasta(main, [("m1;tax=d:Bacteria,p:Firmicutes,c:Clostridia,o:Clostridiales,"
                         "f:Lachnospiraceae,g:Roseburia;", SEQ_B)])
    d, s = tmp_path / "d.fa.gz", tmp_path / "s.fa.gz"
    counts = convert_reference(
        str(main), "sintax", str(d), str(s), extra=[(str(gold), "gold")]
    )
    assert counts == {"sequences": 2, "genera": 1, "gold_skipped": 1}
    headers = [line for line in gzip.open(d, "rt").read().splitlines() if line.startswith(">")]
    assert headers == [
        ">Bacteria;Firmicutes;Clostridia;Clostridiales;Lachnospiraceae;Roseburia;",
        ">Bacteria;Firmicutes;Clostridia;Clostridiales;Lachnospiraceae;Roseburia;",
    ]


def test_convert_reference_fasta_tsv_names_missing_lineage(tmp_path):
    src = tmp_path / "ref.fa.gz"
    _write_fasta(src, [("a1", SEQ_A), ("a2", SEQ_B)])
    lineages = tmp_path / "lineages.tsv"
    lineages.write_text("a1\tBacteria;Firmicutes;C;O;F;G\n")
    with pytest.raises(InputError, match=r"record 2 \('a2'\) has no lineage"):
        convert_reference(
            str(src),
            "fasta_tsv",
            str(tmp_path / "d.fa.gz"),
            str(tmp_path / "s.fa.gz"),
            str(lineages),
        )


def test_download_verifies_checksum_and_writes_lock(tmp_path):
    src = tmp_path / "upstream.fa.gz"
    src.write_bytes(b"reference v1")
    out = tmp_path / "cache" / "ref.fa.gz"
    digest = download(src.as_uri(), out)
    assert digest == hashlib.sha256(b"reference v1").hexdigest()
    assert read_lock(out.with_name(out.name + ".sha256")) == digest
    # Upstream changed: the lock written on first download refuses it and keeps nothing.
    src.write_bytes(b"reference v2")
    out.unlink()
    with pytest.raises(InputError, match="checksum mismatch"):
        download(src.as_uri(), out)
    assert not out.exists()
    with pytest.raises(InputError, match="from the config"):
        download(src.as_uri(), out, expected_sha256="0" * 64)


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
    table = collect_provenance(paths, tmp_path / "all.tsv")
    assert list(table["name"]) == ["a", "b"]
    assert list(table.columns) == references.PROVENANCE_COLUMNS
