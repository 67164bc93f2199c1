"""The words of the reports, written once from finished facts.

:func:`word_sample_facts` turns one sample's facts (:mod:`gutbrain.report.sample_facts`) into
the per-sample JSON: QC reasons and limits, the confidence sentence, the association statements
of the taxa of interest and the plain-language summary; :func:`word_cohort_facts` adds the
cohort page's note. Verdicts and levels are facts already (:mod:`gutbrain.report.verdicts`);
the limits quoted come from the facts too. The same facts always give the same text.
Predictions from 16S rRNA gene data are called "predicted potential" throughout and are never
presented as a diagnosis or as a measurement of metabolite levels.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from gutbrain.report.settings import LOW_PERCENTILE, MIN_SAMPLES_FOR_LOW
from gutbrain.report.verdicts import profile_based
from gutbrain.report.vocabulary import vocabulary

# ------------------------------------------------------------------ status words

MODULE_STATUS_TEXT = {
    "scored": "scored",
    "below_coverage": "pathway incomplete in the predicted genes (below the coverage threshold)",
    "absent": "no predicted genes for this pathway",
    "required_step_absent": "defining enzyme not predicted (pathway not counted)",
    "not_measurable": "not measurable: the functional reference cannot see these genes",
    "not_predictable": "not predictable from 16S",
}
#: Module directions (catalog key ``direction``) and the verb used for each in the reports.
DIRECTION_VERBS = {"synthesis": "make", "conversion": "convert", "degradation": "degrade"}
DIRECTION_ORDER = {d: i for i, d in enumerate(DIRECTION_VERBS)}
#: Route statuses (gutbrain.routes.sample_route_measures) as the pages word them.
ROUTE_STATUS_TEXT = {
    "present": "present",
    "low": "low",
    "absent": "absent in the genera this reference resolves",
    "unresolved": "cannot be judged (too few predicted cells in genera with enough genomes)",
    "not_measurable": "not measurable with this reference",
    "not_predictable": "not predictable from 16S",
}
POTENTIAL_TEXT = {
    "present": "present",
    "lowest_quarter": "in this run's lowest quarter",
    "incomplete": "incomplete (pathway partly predicted)",
    "absent": "absent",
    "not_measurable": "not measurable",
    "not_predictable": "not predictable from 16S",
}
#: Validation datasets (resources/route_validation.tsv, compare_validation.tsv) as named.
DATASET_LABELS = {"cameroon": "Cameroon stool, 57 samples", "hmp": "HMP, 137 samples"}

PANEL_DEFINITION = (
    "Synthesis potential per compound, from its synthesis modules only (degradation and "
    "conversion modules never count). These gene-level scores follow sequencing depth. present: "
    "a synthesis module is scored; lowest quarter: scored but below the "
    f"{LOW_PERCENTILE:g}th percentile of the samples of this run with a score (when at least "
    f"{MIN_SAMPLES_FOR_LOW} have one); incomplete: the pathway is only partly predicted (below "
    "the coverage threshold); absent: no synthesis pathway predicted (no genes, or its defining "
    "enzyme missing); not measurable: the functional reference cannot see the genes; not "
    "predictable: no bacterial genes define the pathway."
)


def potential_text(potential: str) -> str:
    """The panel word; for the lowest quarter, the percentile it refers to."""
    if potential == "lowest_quarter":
        return f"in this run's lowest quarter (below its {LOW_PERCENTILE:g}th percentile)"
    return POTENTIAL_TEXT[potential]


def diversity_percentile_note(has_value: bool, percentile: float | None, n_with_values: int
                              ) -> str:
    """What a diversity value's percentile in the run means, or why there is none."""
    if not has_value:
        return "not computed for this sample (below the rarefaction depth or no reads)"
    if percentile is None:
        return "n/a: only one sample in this run has diversity values, so no percentile"
    return f"percentile among {n_with_values} samples in this run"


def diversity_note(has_row: bool, below_depth: bool, depth: int | None) -> str:
    """How the sample's diversity values were computed, or why there are none."""
    if not has_row:
        return "No diversity values for this sample"
    if below_depth:
        return (f"This sample has fewer reads than the rarefaction depth ({depth}); "
                "rarefied diversity was not computed")
    return f"Computed on reads rarefied to {depth:,} per sample" if depth else ""

FIXED_NOTE = (
    "This is a prediction of genetic potential from 16S rRNA gene data. It is not a diagnosis "
    "and not a measurement of short-chain fatty acid or neurotransmitter levels."
)
GROUP_LEVEL_NOTE = (
    "These are group-level associations reported in published studies of groups of people. "
    "They describe differences between groups on average and say nothing about this person's "
    "health."
)
QC_LABELS = {
    "min_reads_after_qc": "Reads after QC",
    "min_fraction_retained": "Fraction of input reads retained",
    "min_fraction_predicted": "Fraction of reads predicted",
}


def pct(value: float | None, digits: int = 0) -> str:
    """A fraction as a percentage string ('n/a' when missing)."""
    return "n/a" if value is None else f"{100 * value:.{digits}f}%"


def _reads_words(reads: int, status: str, t: Mapping[str, Any]) -> tuple[str, str]:
    limits = f"fail below {t['min_reads_warn']:,}; warn below {t['min_reads_pass']:,}"
    if status == "fail":
        reason = f"{reads:,} reads after QC, below the minimum of {t['min_reads_warn']:,}"
    elif status == "warn":
        reason = f"{reads:,} reads after QC, below the {t['min_reads_pass']:,} needed to pass"
    else:
        reason = f"{reads:,} reads after QC (at least {t['min_reads_pass']:,})"
    return limits, reason


def _fraction_words(fraction: float | None, status: str, least: float, what: str,
                    missing: str, zero: str) -> tuple[str, str]:
    """Limits and reason of a fraction check: ``missing`` when there is no fraction, ``zero``
    at 0, else the fraction ``what`` against its minimum ``least``."""
    limits = f"warn below {pct(least)}; fail at 0%"
    if fraction is None:
        reason = missing
    elif fraction <= 0:
        reason = zero
    elif status == "warn":
        reason = f"{pct(fraction)} {what}, below {pct(least)}"
    else:
        reason = f"{pct(fraction)} {what} (at least {pct(least)})"
    return limits, reason


def qc_checks(qc: Mapping[str, Any], limits: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The QC checks of a sample's facts (``qc``), worded with the report settings recorded in
    its facts (``limits``, the facts' ``thresholds``).

    Each check: ``check`` (key), ``label``, ``value``, ``status`` (pass / warn / fail),
    ``thresholds`` (the limits in words) and ``reason``.
    """
    reads = qc["reads_after_qc"]
    checks = []
    for c in qc["checks"]:
        if c["check"] == "min_reads_after_qc":
            words = _reads_words(c["value"], c["status"], limits)
        elif c["check"] == "min_fraction_retained":
            words = _fraction_words(c["value"], c["status"], limits["min_fraction_retained"],
                                    "of input reads retained",
                                    "no input reads, so no fraction retained",
                                    "no input reads were retained")
        else:
            words = _fraction_words(c["value"], c["status"], limits["min_fraction_predicted"],
                                    "of reads with a predicted gene content (a reference "
                                    "genome or a profiled genus)",
                                    "no reads, so nothing could be predicted" if reads == 0
                                    else "no function prediction available for this sample",
                                    "no read has a predicted gene content")
        checks.append({"check": c["check"], "label": QC_LABELS[c["check"]], "value": c["value"],
                       "status": c["status"], "thresholds": words[0], "reason": words[1]})
    return checks


def confidence_text(confidence: Mapping[str, Any]) -> str:
    """The confidence sentence of a sample's confidence facts (levels and limits included).

    Genus-profile predictions have no distance: the sentence gives the fraction of reads with
    a profiled genus and the genomes behind the profiles (``genomes_per_read``).
    """
    t = confidence["thresholds"]
    distance = confidence["weighted_distance"]
    predicted = confidence["fraction_reads_predicted"]
    genomes_per_read = confidence["genomes_per_read"]
    overall = confidence["overall"]
    predicted_level = confidence["predicted_level"]
    if profile_based(distance, predicted, genomes_per_read):
        genomes = (
            f" Their profiles average {genomes_per_read:.0f} sequenced genomes per predicted "
            "read (read-weighted)"
            if genomes_per_read is not None
            else ""
        )
        return (
            f"Read coverage of the prediction is {overall}. {pct(predicted)} of "
            f"reads belong to genera with a genome-derived profile ({predicted_level}; high at "
            f"or above {pct(t['predicted_high'])}, moderate at or above "
            f"{pct(t['predicted_moderate'])}).{genomes}{'.' if genomes else ''} A genus profile "
            "is the mean of its genomes: differences between strains of one genus are not seen, "
            "and reads without a profiled genus are not predicted."
        )
    if distance is None or predicted is None:
        return ("Confidence cannot be stated: no function prediction is available for this "
                "sample.")
    return (
        f"Reference coverage of the prediction is {overall}. The abundance-weighted "
        f"distance from the sample's ASVs to their nearest reference genome is "
        f"{distance:.3f} ({confidence['distance_level']}; high at or below "
        f"{t['distance_high']:g}, moderate at or below "
        f"{t['distance_moderate']:g}), and {pct(predicted)} of reads could "
        f"be assigned to a reference genome ({predicted_level}; high at or above "
        f"{pct(t['predicted_high'])}, moderate at or above "
        f"{pct(t['predicted_moderate'])})."
    )


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


def agreement_phrase(agreement: Iterable[Mapping[str, Any]]) -> str:
    """'agreement with metagenomes: rho 0.60 (Cameroon stool, 57 samples)' ('' when none)."""
    agreement = list(agreement)
    parts = [f"rho {a['rho']:.2f} ({a['label']})" for a in agreement if a.get("rho") is not None]
    if not parts and any(a.get("samples") for a in agreement):
        return ("agreement with metagenomes cannot be computed (no genus carrying the whole route "
                "occurred in the validation samples, so the measure was 0 in all)")
    if not parts and agreement:
        return ("agreement with metagenomes cannot be measured (their tables do not report the "
                "route's enzymes)")
    return ("measured agreement of this measure with paired metagenomes: " + ", ".join(parts)
            if parts else "agreement with metagenomes not yet measured")


def agreement_sentence(summary: Iterable[Mapping[str, Any]]) -> str:
    """How well the headline measures agree with metagenomes, per validation cohort ('' when
    not measured): coverage says how much is predicted, this how right it is."""
    parts = [f"{a['median_rho']:.2f} ({a['label']})" for a in summary
             if a.get("median_rho") is not None]
    if not parts:
        return ""
    return ("Coverage is not accuracy: measured against paired shotgun metagenomes, the headline "
            "measures rank people as their metagenomes do with a median Spearman's rho of "
            + " and ".join(parts) + ", screening-level agreement.")


def partial_clause(row: Mapping[str, Any]) -> str:
    """'; ...' naming the cells in genera where only some genomes carry the route ('' when
    they are under half a percent)."""
    share = row.get("partial_share")
    if share is None or share < 0.005:
        return ""
    genera = ", ".join(row.get("partial_genera") or ())
    return (f"; {pct(share)} belong to genera in which only some genomes carry it"
            + (f" ({genera})" if genera else "")
            + ", which genus-level 16S cannot attribute")


def route_sentence(row: Mapping[str, Any]) -> str:
    """One sentence about a compound's first-screen route, from its status and figures."""
    label, status, name = row["label"], row["status"], row["name"]
    if status in ("present", "low"):
        carriers = ", ".join(f"{c['genus']} {pct(c['share'])}" for c in row["contributors"])
        who = f"; carrier genera: {carriers}" if carriers else ""
        return (f"{label}: {pct(row['carrier_share'])} of predicted cells belong to genera whose "
                f"genomes carry the complete route ({name}), {status}{who}{partial_clause(row)}; "
                f"{agreement_phrase(row['agreement'])}.")
    if status == "absent":
        return (f"{label}: no predicted cell belongs to a genus whose genomes carry the complete "
                f"route ({name}) among the {pct(row['fraction_cells_resolved'])} of predicted "
                f"cells this reference resolves{partial_clause(row)}.")
    if status == "unresolved":
        return (f"{label}: cannot be judged; only {pct(row['fraction_cells_resolved'])} of "
                "predicted cells belong to genera with enough sequenced genomes.")
    if status == "not_measurable":
        return f"{label}: not measurable with this reference ({row['invisible']})."
    return f"{label}: not predictable from 16S."


ROUTE_PHRASES = (
    ("present", "predicted potential present for "),
    ("low", "low predicted potential (below the stated share of predicted cells) for "),
    ("absent", "no carrier genus predicted for "),
    ("unresolved", "cannot be judged for "),
    ("not_measurable", "not measurable with this reference: "),
    ("not_predictable", "not predictable from 16S: "),
)


def neuro_route_paragraph(panel: Iterable[Mapping[str, Any]],
                          routes: Iterable[Mapping[str, Any]]) -> str:
    """The summary's neuroactive-compound paragraph from the route panel, then the degradation
    and conversion routes present, worded as such ('' when there is nothing to say)."""
    rows = list(panel)
    parts = []
    for status, phrase in ROUTE_PHRASES:
        items = [r["label"] + (f" ({pct(r['carrier_share'])} of predicted cells)"
                               if r["carrier_share"] is not None and status in ("present", "low")
                               else "") for r in rows if r["status"] == status]
        if items:
            parts.append(phrase + ", ".join(items))
    text = ("Neuroactive compounds: " + "; ".join(parts) + ".") if parts else ""
    other = [r for r in routes if r["direction"] != "synthesis"
             and r["status"] in ("present", "low")]
    if other:
        names = "; ".join(f"{r['name']} ({pct(r['carrier_share'])} of predicted cells)"
                          for r in other)
        text += (f" Also predicted potential to use up or convert: {names} (these routes do not "
                 "make the compound).")
    return text.strip()


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

    routes = facts.get("routes", {})
    panel = routes.get("panel", [])
    scfa_family = vocabulary().scfa_family
    scfa_rows = [r for r in panel if r["family"] == scfa_family]
    if scfa_rows:
        paragraphs.append(" ".join(["Short-chain fatty acids (predicted potential per predicted "
                                    "cell).", *(route_sentence(r) for r in scfa_rows)]))
    neuro = neuro_route_paragraph([r for r in panel if r["family"] != scfa_family],
                                  routes.get("routes", []))
    if neuro:
        paragraphs.append(neuro)

    n_taxa = len({t["taxon"] for t in facts["taxa_of_interest"]})
    if n_taxa:
        paragraphs.append(
            f"{n_taxa} taxon/taxa present in this sample have published group-level "
            "associations with depression (see Taxa of interest). " + GROUP_LEVEL_NOTE
        )
    paragraphs.append(" ".join(t for t in (facts["confidence"]["text"],
                                           agreement_sentence(routes.get("agreement", [])))
                               if t))

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


def _insert_after(mapping: Mapping[str, Any], after: str, key: str, value: Any) -> dict[str, Any]:
    """A copy of ``mapping`` with ``key`` set to ``value`` right after the key ``after``."""
    out: dict[str, Any] = {}
    for k, v in mapping.items():
        out[k] = v
        if k == after:
            out[key] = value
    return out


def word_sample_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    """One sample's finished facts with their words: the per-sample JSON, exactly.

    Adds each QC check's label, limits and reason, the confidence sentence (``confidence.text``),
    each taxon of interest's association ``statement`` and the plain-language ``summary``;
    ``facts`` itself is left as it is.
    """
    worded = dict(facts)
    worded["qc"] = {**facts["qc"], "checks": qc_checks(facts["qc"], facts["thresholds"])}
    worded["confidence"] = _insert_after(facts["confidence"], "overall", "text",
                                         confidence_text(facts["confidence"]))
    worded["taxa_of_interest"] = [
        _insert_after(t, "direction", "statement",
                      association_statement(t["taxon"], t["direction"], t["study"]))
        for t in facts["taxa_of_interest"]
    ]
    worded["summary"] = plain_language_summary(worded)
    return worded


def comparison_sentence(row: Mapping[str, Any], test: str, reference: str) -> str:
    """One significant compound or route difference, framed as predicted potential."""
    higher = (row["effect"] or 0) > 0
    what = (f"predicted potential for {row['label']} ({row['route_name']})"
            if row["family"] == "compounds" else f"predicted carriers of the route {row['label']}")
    drivers = f"; genera behind the difference: {row['drivers']}" if row["drivers"] else ""
    return (f"{what[0].upper()}{what[1:]} {'higher' if higher else 'lower'} in '{test}' than in "
            f"'{reference}': median {pct(row['median_test'], 1)} vs "
            f"{pct(row['median_reference'], 1)} of predicted cells in genera whose genomes "
            f"carry the complete route, q = {row['q']:.2g}{drivers}.")


def comparison_agreement(agreement: Sequence[Mapping[str, Any]]) -> str:
    """How far such differences agree with metagenomes (measured against shuffled labels), or
    that this has not been measured."""
    measured = [a for a in agreement if a.get("effect_rho") is not None
                and a.get("effect_rho_null95") is not None]
    if not measured:
        return ("How well such group differences agree with metagenomes has not been measured "
                "for this reference.")
    beyond = [a for a in measured if a["effect_rho"] > a["effect_rho_null95"]]
    signs = [a for a in measured if a.get("sign_agree") is not None
             and a["sign_agree"] > a["sign_agree_null95"]]
    figures = "; ".join(f"{a['dataset']} {a['contrast']}: effect rho {a['effect_rho']:.2f} "
                        f"against {a['effect_rho_null95']:.2f} with shuffled labels"
                        for a in measured)
    return (f"Measured against paired shotgun metagenomes (benchmarks/compare_vs_metagenome.py), "
            f"predicted group differences followed the metagenomes' differences more closely "
            f"than under shuffled labels in {len(beyond)} of {len(measured)} validation "
            f"contrasts ({figures}), and matched the direction of the largest metagenome "
            f"differences better than shuffled labels in {len(signs)} of {len(measured)}. Read "
            "these differences as hypotheses to test, not as findings.")


def word_comparisons(comparisons: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each contrast with its sentences: the significant compound differences, the further
    routes that differ, or that nothing differs."""
    out = []
    for c in comparisons:
        sentences = [comparison_sentence(r, c["test"], c["reference"]) for r in c["significant"]]
        routes = c.get("routes_significant", [])
        if routes:
            parts = ", ".join(f"{r['label']} ({r['effect'] * 100:+.1f} pp, q = {r['q']:.2g})"
                              for r in routes)
            sentences.append(f"Further routes whose predicted carriers differ ('{c['test']}' "
                             f"minus '{c['reference']}'): {parts}.")
        if not sentences:
            sentences = [f"No compound or route differs between '{c['test']}' and "
                         f"'{c['reference']}' at the configured false discovery rate "
                         f"({c['n_test']} vs {c['n_reference']} samples). This is not evidence "
                         "that the groups' predicted potential is the same: small groups "
                         "detect only large differences."]
        out.append({**c, "sentences": sentences,
                    "agreement_text": comparison_agreement(c["agreement"])})
    return out


def word_cohort_facts(cohort: Mapping[str, Any]) -> dict[str, Any]:
    """The cohort page's finished facts with their words (the fixed note, the comparisons)."""
    return {**cohort, "note": FIXED_NOTE,
            "comparisons": word_comparisons(cohort.get("comparisons", []))}
