"""SINTAX against DADA2's naive Bayes in UNOISE3 mode: time of the taxonomy step and genus-level
agreement with the simulator's truth.

Data (set-up, not timed): a simulated V4 run with known truth (``tools.simulate scale``, in
benchmarks/output/datasets/, shared with peers.py): by default 14 samples x 4,000 pairs of 2x250
reads; ``--samples N --pairs P`` for other sizes (e.g. ``--samples 3 --pairs 300`` for a quick
check). Every simulated read comes from an amplicon cut from a sequence of the DADA2 package's
ten_16s.100.fa.gz, whose genus truth.tsv records; the classifiers use the same file as their
reference (``dada2_demo``), so the sources are in the reference: an optimistic setting (no
novel strains), where disagreements come from identical or near-identical amplicons of
different genera and from the classifiers' confidence cut-offs. A second run uses a held-out
reference: ten_16s without every sequence that contains a simulated amplicon (a local SINTAX
reference, ``source: local``), as for strains absent from the reference; a genus then can only
be found through its other sequences, and genera left without any are named.

Run: the pipeline in UNOISE3 mode (``denoise.method: unoise3``, reference cache prepared
beforehand), once per classifier (``taxonomy.method``), each ``snakemake --cores 2`` to
``results/asv/asv_table.tsv`` and its ``results/taxonomy/<method>/assignments.tsv``: vsearch
``--sintax`` (cutoff taxonomy.sintax_cutoff) in a rule of its own, or ``assignTaxonomy``
(taxonomy.min_boot) in an R process that the denoising job starts with itself, so that loading
DADA2 overlaps vsearch's work. Times (``s`` column of the benchmark files under
results/benchmarks/): SINTAX, its rule; DADA2, what the denoising job and the ASV table job
(which keys the classifications by ASV ID) take beyond the same jobs in the SINTAX run: the time
the choice adds (a difference of two runs, so it carries the noise of both).

Agreement: each classifier's assignments are normalised as the pipeline's filter_taxonomy rule
does (gutbrain.taxonomy; SINTAX ranks below the cutoff blanked, lineages truncated at the first
unassigned rank). An ASV whose sequence is a simulated amplicon (same ASV ID as in truth.tsv)
is right when its genus equals the truth's, wrong when it names another genus and unassigned
when it has no genus; given as fractions of those ASVs and of their reads. ASVs that match no
simulated amplicon exactly (error variants, chimeras) are counted apart.

Last line: ``taxonomy-speed: samples=N sintax_s=A dada2_s=B sintax_genus_correct=C
dada2_genus_correct=D sintax_held_out_correct=E dada2_held_out_correct=F`` (times and fractions
of ASVs with the full reference; the last two with the held-out one). A default run takes
about 5 minutes on a busy 2-core machine. Scratch: benchmarks/output/taxonomy_speed/ (git-ignored).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

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
TEN_16S = "ten_16s.100.fa.gz"
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


def held_out_reference(extdata: Path, amplicons: list[str], path: Path) -> tuple[int, set[str]]:
    """ten_16s without every sequence that contains a simulated amplicon (the "novel strain"
    setting), gzipped FASTA with its SINTAX headers; returns (sequences removed, genera left)."""
    import dnaio

    removed, genera = 0, set()
    with dnaio.open(extdata / TEN_16S) as reader, dnaio.open(path, mode="w") as writer:
        for rec in reader:
            seq = rec.sequence.upper()
            if any(amp in seq for amp in amplicons):
                removed += 1
                continue
            writer.write(rec)
            if "g:" in rec.name:
                genera.add(rec.name.split("g:")[1].split(",")[0].split(";")[0].strip())
    return removed, genera


def classify_run(root: Path, sheet: Path, cache: Path, reference: str,
                 entry: dict | None = None) -> tuple[dict[str, float], dict[str, Path], Path]:
    """The pipeline in UNOISE3 mode to the ASV table and the assignments, once per classifier.

    Returns the seconds each classifier adds to the run, the assignments files and the ASV
    table (the same in both runs: UNOISE3 is deterministic; checked)."""
    times, files, tables = {}, {}, {}
    for method in METHODS:
        workdir = root / f"run_{reference}_{method}"
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        sections = {"denoise": {"method": "unoise3"},
                    "taxonomy": {"reference": reference, "method": method}}
        if entry:
            refs = pipeline_config(sheet, cache)["references"]
            refs["taxonomy"][reference] = entry
            sections["references"] = refs
        config_path = write_config(workdir, sheet, cache, **sections)
        run_measured(  # set-up: the shared reference cache
            snakemake_cmd(workdir, config_path, f"{cache}/taxonomy/{reference}/dada2.fa.gz"),
            workdir / "cache_setup.log")
        targets = ["results/asv/asv_table.tsv", f"results/taxonomy/{method}/assignments.tsv"]
        run_measured(snakemake_cmd(workdir, config_path, *targets), workdir / "run.log")
        times[method] = rule_times(workdir)
        files[method] = workdir / f"results/taxonomy/{method}/assignments.tsv"
        tables[method] = workdir / "results/asv/asv_table.tsv"
    if tables["sintax"].read_bytes() != tables["dada2"].read_bytes():
        raise SystemExit(f"taxonomy-speed: the two UNOISE3 runs gave different ASV tables: "
                         f"{tables['sintax']} {tables['dada2']}")
    # SINTAX is a rule of its own. DADA2 classifies inside the denoising job (its R process
    # starts with the job) and build_asv_table keys the classifications by ASV ID: its cost is
    # what those two jobs take beyond the same jobs of the SINTAX run.
    seconds = {
        "sintax": times["sintax"]["taxonomy/sintax_assign_taxonomy"],
        "dada2": sum(times["dada2"][job] - times["sintax"][job]
                     for job in ("asv/unoise_denoise", "asv/build_asv_table")),
    }
    return seconds, files, tables["dada2"]


def evaluate(root: Path, label: str, files: dict[str, Path], table: Path, config: dict,
             truth: dict[str, str]) -> dict[str, dict]:
    """Normalise both classifiers' assignments as the pipeline does; agreement with truth."""
    from gutbrain.asv import read_asv_table
    from gutbrain.steps.taxonomy import filter_taxonomy

    reads = read_asv_table(str(table)).sum(axis=1)
    tax = config["taxonomy"]
    results = {}
    for method in METHODS:
        out = root / label / method
        out.mkdir(parents=True, exist_ok=True)
        taxonomy = filter_taxonomy(
            str(files[method]), str(table), method, tax["sintax_cutoff"], tax["remove"],
            str(out / "asv_taxonomy.tsv"), str(out / "asv_table_filtered.tsv"),
            str(out / "off_target_summary.tsv"))
        results[method] = agreement(taxonomy, reads, truth)
    return results


def print_results(title: str, seconds: dict[str, float], results: dict[str, dict]) -> None:
    """Times and right/wrong/unassigned fractions of both classifiers."""
    print(title)
    for method in METHODS:
        r = results[method]
        print(f"  {method:<6s} taxonomy adds {seconds[method]:6.1f} s to the run; "
              f"{r['asvs']} ASVs, {r['known']} with a simulated source "
              f"({1 - r['unknown_reads']:.1%} of reads)")
        print(f"         genus right {r['right_asvs']:.1%} / wrong {r['wrong_asvs']:.1%} / "
              f"unassigned {r['unassigned_asvs']:.1%} of ASVs; right {r['right_reads']:.1%} / "
              f"wrong {r['wrong_reads']:.1%} / unassigned {r['unassigned_reads']:.1%} of reads")
        for asv, got, want in r["examples"]:
            print(f"         wrong: {asv} {got} (truth {want})")


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline to both classifiers' assignments; print times and agreement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=14)
    parser.add_argument("--pairs", type=int, default=4000)
    args = parser.parse_args(argv)
    require_tools("taxonomy-speed", "Rscript", "vsearch", "cutadapt", "snakemake")
    extdata = dada2_extdata("taxonomy-speed")

    sheet = simulated_run(args.samples, args.pairs)
    root = output_dir("taxonomy_speed")
    cache = root / "cache"
    config = pipeline_config(sheet, cache)
    truth_table = pd.read_csv(sheet.parent / "truth.tsv", sep="\t", dtype=str)
    truth = dict(zip(truth_table["asv_id"], truth_table["genus"].str.strip(), strict=True))

    seconds, files, table = classify_run(root, sheet, cache, REFERENCE)
    results = evaluate(root, "full", files, table, config, truth)
    held_out = root / "held_out.fa.gz"
    amplicons = sorted(set(truth_table["sequence"].str.upper()))
    removed, genera = held_out_reference(extdata, amplicons, held_out)
    entry = {"source": "local", "fasta": str(held_out), "format": "sintax",
             "version": "benchmark", "description": "ten_16s without the simulated sources"}
    held_seconds, held_files, held_table = classify_run(root, sheet, cache, "held_out", entry)
    held_results = evaluate(root, "held_out", held_files, held_table, config, truth)
    r_start, _ = run_measured(
        ["Rscript", "-e", "suppressPackageStartupMessages(library(dada2))"],
        root / "r_startup.log")

    print(f"data set: {args.samples} samples x {args.pairs} read pairs, UNOISE3 mode")
    print(f"R start-up with DADA2 loaded (overlaps UNOISE3 in the denoising job): {r_start:.1f} s")
    print_results(f"reference {REFERENCE} (holds the simulated sources):", seconds, results)
    absent = sorted({g for g in truth.values() if g not in genera})
    print_results(f"held-out reference ({removed} sequences containing a simulated amplicon "
                  f"removed; {len(absent)} of {len(set(truth.values()))} true genera left "
                  f"without any sequence{': ' + ', '.join(absent) if absent else ''}):",
                  held_seconds, held_results)
    result_line("taxonomy-speed", samples=args.samples, sintax_s=round(seconds["sintax"], 1),
                dada2_s=round(seconds["dada2"], 1),
                sintax_genus_correct=round(results["sintax"]["right_asvs"], 3),
                dada2_genus_correct=round(results["dada2"]["right_asvs"], 3),
                sintax_held_out_correct=round(held_results["sintax"]["right_asvs"], 3),
                dada2_held_out_correct=round(held_results["dada2"]["right_asvs"], 3))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
