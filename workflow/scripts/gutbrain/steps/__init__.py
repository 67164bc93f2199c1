"""The steps layer: what each Snakemake rule does, one module per ``workflow/rules/<step>.smk``.

A steps module reads the rule's input files, calls the pure functions of the domain modules
(data in, data out) and writes the rule's outputs: the file reading and writing of a step is
here. Modules: ``qc``, ``denoise``, ``asv`` (the ASV table rule of ``denoise.smk``, which the
import step shares), ``import_`` (``import.smk``; ``import`` is a keyword), ``taxonomy``,
``references``, ``function``, ``diversity`` and ``report``.

The adapter scripts in ``workflow/scripts/`` start with :func:`configure_logging` and call one
function of a steps module. This package imports nothing heavy (light jobs use it).
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TextIO

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(log_path: str | os.PathLike[str]) -> TextIO:
    """Send everything the job reports to the rule's log file and return the open file.

    The job's stderr (messages printed there, warnings, the traceback of an error) and the
    library's log records (level INFO and above) both go to ``log_path``, which is written anew.
    Steps that run external tools write the tools' output to the returned file.
    """
    # Open for the whole job (as sys.stderr it is closed when the interpreter exits).
    log = open(log_path, "w", encoding="utf-8", errors="backslashreplace")
    sys.stderr = log
    logging.basicConfig(stream=log, level=logging.INFO, format=LOG_FORMAT, force=True)
    return log
