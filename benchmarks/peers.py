"""The pipeline side by side with bare DADA2, QIIME 2 and bare vsearch, on the same reads.

Data (set-up, not timed): simulated V4 runs of 2x250 read pairs with primers
(``tools.simulate scale``, shared with benchmarks/scale.py in benchmarks/output/datasets/):
by default both data sets of issue 12: 14 samples x 4,000 pairs (the size of its MiSeq run) and
the 100-sample set of scale.py (100 x 2,000 pairs). ``--samples N [N ...]`` picks the sizes and
``--pairs P`` the pairs per sample (default 4,000 for 14 samples, 2,000 otherwise), e.g.
``--samples 3 --pairs 300`` for a quick check of the whole script.

Set-up, not timed: the pipeline's taxonomy reference cache (``dada2_demo``: the DADA2 package's
ten_16s.100.fa.gz) is prepared once, as on a cluster where the cache is shared; QIIME 2 is
installed from Debian (``q2cli q2-dada2 q2-demux q2-types q2-feature-table
q2-feature-classifier``) when missing and running as root on Debian (otherwise its column is
skipped with the reason: ``qiime2_s=NA``); its naive Bayes classifier is trained
(``fit-classifier-naive-bayes``) on the same ten_16s reference, once, and cached in
benchmarks/output/peers/qiime2_classifier/.

Timed, one after another on the same reads, each from a clean folder (wall clock, and peak RSS
of the largest process of its tree):
- pipeline_dada2: ``snakemake --cores 2`` with the default target (reads -> reports) in DADA2
  mode: read checks, primer removal (cutadapt), primer check, DADA2 (filter, learn errors,
  infer, merge, chimeras) and DADA2 taxonomy in one R session, ASV table/BIOM, off-target
  filter, read tracking, MultiQC, phylogeny (MAFFT, FastTree), diversity, functional prediction
  with the shipped genus profiles, module scores, marker genes, HTML/JSON reports; Snakemake
  start-up included.
- pipeline_unoise3: the same with ``denoise.method: unoise3`` (per-sample vsearch merge, filter,
  dereplication, then UNOISE3, UCHIME3 and mapping; taxonomy still DADA2's naive Bayes).
- bare_dada2: one ``Rscript`` run (the script of benchmarks/_common.py, also used by
  overhead.py): filterAndTrim (primers removed there with ``trimLeft``, truncation lengths
  counted after the primer as in the pipeline), learnErrors, dada, mergePairs,
  removeBimeraDenovo, assignTaxonomy; same parameters and reference as the pipeline.
- qiime2: ``qiime tools import`` (manifest of the raw reads), ``qiime dada2 denoise-paired``
  (primers removed with ``--p-trim-left-f/-r``, same truncation, maxEE, truncQ, overlap,
  consensus chimera removal, 2 threads), ``qiime feature-classifier classify-sklearn`` with the
  cached classifier (1 job, default confidence 0.7). No summaries or visualisations.
- bare_unoise3: one shell script of vsearch commands: per sample ``--fastq_mergepairs`` piped
  into ``--fastq_filter`` (primers stripped from the merged read with ``--fastq_stripleft/right``,
  maxEE = sum of qc.max_ee, truncqual, min length, as the pipeline), then ``--derep_fulllength``
  of the run, ``--cluster_unoise`` (denoise.unoise_minsize, unoise_alpha), ``--uchime3_denovo``
  and ``--usearch_global --otutabout`` (97 %) for the table. No taxonomy (see
  taxonomy_speed.py for SINTAX).

So the pipeline does more than any peer (reports, function, tree, diversity, checks), and the
peers do at least the pipeline's denoising work, primer removal included.

Printed per data set: wall and peak RSS of each side, ASV counts, the pipeline's per-rule times
(benchmark files) summed by rule and the share of the wall they account for, the ratios next to
the targets of issue 12 (14 samples: DADA2 mode <= 1.2x bare DADA2, UNOISE3 mode <= 0.5x
QIIME 2; 100 samples: <= 1.1x and <= 0.3x), and last:
``peers: samples=N pipeline_dada2_s=A bare_dada2_s=B pipeline_unoise3_s=C qiime2_s=D
bare_unoise3_s=E``.

Options: ``--samples``, ``--pairs``, ``--no-qiime2`` (skip the QIIME 2 column). The 14 x 4,000
set took 8 minutes on a busy shared 2-core machine (less on idle cores), plus about 2 minutes
of set-up the first time (QIIME 2 installation, classifier training); the 100 x 2,000 set has
about 3.5 times the reads. ``--samples 14`` runs the first set only. Scratch:
benchmarks/output/peers/ (git-ignored).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

import pandas as pd
from _common import (
    bare_dada2_script,
    dada2_extdata,
    output_dir,
    pipeline_config,
    require_tools,
    result_line,
    rule_peaks,
    rule_times,
    run_measured,
    simulated_run,
    snakemake_cmd,
    write_config,
)

REFERENCE = "dada2_demo"
TEN_16S = "ten_16s.100.fa.gz"
QIIME_PACKAGES = (
    "q2cli", "q2-dada2", "q2-demux", "q2-types", "q2-feature-table", "q2-feature-classifier",
)
#: Targets of issue 12: samples -> (pipeline DADA2 / bare DADA2, pipeline UNOISE3 / QIIME 2).
TARGETS = {14: (1.2, 0.5), 100: (1.1, 0.3)}


# --------------------------------------------------------------------------- set-up


def plain_env() -> dict[str, str]:
    """Environment without the venv on PATH, for Debian's QIIME 2 (system Python)."""
    env = dict(os.environ)
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if p != venv_bin)
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    return env


def ensure_qiime2() -> str | None:
    """Make ``qiime`` usable; return None when it is, else why its column is skipped.

    Installs the Debian packages when missing and running as root on Debian (set-up, not
    timed), then runs ``qiime info`` once so that QIIME 2's plugin cache is built before any
    timed command.
    """
    env = plain_env()
    if shutil.which("qiime", path=env["PATH"]) is None:
        debian = Path("/etc/debian_version").exists() and shutil.which("apt-get")
        if not (debian and os.geteuid() == 0):
            return ("qiime not installed; on Debian as root the benchmark installs "
                    f"{' '.join(QIIME_PACKAGES)} itself")
        print("set-up: installing QIIME 2 from Debian (apt-get) ...", flush=True)
        apt_env = {**env, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=apt_env, check=False,
                       stdout=subprocess.DEVNULL)
        proc = subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *QIIME_PACKAGES],
            env=apt_env, capture_output=True, text=True, check=False,
        )
        if proc.returncode != 0 or shutil.which("qiime", path=env["PATH"]) is None:
            return f"apt-get install of QIIME 2 failed: {proc.stderr.strip()[-300:]}"
    proc = subprocess.run(["qiime", "info"], env=env, capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        return f"'qiime info' failed: {proc.stderr.strip()[-300:]}"
    version = next((line for line in proc.stdout.splitlines() if "QIIME 2 release" in line), "")
    print(f"set-up: {version.strip() or 'QIIME 2 found'}", flush=True)
    return None


def qiime_classifier(root: Path, extdata: Path) -> Path:
    """Naive Bayes classifier trained on ten_16s.100.fa.gz (SINTAX headers) once; cached."""
    from tools.simulate import read_references

    folder = root / "qiime2_classifier"
    classifier = folder / "classifier.qza"
    if classifier.exists():
        return classifier
    folder.mkdir(parents=True, exist_ok=True)
    refs = read_references(extdata / TEN_16S)
    with (folder / "ref_seqs.fasta").open("w") as seqs, (folder / "ref_tax.tsv").open("w") as tax:
        for i, ref in enumerate(refs):
            ident = f"ref{i + 1}"
            seqs.write(f">{ident}\n{ref.sequence}\n")
            ranks = [part.split(":", 1) for part in ref.taxonomy.split(",") if ":" in part]
            tax.write(f"{ident}\t" + "; ".join(f"{k}__{v}" for k, v in ranks) + "\n")
    env = plain_env()
    steps = [
        ["qiime", "tools", "import", "--type", "FeatureData[Sequence]",
         "--input-path", str(folder / "ref_seqs.fasta"), "--output-path", str(folder / "seqs.qza")],
        ["qiime", "tools", "import", "--type", "FeatureData[Taxonomy]",
         "--input-format", "HeaderlessTSVTaxonomyFormat",
         "--input-path", str(folder / "ref_tax.tsv"), "--output-path", str(folder / "tax.qza")],
        ["qiime", "feature-classifier", "fit-classifier-naive-bayes",
         "--i-reference-reads", str(folder / "seqs.qza"),
         "--i-reference-taxonomy", str(folder / "tax.qza"),
         "--o-classifier", str(folder / "training.qza")],
    ]
    print(f"set-up: training the QIIME 2 classifier on {len(refs)} sequences ...", flush=True)
    for cmd in steps:
        wall, _ = run_measured(cmd, folder / "training.log", env=env)
    print(f"set-up: classifier trained in {wall:.0f} s (not timed)", flush=True)
    (folder / "training.qza").rename(classifier)
    return classifier


def warm_cache(root: Path, sheet: Path, cache: Path) -> None:
    """Prepare the taxonomy reference into the shared cache (once; not timed)."""
    workdir = root / "cache_setup"
    workdir.mkdir(parents=True, exist_ok=True)
    config = write_config(workdir, sheet, cache, taxonomy={"reference": REFERENCE})
    run_measured(snakemake_cmd(workdir, config, f"{cache}/taxonomy/{REFERENCE}/dada2.fa.gz"),
                 workdir / "snakemake.log")


def read_sheet(sheet: Path) -> tuple[list[str], list[Path], list[Path]]:
    """Samples and absolute R1/R2 paths of a simulated run's sheet."""
    table = pd.read_csv(sheet, sep="\t", dtype=str, comment="#")
    fq1 = [(sheet.parent / p).resolve() for p in table["fq1"]]
    fq2 = [(sheet.parent / p).resolve() for p in table["fq2"]]
    return list(table["sample"]), fq1, fq2


def fresh(path: Path) -> Path:
    """Empty folder at path."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def primer_lengths() -> tuple[int, int]:
    """Lengths of the V4 primers in the simulated reads (removed by the peers' trimming)."""
    from gutbrain.primers import PRIMER_PRESETS

    fwd, rev = PRIMER_PRESETS["V4"]
    return len(fwd), len(rev)


# --------------------------------------------------------------------------- timed sides


def run_pipeline(root: Path, sheet: Path, cache: Path, method: str) -> dict:
    """The whole pipeline (default target) in DADA2 or UNOISE3 mode, from a clean folder."""
    workdir = fresh(root / f"pipeline_{method}")
    # Every side classifies against the same reference (the DADA2 package's).
    config = write_config(workdir, sheet, cache, denoise={"method": method},
                          taxonomy={"reference": REFERENCE})
    wall, peak = run_measured(snakemake_cmd(workdir, config), workdir / "snakemake.log")
    peaks = rule_peaks(workdir)
    asvs = len(pd.read_csv(workdir / "results/asv/asv_table.tsv", sep="\t"))
    return {"wall": wall, "peak": max([peak, *peaks.values()]), "asvs": asvs,
            "rules": rule_times(workdir)}


def run_bare_dada2(root: Path, sheet: Path, cache: Path) -> dict:
    """One Rscript with the pipeline's DADA2 steps on the raw reads (primers by trimLeft)."""
    out = fresh(root / "bare_dada2")
    samples, fq1, fq2 = read_sheet(sheet)
    config = pipeline_config(sheet, cache)
    reference = cache / "taxonomy" / REFERENCE / "dada2.fa.gz"
    script = out / "bare_dada2.R"
    script.write_text(bare_dada2_script(config, fq1, fq2, samples, reference, out,
                                        trim_left=primer_lengths()), encoding="utf-8")
    wall, peak = run_measured(["Rscript", str(script)], out / "run.log")
    log = (out / "run.log").read_text()
    asvs = int(log.split("asvs:")[-1].split()[0])
    return {"wall": wall, "peak": peak, "asvs": asvs}


def run_qiime2(root: Path, sheet: Path, cache: Path, classifier: Path) -> dict:
    """QIIME 2: import, dada2 denoise-paired, classify-sklearn (one shell script)."""
    out = fresh(root / "qiime2")
    samples, fq1, fq2 = read_sheet(sheet)
    manifest = out / "manifest.tsv"
    rows = ["sample-id\tforward-absolute-filepath\treverse-absolute-filepath"]
    rows += [f"{s}\t{a}\t{b}" for s, a, b in zip(samples, fq1, fq2, strict=True)]
    manifest.write_text("\n".join(rows) + "\n", encoding="utf-8")
    config = pipeline_config(sheet, cache)
    qc, den = config["qc"], config["denoise"]
    left_f, left_r = primer_lengths()
    trunc_f, trunc_r = (int(t) + left if int(t) else 0
                        for t, left in zip(den["trunc_len"], (left_f, left_r), strict=True))
    script = out / "qiime2.sh"
    script.write_text(f"""set -euo pipefail
cd {out}
qiime tools import --type 'SampleData[PairedEndSequencesWithQuality]' \\
  --input-format PairedEndFastqManifestPhred33V2 --input-path manifest.tsv \\
  --output-path demux.qza
qiime dada2 denoise-paired --i-demultiplexed-seqs demux.qza \\
  --p-trim-left-f {left_f} --p-trim-left-r {left_r} \\
  --p-trunc-len-f {trunc_f} --p-trunc-len-r {trunc_r} \\
  --p-max-ee-f {qc["max_ee"][0]} --p-max-ee-r {qc["max_ee"][1]} --p-trunc-q {qc["trunc_q"]} \\
  --p-min-overlap {den["min_overlap"]} --p-pooling-method independent \\
  --p-chimera-method consensus --p-n-threads 2 \\
  --o-table table.qza --o-representative-sequences rep_seqs.qza \\
  --o-denoising-stats stats.qza
qiime feature-classifier classify-sklearn --i-classifier {classifier} \\
  --i-reads rep_seqs.qza --p-n-jobs 1 --o-classification taxonomy.qza
""", encoding="utf-8")
    wall, peak = run_measured(["bash", str(script)], out / "run.log", env=plain_env())
    with zipfile.ZipFile(out / "rep_seqs.qza") as qza:
        name = next(n for n in qza.namelist() if n.endswith("dna-sequences.fasta"))
        asvs = qza.read(name).count(b">")
    return {"wall": wall, "peak": peak, "asvs": asvs}


def run_bare_unoise3(root: Path, sheet: Path, cache: Path) -> dict:
    """Bare vsearch UNOISE3: merge, filter, derep, cluster_unoise, uchime3_denovo, mapping."""
    out = fresh(root / "bare_unoise3")
    samples, fq1, fq2 = read_sheet(sheet)
    config = pipeline_config(sheet, cache)
    qc, den = config["qc"], config["denoise"]
    left, right = primer_lengths()
    merge = "\n".join(
        f"vsearch --quiet --fastq_mergepairs {a} --reverse {b} --fastq_minovlen "
        f"{den['min_overlap']} --fastq_allowmergestagger --threads 2 --fastqout - | "
        f"vsearch --quiet --fastq_filter - --fastq_stripleft {left} --fastq_stripright {right} "
        f"--fastq_maxee {sum(qc['max_ee'])} --fastq_maxns 0 --fastq_minlen {qc['min_len']} "
        f"--fastq_truncqual {qc['trunc_q']} --relabel {s}. --fastaout - >> reads.fasta"
        for s, a, b in zip(samples, fq1, fq2, strict=True)
    )
    script = out / "bare_unoise3.sh"
    script.write_text(f"""set -euo pipefail
cd {out}
: > reads.fasta
{merge}
vsearch --quiet --derep_fulllength reads.fasta --sizeout --output uniques.fasta
vsearch --quiet --cluster_unoise uniques.fasta --minsize {den["unoise_minsize"]} \\
  --unoise_alpha {den["unoise_alpha"]} --sizein --sizeout --threads 2 --relabel Zotu \\
  --centroids zotus.fasta
vsearch --quiet --uchime3_denovo zotus.fasta --nonchimeras nonchim.fasta
vsearch --quiet --usearch_global reads.fasta --db nonchim.fasta --id 0.97 --strand plus \\
  --threads 2 --otutabout table.tsv
""", encoding="utf-8")
    wall, peak = run_measured(["bash", str(script)], out / "run.log")
    asvs = max(0, len((out / "table.tsv").read_text().splitlines()) - 1)
    return {"wall": wall, "peak": peak, "asvs": asvs}


# --------------------------------------------------------------------------- reporting


def by_rule(times: dict[str, float]) -> dict[str, tuple[int, float]]:
    """Per-rule benchmark times summed over samples: rule -> (jobs, seconds)."""
    sums: dict[str, list] = defaultdict(lambda: [0, 0.0])
    for key, seconds in times.items():
        parts = key.split("/")
        rule = "/".join(parts[:-1]) if len(parts) > 2 else key
        sums[rule][0] += 1
        sums[rule][1] += seconds
    return {rule: (int(n), float(s)) for rule, (n, s) in sums.items()}


def print_rules(label: str, side: dict) -> None:
    """The pipeline's per-rule times and the share of the wall time they account for."""
    rules = by_rule(side["rules"])
    total = sum(s for _, s in rules.values())
    print(f"  {label} per-rule times (benchmark files; per-sample rules summed):")
    for rule, (n, seconds) in sorted(rules.items(), key=lambda kv: -kv[1][1]):
        print(f"    {rule:<36s} {seconds:7.1f} s  ({n} job{'s' if n > 1 else ''})")
    rest = side["wall"] - total
    where = ("in Snakemake (every rule has a benchmark file)" if rest >= 0
             else "more than the wall: jobs ran in parallel")
    print(f"    {'sum of benchmark files':<36s} {total:7.1f} s of {side['wall']:.1f} s wall; "
          f"{abs(rest):.1f} s {where}")


def data_set(args: argparse.Namespace, samples: int, extdata: Path, cache: Path,
             classifier: Path | None, qiime_reason: str | None) -> None:
    """Time every side on one simulated run and print its lines (``peers:`` last)."""
    pairs = args.pairs or (4000 if samples == 14 else 2000)
    sheet = simulated_run(samples, pairs)
    root = output_dir(f"peers/run_{samples}x{pairs}")
    warm_cache(root, sheet, cache)
    print(f"data set: {samples} samples x {pairs} read pairs (2x250, V4 primers), {sheet.parent}",
          flush=True)
    sides: dict[str, dict] = {}
    sides["pipeline_dada2"] = run_pipeline(root, sheet, cache, "dada2")
    sides["bare_dada2"] = run_bare_dada2(root, sheet, cache)
    sides["pipeline_unoise3"] = run_pipeline(root, sheet, cache, "unoise3")
    if classifier is not None:
        sides["qiime2"] = run_qiime2(root, sheet, cache, classifier)
    sides["bare_unoise3"] = run_bare_unoise3(root, sheet, cache)

    for name, side in sides.items():
        print(f"  {name:<17s} wall {side['wall']:7.1f} s   peak RSS {side['peak']:7.0f} MiB   "
              f"ASVs {side['asvs']}", flush=True)
    if qiime_reason:
        print(f"  qiime2            skipped: {qiime_reason}")
    print_rules("pipeline_dada2", sides["pipeline_dada2"])
    print_rules("pipeline_unoise3", sides["pipeline_unoise3"])
    target_dada2, target_unoise = TARGETS.get(samples, (None, None))
    ratio = sides["pipeline_dada2"]["wall"] / sides["bare_dada2"]["wall"]
    verdict = (f" (target <= {target_dada2}: {'met' if ratio <= target_dada2 else 'MISSED'})"
               if target_dada2 else "")
    print(f"  ratio pipeline_dada2 / bare_dada2 = {ratio:.2f}{verdict}")
    if "qiime2" in sides:
        ratio = sides["pipeline_unoise3"]["wall"] / sides["qiime2"]["wall"]
        verdict = (f" (target <= {target_unoise}: {'met' if ratio <= target_unoise else 'MISSED'})"
                   if target_unoise else "")
        print(f"  ratio pipeline_unoise3 / qiime2 = {ratio:.2f}{verdict}")
    ratio = sides["pipeline_unoise3"]["wall"] / sides["bare_unoise3"]["wall"]
    print(f"  ratio pipeline_unoise3 / bare_unoise3 = {ratio:.2f}")
    print(f"  per sample: pipeline_dada2 {sides['pipeline_dada2']['wall'] / samples:.2f} s, "
          f"pipeline_unoise3 {sides['pipeline_unoise3']['wall'] / samples:.2f} s", flush=True)
    figures = {name: round(sides[name]["wall"], 1) if name in sides else "NA"
               for name in ("pipeline_dada2", "bare_dada2", "pipeline_unoise3", "qiime2",
                            "bare_unoise3")}
    result_line("peers", samples=samples, **{f"{k}_s": v for k, v in figures.items()})


def main(argv: list[str] | None = None) -> int:
    """Set up once, then time every side on each data set."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, nargs="+", default=[14, 100],
                        help="sample counts of the data sets (default: 14 and 100)")
    parser.add_argument("--pairs", type=int, default=None,
                        help="read pairs per sample (default 4,000 for 14 samples, else 2,000)")
    parser.add_argument("--no-qiime2", action="store_true", help="skip the QIIME 2 column")
    args = parser.parse_args(argv)
    require_tools("peers", "Rscript", "vsearch", "cutadapt", "snakemake")
    extdata = dada2_extdata("peers")
    root = output_dir("peers")
    cache = root / "cache"
    qiime_reason = "--no-qiime2" if args.no_qiime2 else ensure_qiime2()
    classifier = None if qiime_reason else qiime_classifier(root, extdata)
    if qiime_reason:
        print(f"peers: QIIME 2 column skipped ({qiime_reason})", flush=True)
    for samples in args.samples:
        data_set(args, samples, extdata, cache, classifier, qiime_reason)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
