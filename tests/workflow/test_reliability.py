"""Reliability end to end: interruption, reproducibility, awkward paths, where a run writes.

Three runs of the same small simulated dataset share this module: a clean run (A), a second
clean run whose working folder, sample sheet and reads all sit under a path with spaces and
quotes (C), and a run killed with SIGKILL while DADA2 is running and then resumed (B). After a
SIGKILL Snakemake's lock stays behind, so the resume is what its message tells a user to do:
``--unlock``, then the run again with ``--rerun-incomplete``. The result tables of all three
runs must be byte-identical, ``reference_hits.tsv`` included (the pipeline sorts vsearch's
multithreaded output). The runs use the nearest-genome method (on the test bundle of
``conftest.genus_bundle``) so that the vsearch search is part of what must reproduce.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tools.snakemake_run import snakemake_cmd

from .conftest import REPO, require_tools, run_snakemake, tool_env, write_config


def _config(workdir: Path, sheet: Path, bundle: Path) -> Path:
    """The shipped config with the nearest-genome method on the test bundle."""
    return write_config(
        workdir, sheet, **{"function.method": "nearest", "function.bundle": str(bundle)}
    )

pytestmark = pytest.mark.workflow

TARGETS = ("results/function/module_scores.tsv", "results/qc/read_tracking.tsv")
"""Run up to the module scores (skips tree, diversity, reports and MultiQC to stay quick)."""

KEY_TABLES = (
    "results/asv/asv_table.tsv",
    "results/taxonomy/asv_taxonomy.tsv",
    "results/function/ko_abundance.tsv",
    "results/function/module_scores.tsv",
)
"""Tables that must be byte-identical between runs (the brief's list)."""

TABLE_GLOBS = ("results/asv/*.tsv", "results/asv/*.fasta", "results/taxonomy/*.tsv",
               "results/function/*.tsv", "results/qc/read_tracking.tsv")
"""Every result table compared between runs (benchmarks and provenance dates excluded)."""

UNORDERED = "results/function/reference_hits.tsv"
"""Compared by content only: row order differs between runs (vsearch --threads 2)."""

AWKWARD = "my reads/it's \"here\""
"""A folder name with a space, a single quote and double quotes."""


def _tables(workdir: Path) -> dict[str, bytes]:
    """Relative path -> bytes of every compared result table."""
    found = {}
    for pattern in TABLE_GLOBS:
        for path in workdir.glob(pattern):
            found[str(path.relative_to(workdir))] = path.read_bytes()
    return found


def _differences(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    """Tables missing on one side or with different bytes."""
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k) and k != UNORDERED)


def _same_rows(a: bytes, b: bytes) -> bool:
    """Same header and the same multiset of data rows (order ignored)."""
    la, lb = a.splitlines(), b.splitlines()
    return la[:1] == lb[:1] and sorted(la[1:]) == sorted(lb[1:])


def _listing(root: Path, depth: int) -> set[str]:
    """Paths under root down to `depth` levels (no symlink following; __pycache__ ignored)."""
    out: set[str] = set()
    if not root.is_dir():
        return out
    stack = [(root, 0)]
    while stack:
        folder, level = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name == "__pycache__":
                continue
            out.add(os.path.relpath(entry.path, root))
            if level + 1 < depth and entry.is_dir(follow_symlinks=False):
                stack.append((Path(entry.path), level + 1))
    return out


def _sentinels() -> dict[str, set[str]]:
    """Listings of folders a run must not write to: the checkout and the home folder."""
    home = Path.home()
    return {
        "repo": _listing(REPO, 1),
        "repo/workflow": _listing(REPO / "workflow", 3),
        "repo/config": _listing(REPO / "config", 2),
        "repo/resources": _listing(REPO / "resources", 2),
        "home": _listing(home, 1),
        "home/.cache": _listing(home / ".cache", 2),
        "home/.config": _listing(home / ".config", 2),
    }


@pytest.fixture(scope="module")
def dataset(tmp_path_factory, dada2_extdata) -> Path:
    """Sample sheet of a two-sample simulated mock, reads and sheet under an awkward path."""
    from tools.simulate import make_mock

    require_tools()
    folder = tmp_path_factory.mktemp("reliability") / AWKWARD
    return make_mock(folder, "dada2", dada2_extdata=dada2_extdata, n_samples=2, n_pairs=300)


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory, dataset, genus_bundle):
    """Run A: a clean run, with listings of the sentinel folders before and after."""
    workdir = tmp_path_factory.mktemp("run_a")
    config = _config(workdir, dataset, genus_bundle)
    before = _sentinels()
    run_snakemake(workdir, config, *TARGETS)
    return workdir, before, _sentinels()


@pytest.fixture(scope="module")
def awkward_run(tmp_path_factory, dataset, genus_bundle):
    """Run C: a second clean run, its working folder also under the awkward path."""
    workdir = tmp_path_factory.mktemp("run_c") / AWKWARD
    workdir.mkdir(parents=True)
    config = _config(workdir, dataset, genus_bundle)
    run_snakemake(workdir, config, *TARGETS)
    return workdir


@pytest.fixture(scope="module")
def resumed_run(tmp_path_factory, dataset, genus_bundle):
    """Run B: killed (SIGKILL to the whole process group) while DADA2 runs, then resumed."""
    workdir = tmp_path_factory.mktemp("run_b")
    config = _config(workdir, dataset, genus_bundle)
    cmd = snakemake_cmd(workdir, config, *TARGETS)
    log = open(workdir / "interrupted.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, cwd=workdir, env=tool_env(), stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    seqtab = workdir / "results/asv/dada2/seqtab.tsv"
    started = workdir / "results/asv/dada2"
    deadline = time.monotonic() + 300
    try:
        while not started.is_dir() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3)  # let Rscript load DADA2 and start filtering
        assert proc.poll() is None, "the run ended before it could be interrupted"
        assert not seqtab.exists(), "DADA2 finished before the kill: nothing was interrupted"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        log.close()
    partial = {"seqtab_after_kill": seqtab.exists(),
               "tables_after_kill": sorted(_tables(workdir))}
    locked = run_snakemake(workdir, config, *TARGETS, check=False)
    run_snakemake(workdir, config, "--unlock")
    resumed = run_snakemake(workdir, config, "--rerun-incomplete", *TARGETS, check=False)
    return workdir, partial, locked, resumed


def test_nearest_bundle_ec_table_fills_ec_abundance(clean_run):
    """The bundle's EC table is predicted through the same genomes and weights as its KOs: a KO
    whose only EC is e has e's copies in every genome (ko_profile), so its abundance is e's."""
    from gutbrain.genus_profile import load_profile

    workdir = clean_run[0]
    ec = pd.read_csv(workdir / "results/function/ec_abundance.tsv", sep="\t", index_col="ec")
    ko = pd.read_csv(workdir / "results/function/ko_abundance.tsv", sep="\t", index_col="ko")
    assert len(ec) > 1000 and ec.index.str.startswith("EC:").all()
    assert list(ec.columns) == list(ko.columns)
    pairs = load_profile(REPO / "resources" / "genus_profile").ko_ec
    single = pairs.groupby("ko")["ec"].agg(list)
    single = {k: v[0] for k, v in single.items() if len(v) == 1 and v[0] in ec.index}
    shared = [k for k in ko.index if k in single and ko.loc[k].sum() > 0]
    assert len(shared) >= 5
    for k in shared:
        np.testing.assert_allclose(ec.loc[single[k]].to_numpy(), ko.loc[k].to_numpy(),
                                   rtol=1e-3, err_msg=k)


def test_interrupted_run_resumes_to_identical_tables(clean_run, resumed_run):
    reference, _, _ = clean_run
    workdir, partial, locked, resumed = resumed_run
    assert not partial["seqtab_after_kill"]
    assert locked.returncode != 0 and "--unlock" in locked.stdout
    assert resumed.returncode == 0, f"resume failed:\n{resumed.stdout[-4000:]}"
    for table in KEY_TABLES:
        assert (workdir / table).read_bytes() == (reference / table).read_bytes(), table
    assert _differences(_tables(reference), _tables(workdir)) == []
    assert _same_rows((reference / UNORDERED).read_bytes(), (workdir / UNORDERED).read_bytes())


def test_two_clean_runs_are_byte_identical(clean_run, awkward_run):
    reference, _, _ = clean_run
    first, second = _tables(reference), _tables(awkward_run)
    assert set(KEY_TABLES) <= set(first)
    assert _differences(first, second) == []
    assert _same_rows(first[UNORDERED], second[UNORDERED])


def test_reference_hits_row_order_is_reproducible(clean_run, awkward_run):
    reference, _, _ = clean_run
    assert (reference / UNORDERED).read_bytes() == (awkward_run / UNORDERED).read_bytes()


def test_awkward_paths_run_to_completion(awkward_run, dataset):
    assert "'" in str(dataset) and '"' in str(dataset) and " " in str(dataset)
    assert "'" in str(awkward_run)
    for table in KEY_TABLES:
        assert (awkward_run / table).stat().st_size > 0, table


def test_run_writes_only_in_its_workdir_and_cache(clean_run):
    workdir, before, after = clean_run
    new = {where: sorted(after[where] - before[where]) for where in before}
    assert {where: paths for where, paths in new.items() if paths} == {}
    assert (workdir / "cache" / "taxonomy").is_dir()
    assert (workdir / ".snakemake").is_dir()
