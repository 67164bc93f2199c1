"""DADA2's classifier started before the sequences it classifies exist.

Loading R and DADA2 takes about 6 s, a quarter of a small UNOISE3 run when paid after
denoising. :class:`EarlyClassifier` starts ``dada2_classify_early.R`` at once, so that the load
overlaps the caller's work (vsearch's denoising), then hands it the sequences:

    with EarlyClassifier(settings, out, log) as classifier:
        sequences = denoise()               # R loads meanwhile
        classifier.classify(sequences)      # writes ``out``

Leaving the block without :meth:`EarlyClassifier.classify` (an error while denoising) stops
the R process without classifying. R's messages are copied into ``log`` when it ends. The
classification is the one of ``dada2_classify.R`` (as in the DADA2 denoising job): a table of
one row per sequence, ranks and ``boot_<rank>`` columns.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

#: The R side, beside this package in workflow/scripts/.
SCRIPT = Path(__file__).resolve().parents[1] / "dada2_classify_early.R"


@dataclass(frozen=True)
class Dada2Settings:
    """The classifier's reference and settings (config keys taxonomy.*, including taxonomy.seed)."""

    reference: str
    species: str  # "" when the reference has no species file
    min_boot: int
    seed: int
    threads: int


class EarlyClassifier:
    """An ``Rscript`` process that loads DADA2 now and classifies when given sequences."""

    def __init__(
        self, settings: Dada2Settings, out: str, log, script: str | os.PathLike[str] = SCRIPT
    ):
        self.script = Path(script)
        self.settings = settings
        self.out = out
        self.log = log
        self._proc: subprocess.Popen | None = None

    def __enter__(self) -> EarlyClassifier:
        Path(self.out).parent.mkdir(parents=True, exist_ok=True)
        # Scratch beside the output: the finished table is renamed into place.
        self._tmp = tempfile.TemporaryDirectory(dir=Path(self.out).parent)
        folder = Path(self._tmp.name)
        self._sequences = folder / "sequences.txt"
        self._messages = folder / "messages.txt"
        self._table = folder / "taxonomy.tsv"
        try:
            with self._messages.open("w", encoding="utf-8") as messages:
                self._proc = subprocess.Popen(
                    self._command(),
                    stdin=subprocess.PIPE,
                    stdout=messages,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
        except FileNotFoundError:
            self._tmp.cleanup()
            raise RuntimeError(
                "Rscript not found: DADA2 taxonomy (taxonomy.method: dada2) needs R with the "
                "dada2 package (Debian: apt-get install r-bioc-dada2; conda: envs/unoise.yaml), "
                "or choose taxonomy.method: sintax"
            ) from None
        except BaseException:
            self._tmp.cleanup()
            raise
        return self

    def _command(self) -> list[str]:
        s = self.settings
        return [
            "Rscript",
            str(self.script),
            str(self._sequences),
            s.reference,
            s.species,
            str(s.min_boot),
            str(s.threads),
            str(s.seed),
            str(self._table),
        ]

    def classify(self, sequences: Iterable[str]) -> None:
        """Classify ``sequences`` and write the table to ``out``; RuntimeError (with R's last
        messages) when R fails."""
        assert self._proc is not None, "use EarlyClassifier in a with block"
        self._sequences.write_text("".join(f"{seq}\n" for seq in sequences), encoding="utf-8")
        status = self._finish("go\n")
        if status != 0:
            tail = "\n".join(self._read_messages().splitlines()[-10:])
            raise RuntimeError(
                f"DADA2 classification failed (Rscript {self.script.name}, exit status "
                f"{status}; reference {self.settings.reference}):\n{tail}"
            )
        os.replace(self._table, self.out)  # same folder: the table appears whole or not at all

    def _finish(self, signal: str) -> int:
        """Send ``signal`` to R, wait for it to end, copy its messages into the log."""
        proc = self._proc
        self._proc = None
        try:
            proc.stdin.write(signal)
            proc.stdin.close()
        except BrokenPipeError:  # R ended early (failed to load): its status says why
            pass
        status = proc.wait()
        self.log.write("$ " + " ".join(proc.args) + "\n" + self._read_messages())
        self.log.flush()
        return status

    def _read_messages(self) -> str:
        return self._messages.read_text(encoding="utf-8", errors="replace")

    def __exit__(self, *exc) -> None:
        try:
            if self._proc is not None:  # classify() was not reached: stop R unclassified
                self._finish("stop\n")
        finally:
            self._tmp.cleanup()
