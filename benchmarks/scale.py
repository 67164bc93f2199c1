"""Scaling benchmark of the whole pipeline on 2 cores, and of DAG building for 1,000 samples.

Setup (not timed): simulated V4 read pairs (``python -m gutbrain.simulate scale``) for 10 and
100 samples x M pairs (default 2,000), a config copied from config/config.yaml with ``samples``
pointing at the dataset, and the taxonomy reference prepared once into a reference cache shared
by both runs (as on a cluster, where the cache is shared between runs and users).

Timed, for each N: ``snakemake --cores 2 results/function/module_scores.tsv`` (reads -> QC ->
DADA2 -> taxonomy -> functional prediction -> module scores) in a fresh working directory.
Measured: wall time, and the peak RSS of any rule (``max_rss`` of the ``benchmark:`` files under
results/benchmarks/) and of the Snakemake process tree (``wait4`` rusage: Snakemake itself and
every job it ran, whichever peaked highest).
Prints ``scale: samples=N wall_s=W peak_rss_mb=M per_sample_s=P``.

Then a dry run (``snakemake -n``, default target, every report included) of a 1,000-sample
sheet whose rows point at the same few FASTQ files under different sample IDs, timed, printing
``dag: samples=1000 dry_run_s=D`` as the last line.

Targets: per-sample cost at 100 <= at 10, D <= 30 s, peak RSS <= 4 GB at 100 samples.
Options: ``--pairs``, ``--samples 10 100``, ``--dag-samples 1000``, ``--skip-runs`` (dry run only).
Scratch: benchmarks/output/scale/ (git-ignored).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import yaml
from _common import REPO, output_dir, result_line

BIN = Path(sys.executable).parent
TARGET = "results/function/module_scores.tsv"
SIMULATE = [sys.executable, "-m", "gutbrain.simulate"]


def tool_env() -> dict[str, str]:
    """Environment with the venv's tools first on PATH and the library importable."""
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(REPO / "workflow" / "scripts")
    return env


def simulate(out: Path, samples: int, pairs: int) -> Path:
    """Simulated dataset (reused when its stamp matches); returns its samples.tsv."""
    subprocess.run(
        [*SIMULATE, "scale", "--out", str(out), "--samples", str(samples), "--pairs", str(pairs)],
        check=True, env=tool_env(), stdout=subprocess.DEVNULL,
    )
    return out / "samples.tsv"


def reference_name() -> str:
    """The taxonomy reference of the shipped config (its cache is warmed untimed)."""
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text())["taxonomy"]["reference"]


def write_config(workdir: Path, sheet: Path, cache: Path) -> Path:
    """The shipped config with this sample sheet and reference cache, written into workdir."""
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["samples"] = str(sheet)
    config["references"]["cache_dir"] = str(cache)
    path = workdir / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def snakemake_cmd(workdir: Path, config: Path, *args: str) -> list[str]:
    """A Snakemake command line for the repository's workflow in workdir."""
    return [
        str(BIN / "snakemake"), "-s", str(REPO / "Snakefile"), "-d", str(workdir),
        "--configfile", str(config), "--cores", "2", "--retries", "0", *args,
    ]


def run_measured(cmd: list[str], log: Path) -> tuple[float, float]:
    """Run cmd (output to log); return (wall seconds, peak RSS MiB of its process tree)."""
    start = time.perf_counter()
    with log.open("w") as handle:
        proc = subprocess.Popen(cmd, cwd=REPO, env=tool_env(), stdout=handle,
                                stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = log.read_text().splitlines()[-40:]
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n" + "\n".join(tail))
    return wall, usage.ru_maxrss / 1024.0  # KiB on Linux


def rule_peaks(workdir: Path) -> pd.Series:
    """Largest max_rss (MiB) per benchmark file under results/benchmarks/ (rule or rule/sample)."""
    peaks = {}
    for path in sorted((workdir / "results" / "benchmarks").rglob("*.tsv")):
        table = pd.read_csv(path, sep="\t")
        rss = pd.to_numeric(table["max_rss"], errors="coerce").max()
        peaks[str(path.relative_to(workdir / "results" / "benchmarks"))] = rss
    return pd.Series(peaks, dtype=float).fillna(0.0)


def scale_run(root: Path, samples: int, pairs: int, cache: Path) -> dict[str, float]:
    """Simulate, warm the reference cache, then time the pipeline to module scores."""
    sheet = simulate(root / f"data_{samples}x{pairs}", samples, pairs)
    workdir = root / f"run_{samples}x{pairs}"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    config = write_config(workdir, sheet, cache)
    subprocess.run(  # untimed: the shared reference cache is built once per cluster, not per run
        snakemake_cmd(workdir, config, f"{cache}/taxonomy/{reference_name()}/dada2.fa.gz"),
        check=True, cwd=REPO, env=tool_env(), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wall, tree_peak = run_measured(snakemake_cmd(workdir, config, TARGET),
                                   root / f"run_{samples}x{pairs}.log")
    peaks = rule_peaks(workdir)
    top = peaks.sort_values(ascending=False).head(3)
    print(f"  {samples} samples: wall {wall:.1f} s; Snakemake process tree peak {tree_peak:.0f} "
          f"MiB; largest rule peaks: "
          + ", ".join(f"{name} {value:.0f} MiB" for name, value in top.items()), flush=True)
    peak = max(tree_peak, float(peaks.max()) if len(peaks) else 0.0)
    figures = {"samples": samples, "wall_s": wall, "peak_rss_mb": peak,
               "per_sample_s": wall / samples}
    result_line("scale", **figures)
    return figures


def dag_run(root: Path, samples: int, source_sheet: Path, cache: Path) -> float:
    """Time ``snakemake -n`` on a sheet of `samples` rows reusing the source sheet's files."""
    src = pd.read_csv(source_sheet, sep="\t", dtype=str, comment="#").fillna("")
    rows = []
    for i in range(samples):
        row = src.iloc[i % len(src)]
        rows.append({
            "sample": f"dag{i + 1:04d}",
            "fq1": str((source_sheet.parent / row["fq1"]).resolve()),
            "fq2": str((source_sheet.parent / row["fq2"]).resolve()) if row["fq2"] else "",
        })
    workdir = root / f"dag_{samples}"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    sheet = workdir / "samples.tsv"
    pd.DataFrame(rows).to_csv(sheet, sep="\t", index=False)
    config = write_config(workdir, sheet, cache)
    wall, _ = run_measured(snakemake_cmd(workdir, config, "-n"), root / f"dag_{samples}.log")
    return wall


def main(argv: list[str] | None = None) -> int:
    """Run the scale runs and the dry run; print their result lines (dag line last)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--dag-samples", type=int, default=1000)
    parser.add_argument("--skip-runs", action="store_true", help="only the dry run")
    args = parser.parse_args(argv)
    for tool in ("Rscript", "vsearch"):
        if shutil.which(tool, path=tool_env()["PATH"]) is None:
            print(f"scale: skipped ({tool} not installed; run make setup)")
            return 0

    root = output_dir("scale")
    cache = root / "cache"
    results = []
    if not args.skip_runs:
        for n in args.samples:
            results.append(scale_run(root, n, args.pairs, cache))
    if len(results) >= 2:
        small, large = results[0], results[-1]
        ok = large["per_sample_s"] <= small["per_sample_s"]
        print(f"  per-sample cost {large['per_sample_s']:.2f} s at {large['samples']} samples vs "
              f"{small['per_sample_s']:.2f} s at {small['samples']}: "
              f"{'target met' if ok else 'TARGET MISSED'}; peak RSS at {large['samples']}: "
              f"{large['peak_rss_mb']:.0f} MiB "
              f"({'target met' if large['peak_rss_mb'] <= 4096 else 'TARGET MISSED'})",
              flush=True)
    source = simulate(root / f"data_{min(args.samples)}x{args.pairs}", min(args.samples),
                      args.pairs)
    dry = dag_run(root, args.dag_samples, source, cache)
    print(f"  dry run of {args.dag_samples} samples: {dry:.1f} s "
          f"({'target met' if dry <= 30 else 'TARGET MISSED'}; log in {root})", flush=True)
    result_line("dag", samples=args.dag_samples, dry_run_s=dry)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
