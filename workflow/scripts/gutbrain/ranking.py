"""Position of one sample among the samples of a run (pure; shared by the route measures and
the report cells)."""

from __future__ import annotations

from collections.abc import Mapping


def mid_rank_percentile(values: Mapping[str, float | None], sample: str) -> float | None:
    """Mid-rank percentile (0-100) of ``sample`` among the samples with a value: the share of
    the others below it, ties counting half; None when it has no value or is alone."""
    known = {s: v for s, v in values.items() if v is not None and v == v}  # v == v: not NaN
    if sample not in known or len(known) < 2:
        return None
    x = known[sample]
    others = [v for s, v in known.items() if s != sample]
    below = sum(v < x for v in others)
    equal = sum(v == x for v in others)
    return 100.0 * (below + 0.5 * equal) / len(others)
