"""Overhead of the pipeline over a bare DADA2 R script, on the demo reads.

Reads: the demo (``python -m tools.simulate demo``): the DADA2 package's real sam1/sam2 reads
and ten simulated gut samples (12 samples, 43,000 read pairs). With ``--reads dada2`` only the real
sam1/sam2 (3,000 pairs), where fixed start-up costs dominate. Both sides use the parameters of
config/config.yaml (denoise.trunc_len, qc.max_ee, qc.trunc_q, qc.min_len, denoise.min_overlap,
denoise.seed, taxonomy.min_boot, taxonomy.seed) and the same prepared reference from the
pipeline's cache (``dada2.fa.gz`` of ``dada2_demo``).

Setup (not timed): the reference is prepared once into benchmarks/output/overhead/cache by the
pipeline itself, and the primers are removed once by the pipeline's cutadapt rule for the bare
script's input (the bare side gets primer removal for free, so the ratio errs against the
pipeline); the working folder is then emptied.

Timed, in the same benchmark run:
- pipeline: ``snakemake`` (start-up included) from a clean working folder, DADA2 mode, the
  shipped primer setting, targets results/asv/asv_table.tsv and results/taxonomy/asv_taxonomy.tsv
  (read checks, cutadapt, primer checks, DADA2, ASV table, DADA2 taxonomy, off-target filter);
- bare: one ``Rscript`` run of a generated script (benchmarks/output/overhead/bare_dada2.R):
  filterAndTrim, learnErrors, dada, mergePairs, removeBimeraDenovo, assignTaxonomy on the
  primer-trimmed reads.

Printed: the pipeline's per-rule times (its benchmark files), Snakemake's own start-up (a dry
run, and the import of snakemake.cli alone), R start-up with DADA2 loaded, ASV counts of both
sides. Diagnostic (also timed, not in the last line): the pipeline once more with a ``scontrol``
stand-in on PATH that exits at once, because the SLURM executor plugin runs
``scontrol show config`` when Snakemake starts, which waits ~9 s when SLURM is installed but its
controller is not running. Last line:
``overhead: pipeline_s=P bare_s=B ratio=R`` (target R <= 1.5).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import yaml
from _common import (
    REPO,
    bare_dada2_script,
    dada2_extdata,
    output_dir,
    result_line,
    rule_times,
    snakemake_cmd,
    tool_env,
)

TARGETS = ("results/asv/asv_table.tsv", "results/taxonomy/asv_taxonomy.tsv")
REFERENCE = "dada2_demo"


def write_inputs(out: Path, data: Path, reads: str) -> tuple[Path, dict, list[str]]:
    """Write the sample sheet and the pipeline config; return config path, content, samples."""
    if reads == "demo":
        sys.path.insert(0, str(REPO / "workflow" / "scripts"))
        from tools.simulate import make_demo

        sheet = make_demo(out / "demo_data", data)
        samples = list(pd.read_csv(sheet, sep="\t", comment="#", dtype=str)["sample"])
    else:
        samples = ["sam1", "sam2"]
        sheet = out / "samples.tsv"
        rows = ["sample\tfq1\tfq2"] + [
            f"{s}\t{data / f'{s}F.fastq.gz'}\t{data / f'{s}R.fastq.gz'}" for s in samples
        ]
        sheet.write_text("\n".join(rows) + "\n", encoding="utf-8")
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
    config["samples"] = str(sheet)
    if reads != "demo":
        config["qc"]["primers"] = "none"
    config["denoise"]["method"] = "dada2"
    config["taxonomy"]["method"] = "dada2"
    config["taxonomy"]["reference"] = REFERENCE
    config["references"]["cache_dir"] = str(out / "cache")
    path = out / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path, config, samples


def snakemake(workdir: Path, config: Path, *args: str, env: dict | None = None) -> float:
    """Run Snakemake in workdir; return the wall time in seconds (fails loudly on error)."""
    cmd = snakemake_cmd(workdir, config, *args)
    start = time.perf_counter()
    proc = subprocess.run(
        cmd, cwd=workdir, env=env or tool_env(), capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"snakemake failed ({' '.join(args)}):\n{proc.stderr[-4000:]}")
    return elapsed


def no_slurm_env(out: Path) -> dict[str, str]:
    """tool_env() with a stand-in `scontrol` first on PATH that fails at once."""
    shim = out / "no_slurm"
    shim.mkdir(exist_ok=True)
    stub = shim / "scontrol"
    stub.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    stub.chmod(0o755)
    env = tool_env()
    env["PATH"] = f"{shim}{os.pathsep}{env['PATH']}"
    return env


def timed(cmd: list[str], **kwargs) -> tuple[float, subprocess.CompletedProcess]:
    """Run a command; return (wall seconds, completed process)."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)
    return time.perf_counter() - start, proc


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", choices=["demo", "dada2"], default="demo")
    args = parser.parse_args()
    data = dada2_extdata("overhead")
    out = output_dir("overhead")
    config_path, config, samples = write_inputs(out, data, args.reads)
    workdir = out / "pipeline"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir()
    reference = out / "cache" / "taxonomy" / REFERENCE / "dada2.fa.gz"
    trimmed_targets = [f"results/qc/trimmed/{s}_R{r}.fastq.gz" for s in samples for r in (1, 2)]
    # Setup, not compared: the prepared reference, and primer-trimmed reads for the bare script.
    prep_s = snakemake(workdir, config_path, "--notemp", str(reference), *trimmed_targets)
    trimmed = out / "trimmed"
    shutil.rmtree(trimmed, ignore_errors=True)
    shutil.copytree(workdir / "results" / "qc" / "trimmed", trimmed)
    shutil.rmtree(workdir)
    workdir.mkdir()

    dry_s = snakemake(workdir, config_path, "-n", *TARGETS)
    pipeline_s = snakemake(workdir, config_path, *TARGETS)
    pipeline_asvs = len(pd.read_csv(workdir / "results/asv/asv_table.tsv", sep="\t"))

    bare_dir = out / "bare"
    shutil.rmtree(bare_dir, ignore_errors=True)
    bare_dir.mkdir()
    script = out / "bare_dada2.R"
    fwd = [trimmed / f"{s}_R1.fastq.gz" for s in samples]
    rev = [trimmed / f"{s}_R2.fastq.gz" for s in samples]
    script.write_text(
        bare_dada2_script(config, fwd, rev, samples, reference, bare_dir), encoding="utf-8"
    )
    bare_s, proc = timed(["Rscript", str(script)])
    if proc.returncode != 0:
        sys.exit(f"bare R script failed:\n{proc.stderr[-3000:]}")
    bare_asvs = int(proc.stdout.split("asvs:")[-1].split()[0])
    r_load_s, _ = timed(["Rscript", "-e", "suppressPackageStartupMessages(library(dada2))"])
    import_s, _ = timed([sys.executable, "-c", "import snakemake.cli"])
    rules = rule_times(workdir)

    shutil.rmtree(workdir)
    workdir.mkdir()
    no_slurm_s = snakemake(workdir, config_path, *TARGETS, env=no_slurm_env(out))

    print(f"reads: {args.reads} ({len(samples)} samples)")
    print(f"reference preparation and primer trimming (setup, not timed): {prep_s:.1f} s")
    print(f"snakemake dry run (parse, DAG): {dry_s:.1f} s")
    print(f"python -c 'import snakemake.cli': {import_s:.1f} s")
    print(f"R start-up with DADA2 loaded: {r_load_s:.1f} s")
    print(
        f"pipeline with a scontrol stand-in that fails at once: {no_slurm_s:.1f} s "
        f"(ratio {no_slurm_s / bare_s:.2f})"
    )
    print("pipeline per-rule times (benchmark files):")
    for rule, seconds in rules.items():
        print(f"  {rule:<40s} {seconds:7.2f} s")
    print(f"ASVs: pipeline={pipeline_asvs} (after length/abundance filters) bare={bare_asvs}")
    result_line(
        "overhead",
        pipeline_s=round(pipeline_s, 1),
        bare_s=round(bare_s, 1),
        ratio=round(pipeline_s / bare_s, 2),
    )


if __name__ == "__main__":
    main()
