"""Command line: ``python -m tools.simulate {demo,mock,scale} --out DIR``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from gutbrain.errors import InputError

from tools.simulate.demo import DEFAULT_DEMO_DESIGN, make_demo
from tools.simulate.mock import DEFAULT_ZYMO_FASTA, make_mock
from tools.simulate.references import TEN_16S, dada2_extdata_dir
from tools.simulate.scale import make_scale


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tools.simulate",
        description="Simulated 16S amplicon read datasets with known truth.")
    sub = p.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--out", required=True, type=Path, help="output folder")
    common.add_argument("--seed", type=int, default=None, help="random seed")
    common.add_argument("--force", action="store_true", help="rebuild even if complete")
    common.add_argument("--dada2-extdata", type=Path, default=None,
                        help="DADA2 package extdata folder (default: ask Rscript)")
    demo = sub.add_parser("demo", parents=[common], help="demo gut cohort")
    demo.add_argument("--design", type=Path, default=DEFAULT_DEMO_DESIGN)
    demo.add_argument("--pairs", type=int, default=None, help="pairs per simulated sample")
    mock = sub.add_parser("mock", parents=[common], help="mock community")
    mock.add_argument("--source", choices=["zymo", "dada2"], default="zymo")
    mock.add_argument("--zymo-fasta", type=Path, default=None,
                      help=f"Zymo_ASVs.fa (default {DEFAULT_ZYMO_FASTA})")
    mock.add_argument("--samples", type=int, default=3)
    mock.add_argument("--pairs", type=int, default=4000)
    scale = sub.add_parser("scale", parents=[common], help="scaling benchmark dataset")
    scale.add_argument("--samples", type=int, required=True)
    scale.add_argument("--pairs", type=int, required=True)
    scale.add_argument("--reference", type=Path, default=None,
                       help="16S FASTA to draw from (default: DADA2 ten_16s.100.fa.gz)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; prints the path of the dataset's samples.tsv."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            extdata = args.dada2_extdata or dada2_extdata_dir()
            sheet = make_demo(args.out, extdata, args.seed, design=args.design,
                              pairs_per_sample=args.pairs, force=args.force)
        elif args.command == "mock":
            extdata = args.dada2_extdata
            if args.source == "dada2" and extdata is None:
                extdata = dada2_extdata_dir()
            sheet = make_mock(args.out, args.source, zymo_fasta=args.zymo_fasta,
                              dada2_extdata=extdata, n_samples=args.samples,
                              n_pairs=args.pairs, seed=1 if args.seed is None else args.seed,
                              force=args.force)
        else:
            reference = args.reference
            if reference is None:
                reference = (args.dada2_extdata or dada2_extdata_dir()) / TEN_16S
            sheet = make_scale(args.out, args.samples, args.pairs, reference=reference,
                               seed=1 if args.seed is None else args.seed, force=args.force)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(sheet)
    return 0
