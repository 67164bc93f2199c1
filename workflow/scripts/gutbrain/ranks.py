"""Taxonomic ranks and rank prefixes, shared by the classifiers' parsers, the genus profiles
and the reports (standard library only, so every step can import it)."""

from __future__ import annotations

import re

RANKS = ("kingdom", "phylum", "class", "order", "family", "genus", "species")
#: A rank prefix as written by SILVA/GTDB/Greengenes (``g__``) or SINTAX (``g:``).
RANK_PREFIX = re.compile(r"^[a-z](?:__|:)")


def strip_rank_prefix(name: str) -> str:
    """A taxon name without its rank prefix (``g__Blautia``, ``g:Blautia`` -> ``Blautia``)."""
    return RANK_PREFIX.sub("", name)
