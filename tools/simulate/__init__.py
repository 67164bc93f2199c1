"""Simulated paired-end 16S amplicon reads with known truth.

Real 16S genes are cut to the amplicon between two PCR primers (``gutbrain.primers``), drawn
in known proportions, and turned into Illumina-like read pairs: R1 is forward primer + amplicon,
R2 is reverse primer + reverse complement of the amplicon, both truncated to the read length.
Base calls get a quality from a position-dependent error profile (rising toward the 3' end,
higher for R2, with occasional low-quality tails) and are substituted with exactly the
probability that their Phred score states; rare indels are added on top. Everything is drawn
from a seeded ``numpy.random.Generator``, so the same arguments give identical bytes.

Three datasets are built on this (see docs/simulation.md): a mock community with exact
expected amplicons (``make_mock``), the demo gut cohort (``make_demo``: the DADA2 package's
real example reads plus simulated gut samples described in resources/demo_cohort.yaml) and
scaling datasets for cluster benchmarks (``make_scale``). Run as
``python -m tools.simulate {demo,mock,scale} --out DIR`` from the repository root with
workflow/scripts on PYTHONPATH (a development tool: the pipeline never imports it).

Modules: :mod:`~tools.simulate.error_model` (qualities and substitutions),
:mod:`~tools.simulate.reads` (one sample's read pairs, FASTQ.gz writing),
:mod:`~tools.simulate.references` (reference 16S genes, amplicons, the DADA2 extdata folder),
:mod:`~tools.simulate.dataset_files` (what every dataset folder shares: read paths, truth
table, completion stamp), :mod:`~tools.simulate.mock`, :mod:`~tools.simulate.demo` and
:mod:`~tools.simulate.scale` (the datasets), :mod:`~tools.simulate.cli` (command line).
"""

from __future__ import annotations

from gutbrain.asv import asv_id
from gutbrain.primers import extract_amplicon, reverse_complement

from tools.simulate.cli import main
from tools.simulate.dataset_files import GENERATOR_VERSION, STAMP_NAME, TRUTH_COLUMNS
from tools.simulate.demo import (
    DEFAULT_DEMO_DESIGN,
    DemoDesign,
    DemoSample,
    load_demo_design,
    make_demo,
)
from tools.simulate.error_model import DEFAULT_ERROR_MODEL, ErrorModel, phred_to_prob
from tools.simulate.mock import DADA2_MOCK_GENERA, DEFAULT_ZYMO_FASTA, make_mock, mock_fractions
from tools.simulate.reads import allocate_pairs, simulate_pairs
from tools.simulate.references import (
    TEN_16S,
    Reference,
    amplicons_of,
    dada2_extdata_dir,
    parse_header,
    read_references,
)
from tools.simulate.scale import make_scale

__all__ = [
    "DADA2_MOCK_GENERA", "DEFAULT_DEMO_DESIGN", "DEFAULT_ERROR_MODEL", "DEFAULT_ZYMO_FASTA",
    "GENERATOR_VERSION", "STAMP_NAME", "TEN_16S", "TRUTH_COLUMNS", "DemoDesign", "DemoSample",
    "ErrorModel", "Reference", "allocate_pairs", "amplicons_of", "asv_id", "dada2_extdata_dir",
    "extract_amplicon", "load_demo_design", "main", "make_demo", "make_mock", "make_scale",
    "mock_fractions", "parse_header", "phred_to_prob", "read_references", "reverse_complement",
    "simulate_pairs",
]
