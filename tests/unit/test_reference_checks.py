"""Reference files checked on every use (gutbrain.reference_checks) and command-line config
values made what the schema expects (gutbrain.config_values)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
import yaml
from gutbrain.config_values import coerce_to_schema
from gutbrain.errors import InputError
from gutbrain.reference_checks import (
    CheckMemo,
    check_file,
    check_taxonomy_fasta,
    check_tsv,
    local_lock,
    verify_bundle_files,
    verify_checksum,
    verify_genus_profile,
    verify_routes_match,
    verify_taxonomy_reference,
)

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "resources" / "genus_profile"
DADA2 = ">Bacteria;Firmicutes;Clostridia;Lachnospirales;Lachnospiraceae;Roseburia;\nACGT\nACGT\n"


def _gz(path: Path, text: str) -> Path:
    with gzip.open(path, "wt") as handle:
        handle.write(text)
    return path


# --------------------------------------------------------------------------- checksums


def test_a_changed_file_is_refused_with_both_checksums(tmp_path: Path) -> None:
    ref = tmp_path / "ref.fa"
    ref.write_text(DADA2)
    lock = tmp_path / "locks" / "ref.sha256"
    memo = CheckMemo(tmp_path / "checked")
    first = verify_checksum(ref, "taxonomy reference 'x'", lock=lock, memo=memo,
                            fix="Delete the lock.")
    assert lock.read_text().split()[0] == first  # recorded on first use
    assert verify_checksum(ref, "x", lock=lock, memo=memo) == first
    ref.write_text(DADA2.replace("Roseburia", "Blautia"))
    with pytest.raises(InputError) as err:
        verify_checksum(ref, "taxonomy reference 'x'", lock=lock, memo=memo,
                        fix="Delete the lock.")
    message = str(err.value)
    assert str(ref) in message and first in message and "Delete the lock." in message
    assert "taxonomy reference 'x'" in message and str(lock) in message


def test_the_configured_checksum_wins_over_the_lock(tmp_path: Path) -> None:
    ref = tmp_path / "ref.fa"
    ref.write_text(DADA2)
    with pytest.raises(InputError, match="from config key k.sha256"):
        verify_checksum(ref, "x", expected="0" * 64, expected_from="config key k.sha256",
                        lock=tmp_path / "lock")
    assert not (tmp_path / "lock").exists()


def test_the_memo_is_keyed_by_size_and_time(tmp_path: Path) -> None:
    ref = tmp_path / "ref.fa"
    ref.write_text(DADA2)
    memo = CheckMemo(tmp_path / "checked")
    calls = []
    check_file(ref, lambda p: calls.append(p) or {"n": 1}, memo, "k")
    check_file(ref, lambda p: calls.append(p) or {"n": 1}, memo, "k")
    assert len(calls) == 1
    ref.write_text(DADA2 + DADA2)
    check_file(ref, lambda p: calls.append(p) or {"n": 2}, memo, "k")
    assert len(calls) == 2


# --------------------------------------------------------------------------- taxonomy FASTA


def test_a_truncated_gzip_names_the_file(tmp_path: Path) -> None:
    whole = _gz(tmp_path / "whole.fa.gz", DADA2 * 2000)
    cut = tmp_path / "cut.fa.gz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(InputError, match=r"cut\.fa\.gz: the file is truncated or corrupt"):
        check_taxonomy_fasta(cut, "dada2")
    assert check_taxonomy_fasta(whole, "dada2") == {"records": 2000, "with_genus": 2000,
                                                    "genera": 1}


def test_ncbi_style_headers_are_not_a_dada2_lineage(tmp_path: Path) -> None:
    ref = tmp_path / "ncbi.fa"
    ref.write_text(">AB000001.1 Bacteroides sp. 16S ribosomal RNA gene, partial sequence\nACGT\n")
    with pytest.raises(InputError, match=r"ncbi\.fa: line 1: header is not a DADA2 lineage"):
        check_taxonomy_fasta(ref, "dada2")


def test_a_reference_without_genera_stops_unless_accepted(tmp_path: Path) -> None:
    ref = tmp_path / "phyla.fa"
    ref.write_text(">Bacteria;Firmicutes;\nACGT\n" * 20 + DADA2)
    with pytest.raises(InputError, match="1 of its 21 records name a genus"):
        check_taxonomy_fasta(ref, "dada2")
    assert check_taxonomy_fasta(ref, "dada2", accept_implausible=True)["genera"] == 1


def test_fasta_structure_errors_name_the_line(tmp_path: Path) -> None:
    text = tmp_path / "table.fa"
    text.write_text("id\tlineage\n")
    with pytest.raises(InputError, match="line 1: expected a FASTA header"):
        check_taxonomy_fasta(text, "dada2")
    empty = tmp_path / "empty_record.fa"
    empty.write_text(DADA2 + ">Bacteria;Firmicutes;\n")
    with pytest.raises(InputError, match="line 4: record .* has no sequence"):
        check_taxonomy_fasta(empty, "dada2")
    sintax = tmp_path / "sintax.fa"
    sintax.write_text(DADA2)
    with pytest.raises(InputError, match="line 1: header has no 'tax=' field"):
        check_taxonomy_fasta(sintax, "sintax")


def test_verify_taxonomy_reference_checks_a_local_file_on_every_use(tmp_path: Path) -> None:
    ref = tmp_path / "mine.fa"
    ref.write_text(DADA2)
    entry = {"source": "local", "fasta": str(ref), "format": "dada2"}
    memo = CheckMemo(tmp_path / "cache" / "checked")
    verify_taxonomy_reference("mine", entry, tmp_path / "cache", memo)
    assert local_lock(tmp_path / "cache", ref).is_file()
    ref.write_text(DADA2.replace("Roseburia", "Blautia"))
    with pytest.raises(InputError, match=r"references\.taxonomy\.mine\.sha256"):
        verify_taxonomy_reference("mine", entry, tmp_path / "cache", memo)
    with pytest.raises(InputError, match=r"config key references\.taxonomy\.gone\.fasta"):
        verify_taxonomy_reference("gone", {**entry, "fasta": str(tmp_path / "no.fa")},
                                  tmp_path / "cache", memo)


def test_a_cached_download_is_checked_against_its_lock(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    download = cache / "taxonomy" / "silva" / "download" / "reference.fa.gz"
    download.parent.mkdir(parents=True)
    _gz(download, DADA2)
    memo = CheckMemo(cache / "checked")
    entry = {"source": "url", "url": "https://example.org/x.fa.gz", "format": "dada2"}
    verify_taxonomy_reference("silva", entry, cache, memo)  # first use: lock written
    _gz(download, DADA2.replace("Roseburia", "Blautia"))
    with pytest.raises(InputError) as err:
        verify_taxonomy_reference("silva", entry, cache, memo)
    assert "reference.fa.gz.sha256" in str(err.value) and "download it again" in str(err.value)


def test_bundle_parts_are_locked_and_read_to_the_end(tmp_path: Path) -> None:
    folder = tmp_path / "bundle"
    folder.mkdir()
    ko = _gz(folder / "ko.txt.gz", "assembly\tK00001\n" + "g1\t1\n" * 5000)
    memo = CheckMemo(tmp_path / "cache" / "checked")
    files = {"bundle_ko": str(ko)}
    verify_bundle_files(str(folder), None, files, tmp_path / "cache", memo)
    assert local_lock(tmp_path / "cache", ko).is_file()
    _gz(ko, "assembly\tK00001\n" + "g1\t2\n" * 5000)
    with pytest.raises(InputError, match="is not the file whose checksum"):
        verify_bundle_files(str(folder), None, files, tmp_path / "cache", memo)
    local_lock(tmp_path / "cache", ko).unlink()  # the user accepts the change ...
    data = ko.read_bytes()
    ko.write_bytes(data[: len(data) // 2])  # ... but the copy was cut short
    with pytest.raises(InputError, match=r"ko\.txt\.gz: the file is truncated"):
        verify_bundle_files(str(folder), None, files, tmp_path / "cache", memo)
    assert not local_lock(tmp_path / "cache", ko).exists()  # a damaged file is never locked


# --------------------------------------------------------------------------- genus profile


def _profile_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "profile"
    shutil.copytree(SHIPPED, folder)
    return folder


def test_the_shipped_genus_profile_passes_and_lists_every_table(tmp_path: Path) -> None:
    listed = yaml.safe_load((SHIPPED / "reference.yaml").read_text())["files"]
    tables = {p.name for p in SHIPPED.iterdir() if p.is_file()} - {"reference.yaml"}
    assert set(listed) == tables
    verify_genus_profile(SHIPPED, CheckMemo(tmp_path / "checked"))


def test_a_changed_genus_profile_table_is_refused(tmp_path: Path) -> None:
    folder = _profile_copy(tmp_path)
    (folder / "genera.tsv").write_text((folder / "genera.tsv").read_text() + "Extra\t1\t1\t1\n")
    with pytest.raises(InputError, match=r"genera\.tsv is not the file whose checksum"):
        verify_genus_profile(folder, CheckMemo(tmp_path / "checked"))


def test_a_comma_separated_table_is_named(tmp_path: Path) -> None:
    folder = _profile_copy(tmp_path)
    manifest = yaml.safe_load((folder / "reference.yaml").read_text())
    del manifest["files"]  # a user-built folder without checksums: content checks still run
    (folder / "reference.yaml").write_text(yaml.safe_dump(manifest))
    (folder / "ko_ec.tsv").write_text("ko,ec\nK00001,EC:1.1.1.1\n")
    with pytest.raises(InputError, match=r"ko_ec\.tsv: line 1: the table is comma-separated"):
        verify_genus_profile(folder, CheckMemo(tmp_path / "checked"))


def test_a_truncated_genus_profile_table_is_named(tmp_path: Path) -> None:
    folder = _profile_copy(tmp_path)
    manifest = yaml.safe_load((folder / "reference.yaml").read_text())
    del manifest["files"]
    (folder / "reference.yaml").write_text(yaml.safe_dump(manifest))
    data = (folder / "ec_profile.tsv.gz").read_bytes()
    (folder / "ec_profile.tsv.gz").write_bytes(data[: len(data) // 3])
    with pytest.raises(InputError, match=r"ec_profile\.tsv\.gz: the file is truncated"):
        verify_genus_profile(folder, CheckMemo(tmp_path / "checked"))


def test_table_rows_and_numbers_are_checked(tmp_path: Path) -> None:
    table = tmp_path / "genera.tsv"
    table.write_text("genus\tn_genomes\nA\t3\nB\tmany\n")
    with pytest.raises(InputError, match="line 3: column 'n_genomes' should be a number"):
        check_tsv(table, ("genus", "n_genomes"), ("n_genomes",))
    table.write_text("genus\tn_genomes\nA\t3\textra\n")
    with pytest.raises(InputError, match="line 2: 3 tab-separated fields, the header has 2"):
        check_tsv(table, ("genus", "n_genomes"))
    with pytest.raises(InputError, match="missing column"):
        check_tsv(table, ("genus", "mean_16s_copies"))


def test_the_route_table_must_be_the_one_the_carriage_was_built_from(tmp_path: Path) -> None:
    memo = CheckMemo(tmp_path / "checked")
    routes = REPO / "resources" / "routes.tsv"
    verify_routes_match(SHIPPED, routes, memo)
    edited = tmp_path / "routes.tsv"
    edited.write_text(routes.read_text().replace("Histamine from histidine", "Histamine"))
    with pytest.raises(InputError, match="Rebuild the genus profile from this route table"):
        verify_routes_match(SHIPPED, edited, memo)


# --------------------------------------------------------------------------- config values


SCHEMA = yaml.safe_load((REPO / "workflow" / "schemas" / "config.schema.yaml").read_text())


def test_numbers_given_as_text_become_numbers() -> None:
    config = {"denoise": {"min_abundance": "5", "pool": "true", "method": "dada2"},
              "taxonomy": {"min_boot": "60", "sintax_cutoff": "0.7"},
              "samples": "sheet.tsv"}
    out = coerce_to_schema(config, SCHEMA)
    assert out["denoise"] == {"min_abundance": 5, "pool": True, "method": "dada2"}
    assert out["taxonomy"] == {"min_boot": 60, "sintax_cutoff": 0.7}
    assert coerce_to_schema({"denoise": {"pool": "pseudo"}}, SCHEMA)["denoise"]["pool"] == "pseudo"


def test_text_that_is_not_a_number_is_refused_naming_key_value_and_type() -> None:
    with pytest.raises(InputError) as err:
        coerce_to_schema({"denoise": {"min_abundance": "five"}}, SCHEMA)
    assert str(err.value) == ("config key denoise.min_abundance: got 'five' (text), expected a "
                              "whole number")
