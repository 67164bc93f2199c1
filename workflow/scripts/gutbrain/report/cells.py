"""Cell helpers: numbers rounded for JSON, stripped text, DOI links, genus labels, percentiles."""

from __future__ import annotations

import math
import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

import pandas as pd

from gutbrain.ranking import mid_rank_percentile
from gutbrain.ranks import strip_rank_prefix
from gutbrain.report.vocabulary import vocabulary


def num(value: Any) -> float | None:
    """A finite number rounded to six significant digits, or None for missing values."""
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):
        return None
    return float(f"{number:.6g}")


def integer(value: Any) -> int | None:
    """An integer, or None for missing values."""
    number = num(value)
    return None if number is None else int(round(number))


def text(value: Any) -> str:
    """A cell as stripped text; missing values become ''."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def doi_url(doi: str) -> str | None:
    """``https://doi.org/<doi>`` for a DOI (or a doi.org URL); None when it is not a DOI."""
    doi = text(doi)
    match = re.search(r"(10\.\d{4,9}/\S+)", doi)
    if not match:
        return None
    return "https://doi.org/" + urllib.parse.quote(match.group(1).rstrip(".,;"), safe="/:;()._-")


def clean_taxon(name: Any) -> str:
    return strip_rank_prefix(text(name)).replace("_", " ").strip()


def genus_label(row: Mapping[str, Any]) -> str:
    """The genus of a taxonomy row, or 'Unclassified <lowest assigned rank>' / 'Unassigned'."""
    genus = clean_taxon(row.get("genus", ""))
    if genus:
        return genus
    for rank in ("family", "order", "class", "phylum", "kingdom"):
        name = clean_taxon(row.get(rank, ""))
        if name:
            return f"Unclassified {name}"
    return "Unassigned"


def percentile_in_run(values: Mapping[str, float | None], sample: str) -> float | None:
    """Mid-rank percentile (0-100) of ``sample`` among the samples with a value; None if < 2
    (:func:`gutbrain.ranking.mid_rank_percentile`, rounded for JSON)."""
    return num(mid_rank_percentile(values, sample))


def split_category(category: str) -> tuple[str, str]:
    """``'scfa:butyrate'`` -> ``('scfa', 'butyrate')``; no colon -> ``('other', category)``."""
    group, sep, compound = text(category).partition(":")
    if not sep:
        return "other", group.lower()
    return group.lower(), compound.lower()


def compound_label(compound: str) -> str:
    """Display name of a compound key (``gaba`` -> ``GABA``)."""
    return vocabulary().label(compound)
