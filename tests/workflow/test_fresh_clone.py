"""A fresh checkout lints and dry-runs with the shipped config and no demo data: the files git
would check out (tracked, plus new files not ignored) are copied into an empty folder, and
`snakemake --lint` and `snakemake -n` run there as a catalog linter or a new user would."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from .conftest import REPO, require_tools, tool_env

pytestmark = pytest.mark.workflow


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    require_tools()
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard",
                            "-z"], cwd=REPO, capture_output=True, check=True).stdout
    out = tmp_path_factory.mktemp("fresh") / "gutbrain16s"
    for name in filter(None, files.decode().split("\0")):
        source = REPO / name
        if source.is_file():
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, out / name)
    assert not (out / "demo_data").exists()
    return out


@pytest.mark.parametrize("args", [["--lint"], ["-n"]])
def test_fresh_checkout_lints_and_dry_runs(checkout, args) -> None:
    snakemake = str(REPO / ".venv" / "bin" / "snakemake")
    if not shutil.which(snakemake):
        snakemake = "snakemake"
    done = subprocess.run([snakemake, "--cores", "1", *args], cwd=checkout, env=tool_env(),
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    if args == ["-n"]:
        assert "dada2_denoise" in done.stdout + done.stderr


def test_fresh_checkout_runs_the_test_data(checkout) -> None:
    """`snakemake` with the shipped config runs the tiny real reads of .test/ end to end."""
    done = subprocess.run([str(REPO / ".venv" / "bin" / "snakemake"), "--cores", "2"],
                          cwd=checkout, env=tool_env(), capture_output=True, text=True,
                          timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for path in ("results/reports/index.html", "results/reports/samples/A.html",
                 "results/function/route_measures.tsv", "results/export/asv_table.biom"):
        assert (checkout / path).is_file(), path
    # Every published table the run wrote has the columns gutbrain.tables declares.
    from gutbrain.tables import TABLES, published

    written = 0
    for name, table in TABLES.items():
        # The shipped config: DADA2 denoising and classification, one path per sample.
        path = checkout / published(name, method="dada2", sample="A", metric="braycurtis")
        if not path.is_file():
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        header = next(line for line in lines if not line.startswith("#")).split("\t")
        if table.wide:
            assert header[: len(table.columns)] == list(table.columns), name
            assert header[len(table.columns):] == ["A", "B"], name
        elif name == "samples":
            assert header[0] == "sample", name
        elif table.extensible:
            assert header[0] == table.columns[0], name
            assert set(table.needed) <= set(header), name
        else:
            assert header == list(table.columns), name
        written += 1
    # Not in this run: the comparison's two tables (no groups) and the UNOISE3 preparation
    # counts.
    assert written >= len(TABLES) - 3
