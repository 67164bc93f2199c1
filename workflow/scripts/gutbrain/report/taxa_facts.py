"""SCFA producers, marker genes and published taxa of interest in one sample's facts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gutbrain.literature import evidence_label
from gutbrain.ranks import RANKS
from gutbrain.report.cells import clean_taxon, doi_url, num, text
from gutbrain.report.inputs import (
    ReportInputs,
    genus_labels,
    relative_abundance_by,
    sample_counts,
    sample_rows,
)
from gutbrain.report.vocabulary import vocabulary


def _citations(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Distinct (citation, doi) pairs of trait rows as report citations."""
    citations = []
    seen = set()
    for r in rows:
        label = text(r.get("citation", "")) or text(r.get("study", ""))
        doi = text(r.get("doi", ""))
        if (label, doi) in seen or not (label or doi):
            continue
        seen.add((label, doi))
        citations.append({"citation": label or doi, "doi": doi, "url": doi_url(doi)})
    return citations


def _producer(genus: str, rows: list[dict[str, Any]], abundance: float) -> dict[str, Any]:
    """One genus with SCFA traits: direct rows decide; otherwise the rows' evidence labels."""
    labels = [evidence_label(text(r.get("evidence", "")), text(r.get("origin", "")))
              for r in rows]
    direct = [r for r, label in zip(rows, labels, strict=True) if label == "direct"]
    shown = direct or rows
    return {
        "genus": genus,
        "traits": sorted({text(r["trait"]) for r in shown}),
        "relative_abundance": num(abundance),
        "evidence": "direct" if direct else "; ".join(sorted(set(labels))),
        "citations": _citations(shown),
    }


def scfa_producers(inputs: ReportInputs, sample: str) -> tuple[list[dict], list[dict]]:
    """(known producers, other genera): genera of genus_traits.tsv with SCFA traits, split by
    evidence class (see :func:`gutbrain.literature.evidence_label`); most abundant first."""
    if inputs.genus_traits.empty:
        return [], []

    def by_genus() -> list[tuple[str, list[dict]]]:
        traits = inputs.genus_traits
        scfa = tuple(c.lower() for c in vocabulary().scfa)
        traits = traits[[text(t).lower().startswith(scfa) for t in traits["trait"]]]
        return [(str(genus), rows.to_dict("records")) for genus, rows in
                traits.groupby(traits["genus"].map(clean_taxon), sort=True)]

    abundance = relative_abundance_by(inputs, sample, genus_labels(inputs))
    out = [_producer(genus, records, abundance.get(genus, 0.0))
           for genus, records in inputs.view("scfa_traits", by_genus)]
    out.sort(key=lambda p: (-(p["relative_abundance"] or 0.0), p["genus"]))
    return ([p for p in out if p["evidence"] == "direct"],
            [p for p in out if p["evidence"] != "direct"])


def _marker_status(abundance: float | None) -> str:
    """Status of a marker row without a status column (as gutbrain.markers words it)."""
    if abundance is None:
        return "not_measurable"
    return "present" if abundance > 0 else "absent"


def marker_facts(inputs: ReportInputs, sample: str) -> list[dict[str, Any]]:
    table = sample_rows(inputs, "marker_genes", sample)
    out = []
    for r in table.sort_values("marker", kind="mergesort").to_dict("records"):
        notes = inputs.marker_notes.get(text(r["marker"]), {})
        out.append({
            "marker": text(r["marker"]), "kos": text(r["kos"]), "abundance": num(r["abundance"]),
            "status": text(r.get("status", "")) or _marker_status(num(r["abundance"])),
            "top_genera": text(r["top_genera"]),
            "name": text(notes.get("name", "")),
            "proxy": bool(notes.get("proxy", False)),
            "caveat": text(notes.get("caveat", "")),
        })
    return out


def _taxon_present(inputs: ReportInputs, sample: str, taxon: str, rank: str) -> float | None:
    """Relative abundance of a named taxon at a rank in the sample; None if rank is unknown."""
    rank = rank.strip().lower()
    if rank not in RANKS or rank not in inputs.taxonomy.columns:
        return None
    wanted = clean_taxon(taxon)
    tax = inputs.taxonomy

    def asvs() -> set[str]:
        names = inputs.view(("names", rank), lambda: tax[rank].map(clean_taxon))
        if rank == "species" and "genus" in tax.columns:
            genera = inputs.view(("names", "genus"), lambda: tax["genus"].map(clean_taxon))
            binomial = genera + " " + names
            match = (names == wanted) | (binomial == wanted)
        else:
            match = names == wanted
        return set(tax.index[match.to_numpy(dtype=bool)])

    counts = sample_counts(inputs, sample)
    total = counts.sum()
    if total <= 0:
        return 0.0
    matched = inputs.view(("taxon", rank, wanted), asvs)
    if counts.dtype.kind in "iu":
        # Whole read counts: their sum does not depend on the order, so add the matched ones
        # from a per-sample lookup instead of masking the sample's counts for every taxon.
        by_asv = inputs.view(("count_of", sample), lambda: {
            asv: n for asv, n in zip(counts.index.tolist(), counts.tolist(), strict=True) if n})
        return float(sum(by_asv.get(asv, 0) for asv in matched) / int(total))
    hit = counts.index.isin(list(matched))
    return float(counts[hit].sum() / total)


#: Ranks of taxa_of_interest.tsv not shown in sample reports: a community type (enterotype) is a
#: classification of the whole community, which the pipeline does not make, so a finding about
#: "Bacteroides enterotype 2" would wrongly be read as being about Bacteroides abundance.
HIDDEN_RANKS = ("community_type",)


def _linked_genus(record: Mapping[str, Any]) -> str:
    """The genus a finding is shown with: the table's ``genus`` column, else the first word of
    a genus or species name, else '' (the finding is matched at its own rank)."""
    genus = clean_taxon(record.get("genus", ""))
    if genus:
        return genus
    if text(record["rank"]).lower() in ("genus", "species"):
        return clean_taxon(record["taxon"]).split(" ")[0]
    return ""


def _finding(record: Mapping[str, Any], genus: str, abundance: float) -> dict[str, Any]:
    taxon = clean_taxon(record["taxon"])
    direction = text(record["direction"])
    return {
        "taxon": taxon,
        "rank": text(record["rank"]).lower(),
        "genus": genus or taxon,
        "relative_abundance": num(abundance),
        "direction": direction,
        "finding": text(record["finding"]),
        "study": text(record["study"]),
        "doi": text(record["doi"]),
        "url": doi_url(text(record["doi"])),
        "evidence_strength": text(record["evidence_strength"]),
    }


def taxa_of_interest_facts(inputs: ReportInputs, sample: str) -> list[dict[str, Any]]:
    """Findings whose linked genus (or, without one, the taxon at its rank) is in the sample."""
    table = inputs.taxa_of_interest
    if table.empty:
        return []
    out = []
    for r in table.to_dict("records"):
        rank = text(r["rank"]).lower().replace(" ", "_")
        if rank in HIDDEN_RANKS:
            continue
        genus = _linked_genus(r)
        abundance = (_taxon_present(inputs, sample, genus, "genus") if genus
                     else _taxon_present(inputs, sample, text(r["taxon"]), rank))
        if abundance:
            out.append(_finding(r, genus, abundance))
    out.sort(key=lambda t: (-(t["relative_abundance"] or 0.0), t["genus"], t["taxon"],
                            t["study"]))
    return out


DEPRESSION_DIRECTIONS = ("depleted", "enriched", "mixed")


def summarise_taxa(findings: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One line per genus of interest: overall direction across its findings and their count.

    Findings are merged by their linked ``genus`` (the taxon itself when there is none), so a
    family or species finding shown with a genus counts towards it: *Bifidobacterium* depleted
    beside Bifidobacteriaceae enriched is ``mixed``.

    The direction is ``mixed`` when findings about depression disagree (or any says mixed);
    findings about other measures (e.g. quality of life) count only when there is no
    depression finding.
    """
    out: dict[str, dict[str, Any]] = {}
    for f in findings:
        key = f.get("genus") or f["taxon"]
        entry = out.setdefault(key, {"taxon": key, "rank": f["rank"],
                                     "relative_abundance": f["relative_abundance"],
                                     "directions": [], "n_findings": 0})
        if entry["rank"] != f["rank"]:
            entry["rank"] = "genus and related taxa"
        entry["directions"].append(f["direction"].lower())
        entry["n_findings"] += 1
    rows = []
    for entry in out.values():
        directions = entry.pop("directions")
        depression = {d for d in directions if d in DEPRESSION_DIRECTIONS}
        others = sorted({d for d in directions if d not in DEPRESSION_DIRECTIONS})
        if "mixed" in depression or len(depression) > 1:
            overall = "mixed"
        elif depression:
            overall = depression.pop()
        else:
            overall = others[0] if len(others) == 1 else "mixed"
        rows.append({**entry, "direction": overall})
    return rows
