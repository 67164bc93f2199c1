"""The offline default taxonomy reference without its Debian package: the gold 16S part is
fetched from a Debian package (here a file:// URL to one built from the installed file's first
records, so no network), both checksums checked, and the reference prepared from it."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import REPO, require_tools, run_snakemake, write_config

pytestmark = pytest.mark.workflow

sys.path.insert(0, str(REPO / "tests" / "unit"))
from test_debian_package import write_deb  # noqa: E402

GOLD = Path("/usr/share/microbiomeutil-data/RESOURCES/rRNA16S.gold.fasta")
MEMBER = "usr/share/microbiomeutil-data/RESOURCES/rRNA16S.gold.fasta"


def _first_records(path: Path, n: int) -> bytes:
    lines, seen = [], 0
    for line in path.read_text().splitlines(keepends=True):
        if line.startswith(">"):
            seen += 1
            if seen > n:
                break
        lines.append(line)
    return "".join(lines).encode()


def test_gold_part_is_fetched_from_a_debian_package_when_not_installed(tmp_path) -> None:
    require_tools()
    if not GOLD.is_file():
        pytest.skip(f"{GOLD} not installed (apt-get install microbiomeutil-data)")
    content = _first_records(GOLD, 300)
    deb = write_deb(tmp_path / "microbiomeutil-data.deb", {MEMBER: content})
    shipped = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    entry = shipped["references"]["taxonomy"]["dada2_gold"]
    entry["extra"][0].update(
        fasta=str(tmp_path / "not-installed" / "rRNA16S.gold.fasta"), url=deb.as_uri(),
        url_sha256=hashlib.sha256(deb.read_bytes()).hexdigest(),
        sha256=hashlib.sha256(content).hexdigest())
    config = write_config(tmp_path, REPO / ".test" / "samples.tsv",
                          **{"references.taxonomy.fetched_gold": entry,
                             "taxonomy.reference": "fetched_gold"})
    target = str(tmp_path / "cache/taxonomy/fetched_gold/provenance.tsv")
    proc = run_snakemake(tmp_path, config, target)
    assert "fetch_taxonomy_part" in proc.stdout
    fetched = tmp_path / "cache/taxonomy/fetched_gold/extra/0/rRNA16S.gold.fasta"
    assert fetched.read_bytes() == content
    provenance = Path(target).read_text()
    assert deb.as_uri() in provenance and hashlib.sha256(content).hexdigest() in provenance
    # A changed download is refused before any job, naming the config key.
    fetched.write_bytes(content + b">x\tX y\tx|16s_rRNA|x\tBacteria; A; B; C; D; Roseburia\nACGT\n")
    again = run_snakemake(tmp_path, config, target, "-n", check=False)
    assert again.returncode != 0
    assert "references.taxonomy.fetched_gold.extra[0].sha256" in again.stdout
