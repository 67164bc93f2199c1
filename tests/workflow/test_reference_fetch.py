"""Downloaded references, offline through file:// URLs: the offline default taxonomy reference
without its Debian package (the gold 16S part fetched from a Debian package built from the
installed file's first records, both checksums checked), and a nearest-genome bundle fetched
part by part from a base URL as the PICRUSt2 bundles are."""

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


def test_downloaded_bundle_predicts_kos_and_ecs(tmp_path, genus_bundle) -> None:
    require_tools()
    entry = {"source": "url", "base_url": genus_bundle.as_uri() + "/",
             "files": {"fasta": "16S.fna", "ko": "ko.txt.gz", "copies": "16S.txt.gz",
                       "ec": "ec.txt.gz"}, "version": "test"}
    config = write_config(tmp_path, REPO / ".test" / "samples.tsv",
                          **{"references.bundles.test_url_bundle": entry,
                             "function.method": "nearest", "function.bundle": "test_url_bundle"})
    proc = run_snakemake(tmp_path, config, "results/function/ec_abundance.tsv")
    assert proc.stdout.count("rule download_bundle_file") == 4
    # Each part keeps its file name (a gzip is read as one by its .gz) and gets a lock file.
    part = tmp_path / "cache/bundles/test_url_bundle/ko/ko.txt.gz"
    assert part.read_bytes() == (genus_bundle / "ko.txt.gz").read_bytes()
    assert part.with_name("ko.txt.gz.sha256").is_file()
    ec = (tmp_path / "results/function/ec_abundance.tsv").read_text().splitlines()
    assert ec[0].split("\t") == ["ec", "A", "B"] and len(ec) > 1000
