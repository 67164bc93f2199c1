"""SINTAX against DADA2's naive Bayes in UNOISE3 mode: time of the taxonomy step and genus-level
agreement with the simulator's truth.

Data (set-up, not timed): a simulated V4 run with known truth (``gutbrain.simulate scale``, in
benchmarks/output/datasets/, shared with peers.py): by default 14 samples x 4,000 pairs of 2x250
reads; ``--samples N --pairs P`` for other sizes (e.g. ``--samples 3 --pairs 300`` for a quick
check). Every simulated read comes from an amplicon cut from a sequence of the DADA2 package's
ten_16s.100.fa.gz, whose genus truth.tsv records; the classifiers use the same file as their
reference (``dada2_demo``), so the sources are in the reference: this measures an optimistic
setting (no novel taxa), where disagreements come from identical or near-identical amplicons
of different genera, and from the classifiers' confidence cut-offs.

Run: the pipeline in UNOISE3 mode (``denoise.method: unoise3``, reference cache prepared
beforehand) with both classifiers as targets of one ``snakemake --cores 2`` run:
``results/asv/asv_table.tsv``, ``results/taxonomy/sintax/assignments.tsv`` (vsearch
``--sintax``, cutoff taxonomy.sintax_cutoff) and ``results/taxonomy/dada2/assignments.tsv``
(``assignTaxonomy``, taxonomy.min_boot; R start-up included, as in the pipeline). Both rules
use 2 threads, so they never run at the same time. Times are the ``s`` column of their benchmark
files under results/benchmarks/taxonomy/.

Agreement: each classifier's assignments are normalised as the pipeline's filter_taxonomy rule
does (gutbrain.taxonomy; SINTAX ranks below the cutoff blanked, lineages truncated at the first
unassigned rank). An ASV whose sequence is a simulated amplicon (same ASV ID as in truth.tsv)
is right when its genus equals the truth's, wrong when it names another genus and unassigned
when it has no genus; given as fractions of those ASVs and of their reads. ASVs that match no
simulated amplicon exactly (error variants, chimeras) are counted apart.

Last line: ``taxonomy-speed: samples=N sintax_s=A dada2_s=B sintax_genus_correct=C
dada2_genus_correct=D`` (fractions of ASVs). A default run takes about 3 minutes on 2 idle
cores. Scratch: benchmarks/output/taxonomy_speed/ (git-ignored).
"""

from __future__ import annotations

import argparse
import shutil

import pandas as pd
from _common import (
    dada2_extdata,
    output_dir,
    pipeline_config,
    require_tools,
    result_line,
    rule_times,
    run_measured,
    simulated_run,
    snakemake_cmd,
    write_config,
)

REFERENCE = "dada2_demo"
METHODS = ("sintax", "dada2")


def agreement(taxonomy: pd.DataFrame, reads: pd.Series, truth: dict[str, str]) -> dict:
    """Right / wrong / unassigned genus fractions of ASVs and reads with a known source."""
    genus = taxonomy.set_index("asv_id")["genus"].fillna("").astype(str).str.strip()
    known = [a for a in genus.index if a in truth]
    verdict = pd.Series(
        ["unassigned" if not genus[a] else "right" if genus[a] == truth[a] else "wrong"
         for a in known], index=known, dtype=str)
    weights = reads.reindex(known).fillna(0)
    out = {"asvs": len(genus), "known": len(known),
           "unknown_reads": float(1 - weights.sum() / reads.sum()) if reads.sum() else 0.0}
    for kind in ("right", "wrong", "unassigned"):
        out[f"{kind}_asvs"] = float((verdict == kind).mean()) if known else 0.0
        out[f"{kind}_reads"] = (float(weights[verdict == kind].sum() / weights.sum())
                                if weights.sum() else 0.0)
    wrong = [(a, genus[a], truth[a]) for a in known if verdict[a] == "wrong"]
    out["examples"] = wrong[:5]
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline to both classifiers' assignments; print times and agreement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=14)
    parser.add_argument("--pairs", type=int, default=4000)
    args = parser.parse_args(argv)
    require_tools("taxonomy-speed", "Rscript", "vsearch", "cutadapt", "snakemake")
    dada2_extdata("taxonomy-speed")

    from gutbrain.asv import read_asv_table
    from gutbrain.taxonomy import filter_taxonomy

    sheet = simulated_run(args.samples, args.pairs)
    root = output_dir("taxonomy_speed")
    cache = root / "cache"
    workdir = root / f"run_{args.samples}x{args.pairs}"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    config_path = write_config(workdir, sheet, cache, denoise={"method": "unoise3"})
    config = pipeline_config(sheet, cache, denoise={"method": "unoise3"})
    run_measured(  # set-up: the shared reference cache
        snakemake_cmd(workdir, config_path, f"{cache}/taxonomy/{REFERENCE}/dada2.fa.gz"),
        root / "cache_setup.log")
    targets = ["results/asv/asv_table.tsv",
               *(f"results/taxonomy/{m}/assignments.tsv" for m in METHODS)]
    wall, _ = run_measured(snakemake_cmd(workdir, config_path, *targets), root / "run.log")
    times = rule_times(workdir)
    seconds = {m: times[f"taxonomy/{m}_assign_taxonomy"] for m in METHODS}
    r_start, _ = run_measured(
        ["Rscript", "-e", "suppressPackageStartupMessages(library(dada2))"],
        root / "r_startup.log")

    truth_table = pd.read_csv(sheet.parent / "truth.tsv", sep="\t", dtype=str)
    truth = dict(zip(truth_table["asv_id"], truth_table["genus"].str.strip(), strict=True))
    table_path = workdir / "results/asv/asv_table.tsv"
    reads = read_asv_table(str(table_path)).sum(axis=1)
    tax = config["taxonomy"]
    results = {}
    for method in METHODS:
        out = root / method
        out.mkdir(exist_ok=True)
        taxonomy = filter_taxonomy(
            str(workdir / f"results/taxonomy/{method}/assignments.tsv"), str(table_path), method,
            tax["sintax_cutoff"], tax["remove"], str(out / "asv_taxonomy.tsv"),
            str(out / "asv_table_filtered.tsv"), str(out / "off_target_summary.tsv"))
        results[method] = agreement(taxonomy, reads, truth)

    print(f"data set: {args.samples} samples x {args.pairs} read pairs, UNOISE3 mode, "
          f"reference {REFERENCE}; snakemake run to both classifiers {wall:.1f} s")
    print(f"R start-up with DADA2 loaded (part of the dada2 step): {r_start:.1f} s")
    for method in METHODS:
        r = results[method]
        print(f"  {method:<6s} taxonomy step {seconds[method]:6.1f} s; {r['asvs']} ASVs, "
              f"{r['known']} with a simulated source ({1 - r['unknown_reads']:.1%} of reads)")
        print(f"         genus right {r['right_asvs']:.1%} / wrong {r['wrong_asvs']:.1%} / "
              f"unassigned {r['unassigned_asvs']:.1%} of ASVs; right {r['right_reads']:.1%} / "
              f"wrong {r['wrong_reads']:.1%} / unassigned {r['unassigned_reads']:.1%} of reads")
        for asv, got, want in r["examples"]:
            print(f"         wrong: {asv} {got} (truth {want})")
    result_line("taxonomy-speed", samples=args.samples, sintax_s=round(seconds["sintax"], 1),
                dada2_s=round(seconds["dada2"], 1),
                sintax_genus_correct=round(results["sintax"]["right_asvs"], 3),
                dada2_genus_correct=round(results["dada2"]["right_asvs"], 3))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
