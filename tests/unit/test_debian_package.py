"""Reading a file out of a Debian package (gutbrain.debian_package) and fetching a reference
part from one (gutbrain.steps.references.fetch_reference_part), offline through file:// URLs."""

from __future__ import annotations

import hashlib
import io
import lzma
import tarfile
from pathlib import Path

import pytest
import yaml
from gutbrain.debian_package import read_member
from gutbrain.errors import InputError
from gutbrain.references import extra_part_path
from gutbrain.steps.references import fetch_reference_part

REPO = Path(__file__).resolve().parents[2]
MEMBER = "usr/share/example/RESOURCES/rRNA16S.gold.fasta"
CONTENT = b">1\tExample organism\t1|16s_rRNA|x\tBacteria; A; B; C; D; Roseburia\nACGT\n"


def _ar(members: list[tuple[str, bytes]]) -> bytes:
    out = bytearray(b"!<arch>\n")
    for name, data in members:
        out += (f"{name + '/':<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{len(data):<10}`\n").encode()
        out += data + (b"\n" if len(data) % 2 else b"")
    return bytes(out)


def _tar_xz(files: dict[str, bytes]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"./{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return lzma.compress(raw.getvalue())


def write_deb(path: Path, files: dict[str, bytes]) -> Path:
    path.write_bytes(_ar([("debian-binary", b"2.0\n"), ("control.tar.xz", _tar_xz({})),
                          ("data.tar.xz", _tar_xz(files))]))
    return path


def test_read_member_returns_the_installed_file(tmp_path) -> None:
    deb = write_deb(tmp_path / "x.deb", {MEMBER: CONTENT, "usr/share/doc/x/README": b"odd"})
    assert read_member(deb, MEMBER) == CONTENT
    assert read_member(deb, "./" + MEMBER) == CONTENT
    assert read_member(deb, "usr/share/doc/x/README") == b"odd"


@pytest.mark.parametrize("damage, message", [
    (lambda d: b"PK\x03\x04" + d[8:], "not a Debian package"),
    (lambda d: d[:-100], "truncated"),
    (lambda d: d[:66] + b"xx" + d[68:], "damaged ar member header"),
])
def test_read_member_names_a_damaged_package(tmp_path, damage, message) -> None:
    deb = write_deb(tmp_path / "x.deb", {MEMBER: CONTENT})
    deb.write_bytes(damage(deb.read_bytes()))
    with pytest.raises(InputError, match=message) as err:
        read_member(deb, MEMBER)
    assert str(deb) in str(err.value)


def test_read_member_names_a_missing_file(tmp_path) -> None:
    deb = write_deb(tmp_path / "x.deb", {MEMBER: CONTENT})
    with pytest.raises(InputError, match="has no file usr/share/other.fa"):
        read_member(deb, "usr/share/other.fa")


def _part(deb: Path, **over) -> dict:
    part = {"fasta": "/absent/gold.fasta", "format": "gold", "url": deb.as_uri(),
            "url_sha256": hashlib.sha256(deb.read_bytes()).hexdigest(), "member": MEMBER,
            "sha256": hashlib.sha256(CONTENT).hexdigest()}
    part.update(over)
    return part


def test_fetch_reference_part_extracts_and_checks_both_checksums(tmp_path) -> None:
    deb = write_deb(tmp_path / "x.deb", {MEMBER: CONTENT})
    out = tmp_path / "cache" / "rRNA16S.gold.fasta"
    out.parent.mkdir()
    assert fetch_reference_part(_part(deb), out) == hashlib.sha256(CONTENT).hexdigest()
    assert out.read_bytes() == CONTENT


def test_fetch_reference_part_refuses_a_changed_package(tmp_path) -> None:
    deb = write_deb(tmp_path / "x.deb", {MEMBER: CONTENT})
    out = tmp_path / "rRNA16S.gold.fasta"
    with pytest.raises(InputError, match="checksum mismatch") as err:
        fetch_reference_part(_part(deb, url_sha256="0" * 64), out)
    assert "0" * 64 in str(err.value) and not out.exists()


def test_fetch_reference_part_refuses_a_changed_member(tmp_path) -> None:
    deb = write_deb(tmp_path / "x.deb", {MEMBER: CONTENT + b"ACGT\n"})
    out = tmp_path / "rRNA16S.gold.fasta"
    with pytest.raises(InputError, match="differs from the part's sha256") as err:
        fetch_reference_part(_part(deb), out)
    assert MEMBER in str(err.value) and not out.exists()


def test_extra_part_path_prefers_the_installed_file(tmp_path) -> None:
    installed = tmp_path / "gold.fasta"
    part = {"fasta": str(installed), "format": "gold", "url": "https://x/p.deb", "member": MEMBER}
    assert extra_part_path("cache", "gold", 0, part) == \
        "cache/taxonomy/gold/extra/0/rRNA16S.gold.fasta"
    installed.write_bytes(CONTENT)
    assert extra_part_path("cache", "gold", 0, part) == str(installed)
    assert extra_part_path("cache", "gold", 0, {"fasta": "/absent", "format": "gold"}) is None


def test_shipped_gold_part_checksum_matches_the_installed_file() -> None:
    """The config's sha256 of the gold set is the Debian package's file (both routes give it)."""
    part = yaml.safe_load((REPO / "config" / "config.yaml").read_text())[
        "references"]["taxonomy"]["dada2_gold"]["extra"][0]
    installed = Path(part["fasta"])
    if not installed.is_file():
        pytest.skip(f"{installed} not installed (apt-get install microbiomeutil-data)")
    assert hashlib.sha256(installed.read_bytes()).hexdigest() == part["sha256"]
    assert part["member"] == part["fasta"].lstrip("/")
