"""The denoise step (``workflow/rules/denoise.smk``): UNOISE3 denoising of the run. DADA2
denoising is an R script (``dada2_denoise.R``); the rule ``build_asv_table`` of the same file,
whose log and benchmark folder is ``asv``, is :mod:`gutbrain.steps.asv` (this module's rule runs in
the vsearch environment, without biom-format)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from gutbrain.early_classifier import Dada2Settings, EarlyClassifier
from gutbrain.io import write_tsv
from gutbrain.unoise import denoise_run


def unoise_denoise(
    sample_uniques: Mapping[str, str],
    out_seqtab: str,
    out_tracking: str,
    *,
    minsize: int,
    alpha: float,
    threads: int,
    log,
    classify: tuple[Dada2Settings, str] | None = None,
) -> pd.DataFrame:
    """Denoise the samples' uniques with UNOISE3 (:func:`gutbrain.unoise.denoise_run`); write
    the sequence table and the per-sample counts; vsearch's output goes to ``log``.

    ``classify`` (settings, output table): with DADA2 taxonomy, the sequences are
    also classified, by an R process started before denoising so that loading DADA2 overlaps
    vsearch's work (:mod:`gutbrain.early_classifier`); the table is keyed by sequence, as the
    DADA2 job's."""
    if classify is None:
        seqtab, tracking = denoise_run(
            sample_uniques, Path(out_seqtab).parent, minsize, alpha, threads, log
        )
    else:
        settings, out_taxonomy = classify
        with EarlyClassifier(settings, out_taxonomy, log) as classifier:
            seqtab, tracking = denoise_run(
                sample_uniques, Path(out_seqtab).parent, minsize, alpha, threads, log
            )
            classifier.classify(seqtab["sequence"])
    write_tsv(seqtab, out_seqtab)
    write_tsv(tracking, out_tracking)
    return seqtab
