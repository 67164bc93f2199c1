"""Helpers shared by the benchmark scripts: paths, skipping, timing, peak memory, result line.

Each benchmark prints its figures as its last line, ``name: key=value key=value ...``, and
exits 0 with a line saying why when the shared data it needs is absent.
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
OUTPUT = REPO / "benchmarks" / "output"

sys.path.insert(0, str(REPO / "workflow" / "scripts"))


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
