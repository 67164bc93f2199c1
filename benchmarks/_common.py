"""Helpers shared by the benchmark scripts: paths, skipping, timing, peak memory, result line,
and running the pipeline (simulated runs, configs, Snakemake command lines, per-rule benchmark
files) and its bare DADA2 counterpart.

Each benchmark prints its figures as its last line, ``name: key=value key=value ...``, and
exits 0 with a line saying why when the shared data it needs is absent.
"""

from __future__ import annotations

import copy
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
OUTPUT = REPO / "benchmarks" / "output"
#: Folder of the venv's (or the current interpreter's) tools: snakemake, cutadapt, qiime shims.
BIN = Path(sys.executable).parent

sys.path.insert(0, str(REPO / "workflow" / "scripts"))
sys.path.insert(0, str(REPO))  # tools: simulate, snakemake_run

from tools.snakemake_run import snakemake_cmd  # noqa: E402 (after the path set-up)

__all__ = ["snakemake_cmd"]


def output_dir(name: str) -> Path:
    """Scratch folder ``benchmarks/output/<name>`` (git-ignored), created if needed."""
    path = OUTPUT / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def require_shared(*relative: str, name: str) -> Path:
    """Return the shared data folder; print a skip line and exit 0 if a needed file is absent."""
    for rel in relative:
        if not (SHARED_DATA / rel).exists():
            print(f"{name}: skipped (shared data {SHARED_DATA / rel} not found)")
            raise SystemExit(0)
    return SHARED_DATA


def peak_rss_mb() -> dict[str, float]:
    """Peak resident memory in MiB: this process, its largest waited-for child, and their sum.

    ``ru_maxrss`` is in KiB on Linux. The sum is an upper bound on the combined peak (the
    child and this process need not peak at the same time).
    """
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    return {"self": own, "children": child, "total": own + child}


class Stopwatch:
    """Collects named wall-clock intervals (seconds)."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self.peaks: dict[str, float] = {}

    @contextmanager
    def lap(self, name: str) -> Iterator[None]:
        """Time the block and record it under ``name`` (added to an existing lap)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.laps[name] = self.laps.get(name, 0.0) + time.perf_counter() - start
            self.peaks[name] = peak_rss_mb()["self"]

    @property
    def total(self) -> float:
        """Sum of all laps."""
        return sum(self.laps.values())

    def report(self) -> str:
        """One line per lap (seconds, and this process's peak RSS so far), for printing."""
        return "\n".join(
            f"  {k:<24s} {v:8.2f} s   peak self RSS so far {self.peaks.get(k, 0):7.0f} MiB"
            for k, v in self.laps.items()
        )


def fmt(value: float) -> str:
    """Compact number formatting for result lines."""
    if isinstance(value, int):
        return str(value)
    return f"{value:.4g}"


def result_line(name: str, **figures: float | int | str) -> str:
    """Format and print the final ``name: key=value ...`` line; return it."""
    parts = [f"{k}={v if isinstance(v, str) else fmt(v)}" for k, v in figures.items()]
    line = f"{name}: " + " ".join(parts)
    print(line, flush=True)
    return line


# --------------------------------------------------------------------------- running the pipeline


def tool_env() -> dict[str, str]:
    """Environment with the venv's tools (snakemake, cutadapt) first on PATH and the library
    importable."""
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "workflow" / "scripts"), str(REPO)])
    return env


def require_tools(name: str, *tools: str) -> None:
    """Print a skip line and exit 0 when one of the command-line tools is not on PATH."""
    for tool in tools:
        if shutil.which(tool, path=tool_env()["PATH"]) is None:
            print(f"{name}: skipped ({tool} not installed; run make setup)")
            raise SystemExit(0)


def dada2_extdata(name: str) -> Path:
    """The DADA2 package's extdata folder; exit 0 with a skip line when R or DADA2 is missing."""
    from gutbrain.errors import InputError

    from tools.simulate import dada2_extdata_dir as lookup

    try:
        return lookup()
    except InputError as err:
        print(f"{name}: skipped ({err})")
        raise SystemExit(0) from None


def simulated_run(samples: int, pairs: int) -> Path:
    """Simulated V4 run of ``samples`` x ``pairs`` 2x250 read pairs (``tools.simulate scale``,
    with truth.tsv) in benchmarks/output/datasets/, reused when its stamp matches; returns its
    samples.tsv. The same folder serves every benchmark asking for the same size."""
    out = OUTPUT / "datasets" / f"scale_{samples}x{pairs}"
    subprocess.run(
        [sys.executable, "-m", "tools.simulate", "scale", "--out", str(out),
         "--samples", str(samples), "--pairs", str(pairs)],
        check=True, env=tool_env(), stdout=subprocess.DEVNULL,
    )
    return out / "samples.tsv"


def pipeline_config(sheet: Path | None, cache: Path, **sections: Mapping) -> dict:
    """config/config.yaml with this sample sheet (None: no sheet, as when starting from an ASV
    table) and reference cache; ``sections`` update keys of a section, e.g.
    ``denoise={"method": "unoise3"}``."""
    import yaml

    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
    config = copy.deepcopy(config)
    config["samples"] = "" if sheet is None else str(sheet)
    config["references"]["cache_dir"] = str(cache)
    for section, values in sections.items():
        config[section].update(values)
    return config


def write_config(workdir: Path, sheet: Path | None, cache: Path, **sections: Mapping) -> Path:
    """Write :func:`pipeline_config` as workdir/config.yaml; return its path."""
    import yaml

    path = workdir / "config.yaml"
    config = pipeline_config(sheet, cache, **sections)
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def run_measured(
    cmd: Sequence[str], log: Path, *, cwd: Path = REPO, env: Mapping[str, str] | None = None
) -> tuple[float, float]:
    """Run cmd (stdout and stderr to log); return (wall seconds, peak RSS MiB of its process
    tree: the largest ``ru_maxrss`` of the command and every descendant it waited for).
    Exits with the log's tail when the command fails."""
    start = time.perf_counter()
    with log.open("w") as handle:
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=dict(env or tool_env()), stdout=handle,
                                stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = log.read_text().splitlines()[-40:]
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n" + "\n".join(tail))
    return wall, usage.ru_maxrss / 1024.0  # KiB on Linux


def benchmark_files(workdir: Path) -> dict[str, Path]:
    """The pipeline's per-rule benchmark files, keyed ``rule`` or ``rule/sample``."""
    root = workdir / "results" / "benchmarks"
    return {str(p.relative_to(root).with_suffix("")): p for p in sorted(root.rglob("*.tsv"))}


def rule_times(workdir: Path) -> dict[str, float]:
    """Seconds per rule from the pipeline's benchmark files (results/benchmarks/...)."""
    import pandas as pd

    return {key: float(pd.read_csv(path, sep="\t")["s"].iloc[0])
            for key, path in benchmark_files(workdir).items()}


def rule_peaks(workdir: Path) -> dict[str, float]:
    """Largest max_rss (MiB) per benchmark file under results/benchmarks/ (rule or rule/sample)."""
    import pandas as pd

    peaks = {}
    for key, path in benchmark_files(workdir).items():
        rss = pd.to_numeric(pd.read_csv(path, sep="\t")["max_rss"], errors="coerce").max()
        peaks[key] = 0.0 if pd.isna(rss) else float(rss)
    return peaks


def bare_dada2_script(
    config: Mapping,
    fwd: Sequence[Path],
    rev: Sequence[Path],
    samples: Sequence[str],
    reference: Path,
    out: Path,
    trim_left: tuple[int, int] = (0, 0),
) -> str:
    """The pipeline's DADA2 steps in one R session (text of an R script): filterAndTrim,
    learnErrors, dada, mergePairs, removeBimeraDenovo, assignTaxonomy, with the parameters of
    ``config`` (denoise.trunc_len, qc.max_ee, qc.trunc_q, qc.min_len, denoise.min_overlap,
    denoise.seed, taxonomy.min_boot, taxonomy.seed). ``trim_left`` removes fixed-length
    primers from the read starts in filterAndTrim (truncation lengths then count after the
    primer, as in the pipeline, where cutadapt removes the primers first). Prints ``asvs: N``
    last."""
    qc, den, tax = config["qc"], config["denoise"], config["taxonomy"]
    trunc = [int(t) + int(left) if int(t) else 0
             for t, left in zip(den["trunc_len"], trim_left, strict=True)]
    r_vec = lambda values: "c(" + ", ".join(str(v) for v in values) + ")"  # noqa: E731
    r_chr = lambda values: "c(" + ", ".join(f'"{v}"' for v in values) + ")"  # noqa: E731
    return f"""# Bare DADA2 run written by benchmarks/_common.py: same reads, parameters and
# reference as the pipeline's DADA2 mode, in one R session.
suppressPackageStartupMessages(library(dada2))
set.seed({int(den["seed"])})
threads <- 2L
samples <- {r_chr(samples)}
fwd <- {r_chr(fwd)}
rev <- {r_chr(rev)}
filt_f <- file.path("{out}", "filtered", paste0(samples, "_R1.filt.fastq.gz"))
filt_r <- file.path("{out}", "filtered", paste0(samples, "_R2.filt.fastq.gz"))
names(filt_f) <- samples
names(filt_r) <- samples
filt <- filterAndTrim(fwd, filt_f, rev, filt_r, truncLen = {r_vec(trunc)},
  trimLeft = {r_vec(trim_left)}, maxEE = {r_vec(qc["max_ee"])}, truncQ = {int(qc["trunc_q"])},
  minLen = {int(qc["min_len"])}, maxN = 0, rm.phix = TRUE, compress = TRUE,
  multithread = threads)
err_f <- learnErrors(filt_f, multithread = threads, randomize = FALSE, nbases = 1e8)
err_r <- learnErrors(filt_r, multithread = threads, randomize = FALSE, nbases = 1e8)
dd_f <- dada(filt_f, err = err_f, pool = FALSE, multithread = threads)
dd_r <- dada(filt_r, err = err_r, pool = FALSE, multithread = threads)
merged <- mergePairs(dd_f, filt_f, dd_r, filt_r, minOverlap = {int(den["min_overlap"])})
seqtab <- makeSequenceTable(merged)
seqtab <- removeBimeraDenovo(seqtab, method = "consensus", multithread = threads)
set.seed({int(tax["seed"])})
tax <- assignTaxonomy(colnames(seqtab), "{reference}", minBoot = {int(tax["min_boot"])},
  outputBootstraps = TRUE, multithread = threads)
write.table(t(seqtab), file.path("{out}", "bare_seqtab.tsv"), sep = "\\t", quote = FALSE)
write.table(tax$tax, file.path("{out}", "bare_taxonomy.tsv"), sep = "\\t", quote = FALSE)
cat("asvs:", ncol(seqtab), "\\n")
"""
