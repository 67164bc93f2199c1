"""QC verdicts, confidence words, association wording and the plain-language summary.

Everything here is worded from figures and thresholds: the same facts always give the same
text. Predictions from 16S rRNA gene data are called "predicted potential" throughout and are
never presented as a diagnosis or as a measurement of metabolite levels.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from gutbrain.report.settings import Thresholds

FIXED_NOTE = (
    "This is a prediction of genetic potential from 16S rRNA gene data. It is not a diagnosis "
    "and not a measurement of short-chain fatty acid or neurotransmitter levels."
)
GROUP_LEVEL_NOTE = (
    "These are group-level associations reported in published studies of groups of people. "
    "They describe differences between groups on average and say nothing about this person's "
    "health."
)
STATUS_ORDER = {"pass": 0, "warn": 1, "fail": 2}
LEVEL_ORDER = {"high": 0, "moderate": 1, "low": 2}


def worst_status(statuses: Iterable[str]) -> str:
    """The worst of pass / warn / fail (pass when there is nothing to judge)."""
    return max(statuses, key=lambda s: STATUS_ORDER[s], default="pass")


def pct(value: float | None, digits: int = 0) -> str:
    """A fraction as a percentage string ('n/a' when missing)."""
    return "n/a" if value is None else f"{100 * value:.{digits}f}%"


def _check(check: str, label: str, value: float | None, status: str, thresholds_text: str,
           reason: str) -> dict[str, Any]:
    return {"check": check, "label": label, "value": value, "status": status,
            "thresholds": thresholds_text, "reason": reason}


def qc_checks(
    reads_after_qc: int,
    fraction_retained: float | None,
    fraction_predicted: float | None,
    thresholds: Thresholds,
) -> list[dict[str, Any]]:
    """The three QC checks (reads after QC, fraction retained, fraction predicted) with reasons.

    Each check: ``check`` (key), ``label``, ``value``, ``status`` (pass / warn / fail),
    ``thresholds`` (the limits in words) and ``reason``.
    """
    t = thresholds
    checks = []
    limits = f"fail below {t.min_reads_warn:,}; warn below {t.min_reads_pass:,}"
    if reads_after_qc < t.min_reads_warn:
        status = "fail"
        reason = f"{reads_after_qc:,} reads after QC, below the minimum of {t.min_reads_warn:,}"
    elif reads_after_qc < t.min_reads_pass:
        status = "warn"
        reason = (f"{reads_after_qc:,} reads after QC, below the {t.min_reads_pass:,} needed "
                  "to pass")
    else:
        status = "pass"
        reason = f"{reads_after_qc:,} reads after QC (at least {t.min_reads_pass:,})"
    checks.append(_check("min_reads_after_qc", "Reads after QC", reads_after_qc, status, limits,
                         reason))

    limits = f"warn below {pct(t.min_fraction_retained)}; fail at 0%"
    if fraction_retained is None:
        status, reason = "fail", "no input reads, so no fraction retained"
    elif fraction_retained <= 0:
        status, reason = "fail", "no input reads were retained"
    elif fraction_retained < t.min_fraction_retained:
        status = "warn"
        reason = (f"{pct(fraction_retained)} of input reads retained, below "
                  f"{pct(t.min_fraction_retained)}")
    else:
        status = "pass"
        reason = (f"{pct(fraction_retained)} of input reads retained (at least "
                  f"{pct(t.min_fraction_retained)})")
    checks.append(_check("min_fraction_retained", "Fraction of input reads retained",
                         fraction_retained, status, limits, reason))

    limits = f"warn below {pct(t.min_fraction_predicted)}; fail at 0%"
    if fraction_predicted is None:
        status = "fail" if reads_after_qc == 0 else "warn"
        reason = ("no reads, so nothing could be predicted" if reads_after_qc == 0
                  else "no function prediction available for this sample")
    elif fraction_predicted <= 0:
        status, reason = "fail", "no read could be assigned to a reference genome"
    elif fraction_predicted < t.min_fraction_predicted:
        status = "warn"
        reason = (f"{pct(fraction_predicted)} of reads assigned to a reference genome, below "
                  f"{pct(t.min_fraction_predicted)}")
    else:
        status = "pass"
        reason = (f"{pct(fraction_predicted)} of reads assigned to a reference genome (at "
                  f"least {pct(t.min_fraction_predicted)})")
    checks.append(_check("min_fraction_predicted", "Fraction of reads predicted",
                         fraction_predicted, status, limits, reason))
    return checks


def confidence_levels(
    weighted_distance: float | None,
    fraction_predicted: float | None,
    thresholds: Thresholds,
    genomes_per_read: float | None = None,
) -> dict[str, Any]:
    """Confidence words for the distance and the fraction predicted, the overall word, a sentence.

    Returns ``distance_level``, ``predicted_level``, ``overall`` (each ``high``, ``moderate``,
    ``low`` or ``not available``) and ``text``. Genus-profile predictions have no distance:
    their overall word is the fraction predicted's, and the sentence gives the genomes behind
    the profiles (``genomes_per_read``).
    """
    t = thresholds
    if weighted_distance is None:
        distance_level = "not available"
    elif weighted_distance <= t.high_confidence_distance:
        distance_level = "high"
    elif weighted_distance <= t.moderate_confidence_distance:
        distance_level = "moderate"
    else:
        distance_level = "low"
    if fraction_predicted is None:
        predicted_level = "not available"
    elif fraction_predicted >= t.high_confidence_fraction_predicted:
        predicted_level = "high"
    elif fraction_predicted >= t.min_fraction_predicted:
        predicted_level = "moderate"
    else:
        predicted_level = "low"
    if weighted_distance is None and fraction_predicted is not None and (
        genomes_per_read is not None or fraction_predicted == 0
    ):
        overall = predicted_level
        genomes = (
            f" Their profiles average {genomes_per_read:.0f} sequenced genomes per predicted "
            "read (read-weighted)"
            if genomes_per_read is not None
            else ""
        )
        sentence = (
            f"Confidence in the predicted potential is {overall}. {pct(fraction_predicted)} of "
            f"reads belong to genera with a genome-derived profile ({predicted_level}; high at "
            f"or above {pct(t.high_confidence_fraction_predicted)}, moderate at or above "
            f"{pct(t.min_fraction_predicted)}).{genomes}{'.' if genomes else ''} A genus profile "
            "is the mean of its genomes: differences between strains of one genus are not seen, "
            "and reads without a profiled genus are not predicted."
        )
    elif weighted_distance is None or fraction_predicted is None:
        overall = "not available"
        sentence = ("Confidence cannot be stated: no function prediction is available for this "
                    "sample.")
    else:
        overall = max((distance_level, predicted_level), key=lambda lv: LEVEL_ORDER[lv])
        sentence = (
            f"Confidence in the predicted potential is {overall}. The abundance-weighted "
            f"distance from the sample's ASVs to their nearest reference genome is "
            f"{weighted_distance:.3f} ({distance_level}; high at or below "
            f"{t.high_confidence_distance:g}, moderate at or below "
            f"{t.moderate_confidence_distance:g}), and {pct(fraction_predicted)} of reads could "
            f"be assigned to a reference genome ({predicted_level}; high at or above "
            f"{pct(t.high_confidence_fraction_predicted)}, moderate at or above "
            f"{pct(t.min_fraction_predicted)})."
        )
    return {"distance_level": distance_level, "predicted_level": predicted_level,
            "overall": overall, "text": sentence}


def association_statement(taxon: str, direction: str, study: str) -> str:
    """One sentence for a published group-level association, never about the individual."""
    cite = f" ({study})" if study else ""
    key = direction.strip().lower()
    if key in ("depleted", "decreased", "lower"):
        return (f"Lower abundance of {taxon} has been reported in groups of people with "
                f"depression{cite}.")
    if key in ("enriched", "increased", "higher"):
        return (f"Higher abundance of {taxon} has been reported in groups of people with "
                f"depression{cite}.")
    if key == "mixed":
        return (f"Both higher and lower abundance of {taxon} have been reported in groups of "
                f"people with depression{cite}; the evidence is mixed.")
    if key == "associated_with_better_qol":
        return (f"Higher abundance of {taxon} has been associated with better quality-of-life "
                f"scores in groups of people{cite}.")
    if key == "associated_with_worse_qol":
        return (f"{taxon} has been associated with worse quality-of-life scores in groups of "
                f"people{cite}.")
    return (f"{taxon} has been associated with depression-related measures in groups of "
            f"people{cite}.")


def _module_sentence(label: str, modules: list[Mapping[str, Any]]) -> str:
    """One sentence about a compound from its *synthesis* modules only."""
    synthesis = [m for m in modules if m["direction"] == "synthesis"]
    scored = [m for m in synthesis if m["status"] == "scored"]
    if scored:
        best = max(scored, key=lambda m: m["score"])
        contributors = ", ".join(
            f"{c['genus']} ({pct(c['share'])})" for c in best["contributors"] if c["share"]
        )
        extra = f"; main predicted contributors: {contributors}" if contributors else ""
        return (f"{label}: predicted synthesis potential present (module {best['module']}, "
                f"coverage {pct(best['coverage'])}{extra}).")
    if not synthesis:
        return f"{label}: no synthesis module in the catalog."
    if any(m["status"] == "below_coverage" for m in synthesis):
        return f"{label}: the synthesis pathway is only partly present in the predicted genes."
    if all(m["status"] == "not_predictable" for m in synthesis):
        return f"{label}: not predictable from 16S."
    return f"{label}: no predicted synthesis potential."


def _grouped(modules: list[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    out: dict[str, list[Mapping[str, Any]]] = {}
    for m in modules:
        out.setdefault(m["compound_label"], []).append(m)
    return out


def other_directions_sentence(modules: Iterable[Mapping[str, Any]]) -> str:
    """'Predicted potential to degrade GABA; ...' for scored degradation/conversion modules."""
    roles = sorted({m["role"] for m in modules
                    if m["direction"] != "synthesis" and m["status"] == "scored"})
    if not roles:
        return ""
    text = "; ".join(roles)
    return (f"{text[0].upper()}{text[1:]} (degradation or conversion: these modules use the "
            "compound up or turn it into another, they do not make it).")


PANEL_PHRASES = (
    ("present", "predicted synthesis potential present for "),
    ("low", "low predicted synthesis potential for "),
    ("absent", "no predicted synthesis potential for "),
    ("not_measurable", "not measurable with this reference: "),
    ("not_predictable", "not predictable from 16S: "),
)


def neuro_paragraph(panel: Iterable[Mapping[str, Any]],
                    modules: list[Mapping[str, Any]]) -> str:
    """The summary's neuroactive-compound paragraph: synthesis words from the panel, then the
    degradation and conversion modules worded as such ('' when there is nothing to say)."""
    rows = list(panel)
    parts = []
    for potential, phrase in PANEL_PHRASES:
        labels = [r["label"] for r in rows if r["potential"] == potential]
        if labels:
            parts.append(phrase + ", ".join(labels))
    text = ("Neuroactive compounds: " + "; ".join(parts) + ".") if parts else ""
    other = other_directions_sentence(modules)
    return " ".join(t for t in (text, other) if t)


def plain_language_summary(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Plain-language paragraphs from the sample facts, plus the fixed note.

    Returns ``{"paragraphs": [...], "uncertain": [...], "fixed_note": FIXED_NOTE}``.
    """
    qc = facts["qc"]
    sample = facts["sample"]
    paragraphs: list[str] = []
    uncertain: list[str] = []
    if not facts["has_reads"]:
        flag = f" (pipeline flag: {qc['flag']})" if qc["flag"] else ""
        paragraphs.append(
            f"No reads remained for sample {sample} after quality control{flag}, so its "
            "composition and predicted potential could not be estimated. Check the sequencing "
            "of this sample and the read-tracking table."
        )
        return {"paragraphs": paragraphs, "uncertain": uncertain, "fixed_note": FIXED_NOTE}

    verdict = {"pass": "passed", "warn": "passed with warnings", "fail": "failed"}[qc["status"]]
    problems = [c["reason"] for c in qc["checks"] if c["status"] != "pass"]
    text = (f"Sample {sample} {verdict} quality control, with {qc['reads_after_qc']:,} reads "
            f"after QC ({pct(qc['fraction_retained'])} of the input reads).")
    if problems:
        text += " Reasons: " + "; ".join(problems) + "."
    paragraphs.append(text)

    comp = facts["composition"]
    if comp["top_genera"]:
        top = ", ".join(f"{g['genus']} ({pct(g['relative_abundance'])})"
                        for g in comp["top_genera"][:3])
        paragraphs.append(f"The most abundant genera are {top}.")

    scfa = _grouped(facts["scfa"]["modules"])
    if scfa:
        sentences = [_module_sentence(label, mods) for label, mods in scfa.items()]
        other = other_directions_sentence(facts["scfa"]["modules"])
        paragraphs.append(" ".join(["Short-chain fatty acids.", *sentences, *([other] if other
                                                                             else [])]))
    scfa_compounds = {m["compound"] for m in facts["scfa"]["modules"]}
    neuro = neuro_paragraph(
        (r for r in facts["panel"]["compounds"] if r["compound"] not in scfa_compounds),
        facts["neuro"]["modules"])
    if neuro:
        paragraphs.append(neuro)

    n_taxa = len({t["taxon"] for t in facts["taxa_of_interest"]})
    if n_taxa:
        paragraphs.append(
            f"{n_taxa} taxon/taxa present in this sample have published group-level "
            "associations with depression (see Taxa of interest). " + GROUP_LEVEL_NOTE
        )
    paragraphs.append(facts["confidence"]["text"])

    uncertain.append("Functions are inferred from related reference genomes, not measured: "
                     "strains of one genus can differ in the genes they carry, and 16S cannot "
                     "tell them apart.")
    if facts["confidence"]["overall"] in ("low", "not available"):
        uncertain.append("Many reads are far from, or not matched to, any reference genome, so "
                         "these predictions are particularly uncertain.")
    if qc["status"] != "pass":
        uncertain.append("Quality-control warnings or failures make every figure less "
                         "reliable.")
    return {"paragraphs": paragraphs, "uncertain": uncertain, "fixed_note": FIXED_NOTE}
