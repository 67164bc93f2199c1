"""One sample's cheap steps in one job: read check, primer removal and UNOISE3 preparation.

Each step alone takes about a second, most of it the start-up of a process; run as separate jobs
they cost a Python start-up, a scheduler slot and (on a cluster) a submission each. Here they
run one after the other in one process:

1. :func:`gutbrain.fastq_checks.check_sample` (the check report; a problem stops the job with an
   :class:`~gutbrain.errors.InputError` naming the sample and file before anything else runs);
2. cutadapt, called in this process (``cutadapt.cli.main``: its text report for MultiQC and
   its JSON report for the read tracking, as the command line writes them);
3. with UNOISE3, :func:`gutbrain.unoise.prepare_sample` (merge, filter, dereplicate; the counts
   are vsearch's own).

Nothing here imports pandas: the tables written are a few lines each.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from .fastq_checks import check_sample
from .unoise import prepare_sample as unoise_prepare


@dataclass(frozen=True)
class UnoiseOutputs:
    """Where the UNOISE3 preparation writes (config key denoise.method: unoise3)."""

    uniques: str
    counts: str
    merge_pairs: bool  # False when mixed single/paired runs denoise R1 only
    min_overlap: int
    max_ee: float
    min_len: int
    trunc_q: int


def run_cutadapt(args: Sequence[str], report: str, log) -> None:
    """Run cutadapt with ``args`` in this process; its text report goes to ``report`` (as
    ``cutadapt ... > report`` would write it), its warnings and errors to ``log``."""
    from cutadapt.cli import main as cutadapt_main

    log.write("$ cutadapt " + " ".join(args) + "\n")
    log.flush()
    root_handlers = logging.root.handlers[:]
    logging.root.handlers.clear()  # cutadapt sets up its logging only when none is set up
    cutadapt_logger = logging.getLogger("cutadapt")
    before = cutadapt_logger.handlers[:]
    stdout, stderr = sys.stdout, sys.stderr
    with open(report, "w", encoding="utf-8") as out:
        sys.stdout, sys.stderr = out, log
        try:
            cutadapt_main(list(args))
        except SystemExit as err:
            if err.code:
                raise RuntimeError(
                    f"cutadapt failed (exit status {err.code}); its messages are above in the log"
                ) from None
        finally:
            sys.stdout, sys.stderr = stdout, stderr
            for handler in cutadapt_logger.handlers[:]:
                if handler not in before:
                    cutadapt_logger.removeHandler(handler)
            logging.root.handlers[:] = root_handlers
    log.flush()


def cutadapt_args(
    primers: Sequence[str],
    min_len: int,
    reads: Sequence[str],
    trimmed: Sequence[str],
    json_report: str,
    threads: int,
) -> list[str]:
    """cutadapt's command line (without the program name) for one sample."""
    args = [*primers, "--minimum-length", str(min_len), "--cores", str(threads)]
    args += ["--json", json_report, "-o", trimmed[0]]
    if len(trimmed) == 2:
        args += ["-p", trimmed[1]]
    return args + list(reads)


def prepare_sample(
    sample: str,
    reads: Sequence[str],
    check_report: str,
    trimmed: Sequence[str] | None,
    cutadapt_json: str,
    cutadapt_report: str,
    *,
    primers: Sequence[str],
    min_len: int,
    unoise: UnoiseOutputs | None,
    threads: int,
    log,
) -> dict[str, int] | None:
    """Check, trim and (UNOISE3) merge/filter/dereplicate one sample; return the UNOISE3 counts.

    ``trimmed`` None (UNOISE3 only): nothing after this job reads the trimmed reads, so they go
    to uncompressed scratch files beside ``cutadapt_json``, removed when the job ends."""
    if trimmed is None and unoise is None:
        raise ValueError("the trimmed reads are needed without UNOISE3: give their paths")
    check_sample(sample, list(reads), check_report)
    log.write(f"read check of sample '{sample}': ok ({check_report})\n")
    beside = Path(cutadapt_json).parent
    scratch = nullcontext(None) if trimmed is not None else tempfile.TemporaryDirectory(dir=beside)
    with scratch as folder:
        if folder is not None:
            trimmed = [str(Path(folder) / f"R{i}.fastq") for i in range(1, len(reads) + 1)]
        run_cutadapt(
            cutadapt_args(primers, min_len, reads, trimmed, cutadapt_json, threads),
            cutadapt_report,
            log,
        )
        if unoise is None:
            return None
        denoise_reads = list(trimmed) if unoise.merge_pairs else list(trimmed[:1])
        return unoise_prepare(
            sample,
            denoise_reads,
            unoise.uniques,
            unoise.counts,
            min_overlap=unoise.min_overlap,
            max_ee=unoise.max_ee,
            min_len=unoise.min_len,
            trunc_q=unoise.trunc_q,
            threads=threads,
            log=log,
        )
