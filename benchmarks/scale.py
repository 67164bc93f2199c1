"""Scaling benchmark of the whole pipeline on 2 cores, and of DAG building for 1,000 samples.

Setup (not timed): simulated V4 read pairs (``python -m tools.simulate scale``) for 10 and
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
Scratch: benchmarks/output/scale/ and the simulated reads in benchmarks/output/datasets/
(git-ignored).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

import pandas as pd
from _common import (
    REPO,
    output_dir,
    require_tools,
    result_line,
    rule_peaks,
    run_measured,
    simulated_run,
    snakemake_cmd,
    tool_env,
    write_config,
)

TARGET = "results/function/module_scores.tsv"


def reference_name() -> str:
    """The taxonomy reference of the shipped config (its cache is warmed untimed)."""
    import yaml

    return yaml.safe_load((REPO / "config" / "config.yaml").read_text())["taxonomy"]["reference"]


def scale_run(root: Path, samples: int, pairs: int, cache: Path) -> dict[str, float]:
    """Simulate, warm the reference cache, then time the pipeline to module scores."""
    sheet = simulated_run(samples, pairs)
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
    peaks = pd.Series(rule_peaks(workdir), dtype=float)
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
    require_tools("scale", "Rscript", "vsearch")

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
    source = simulated_run(min(args.samples), args.pairs)
    dry = dag_run(root, args.dag_samples, source, cache)
    print(f"  dry run of {args.dag_samples} samples: {dry:.1f} s "
          f"({'target met' if dry <= 30 else 'TARGET MISSED'}; log in {root})", flush=True)
    result_line("dag", samples=args.dag_samples, dry_run_s=dry)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
