"""Module abundance and coverage from KO abundances (Omixer-RPM algorithm); the taxa behind them.

The step arithmetic (1-5 below) is in :mod:`gutbrain.module_arithmetic`; this module applies the
statuses and project rules to it, gives each compound's key score and names the taxa behind each
scored module.

For each module and sample (Omixer-RPM: Darzi et al. 2016 ISME J 10:1025,
doi 10.1038/ismej.2015.188):

1. An alternative (enzyme) has the mean abundance of its subunits; a subunit that is a row of
   the table with value 0 counts 0, so a complex ``K1,K2`` with K1 = 2 and K2 = 0 has
   abundance 1.
2. A step takes its best alternative (highest abundance) and is *observed* when that is > 0.
3. ``coverage`` = observed steps / steps.
4. ``score`` from the step abundances of the best path, by the chosen estimator:

   * ``ACR`` (omixer ``average``): sum of step abundances / observed steps, or / all steps with
     ``normalize_by_length``;
   * ``MED`` (omixer ``median``, its default): median of the observed step abundances, or of all
     steps (absent ones as 0) with ``normalize_by_length``; a median of 0 is replaced by the
     smallest positive step abundance;
   * ``SUM``: sum of step abundances (divided by the number of steps with ``normalize_by_length``);
   * ``MIN``: smallest observed step abundance.

   Omixer-RPM enumerates every path (one alternative per step) and keeps the one with the
   highest coverage, then the highest score. Because abundances are non-negative and each
   estimator is non-decreasing in every step value, taking the best alternative per step gives
   the same optimum without enumerating paths.
5. ``distribute``: a KO named by N modules contributes abundance / N to each of them
   (omixer's ``--Xdistribute``).

KOs the reference cannot see (``missing``). ``results/function/ko_abundance.tsv`` lists only
the KOs the functional reference can observe, so with ``missing="unknown"`` (the pipeline
default) a KO that is not a row of the table is *unknown*, not 0: an alternative is observable
only if all its subunits are rows; a step is observable if at least one alternative is (its
value is the best observable alternative); a module is ``not_measurable`` when a required
step is unobservable, when no step is observable, or when the observable steps are too few to
reach ``min_coverage``. With ``missing="zero"`` every KO that is not a row counts 0, as
upstream Omixer-RPM does (used by the conformance tests and for omixer-style inputs).

Project rules that upstream does not have:

* **Required steps.** A catalog module marks its defining (committed or terminal) step(s)
  ``required``. A module whose required step is not observed in a sample is never scored,
  whatever its coverage: status ``required_step_absent`` (score empty). Omixer-format modules
  have no required steps.
* **Direction.** Each row carries the module's ``direction`` (synthesis, degradation or
  conversion); :func:`compound_synthesis_scores` gives each compound's key score from its
  synthesis modules only.

Divergences from upstream Omixer-RPM (kept on purpose; docs/modules.md lists them too):

* ``MIN``: upstream's minimum starts at 0, so it returns 0 for any module; here it is the
  smallest observed step abundance (a project extension that meets the upstream spec value
  min{2, 8, 10} = 2).
* ``distribute``: upstream counts N once per occurrence of a KO inside a module; here each
  module counts once. They differ only when a module names the same KO in two steps.
* A module with coverage 0 has no median upstream (NaN); here its status is ``absent`` with
  score 0 (in the pipeline the scores of non-``scored`` rows are not reported).
* Upstream's default coverage cut-off is learned from the data; here ``min_coverage`` is a
  fixed parameter (pipeline default 0.66, as in the GMM/GBM publications).

Status per module and sample, checked in this order:

* ``not_predictable``: no KO can define the module; score and coverage empty;
* ``not_measurable``: the reference cannot observe the module (see above); score and coverage
  empty; never 0;
* ``absent``: coverage 0; score 0;
* ``required_step_absent``: coverage > 0 but a required step is not observed; score empty,
  coverage given;
* ``below_coverage``: 0 < coverage < min_coverage; score empty unless
  ``report_below_coverage``;
* ``scored``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from gutbrain.errors import InputError
from gutbrain.module_arithmetic import (
    check_missing,
    measurable,
    normalise_algorithm,
    ortholog_module_counts,
    path_scores,
    step_abundances,
)
from gutbrain.modules import Module
from gutbrain.tables import columns

SCORE_COLUMNS = columns("module_scores")
#: Statuses of a compound's synthesis potential (:func:`compound_synthesis_scores`).
COMPOUND_COLUMNS = ["sample", "category", "score", "status", "module"]
CONTRIBUTION_COLUMNS = columns("module_contributions")
UNASSIGNED_GENUS = "unassigned"


def _check_abundance(ko_abundance: pd.DataFrame) -> pd.DataFrame:
    """Validate a KO x sample table and sum rows that repeat a KO."""
    if not isinstance(ko_abundance, pd.DataFrame):
        raise InputError("KO abundance must be a table with KOs as rows and samples as columns")
    try:
        values = ko_abundance.astype(float)
    except (TypeError, ValueError) as error:
        raise InputError(f"KO abundance table has non-numeric values ({error})") from error
    if values.isna().to_numpy().any():
        raise InputError("KO abundance table has empty or NaN values; fill them with 0")
    if (values.to_numpy() < 0).any():
        bad = values.index[(values < 0).any(axis=1)][0]
        raise InputError(f"KO abundance table has a negative abundance for {bad}")
    values.index = values.index.astype(str)
    if values.index.has_duplicates:
        values = values.groupby(level=0, sort=False).sum()
    return values


def score_modules(
    ko_abundance: pd.DataFrame,
    modules: Sequence[Module],
    min_coverage: float,
    algorithm: str = "MED",
    normalize_by_length: bool = False,
    distribute: bool = False,
    report_below_coverage: bool = False,
    missing: str = "unknown",
) -> pd.DataFrame:
    """Score every module in every sample of a KO x sample abundance table.

    Returns a long table with columns :data:`SCORE_COLUMNS` (``module, name, category,
    direction, sample, score, coverage, status``; one row per module and sample, modules in
    the given order). ``missing`` says what a KO that is not a row of the table means:
    ``"unknown"`` (default; the reference cannot see it) or ``"zero"`` (as Omixer-RPM). See
    the module docstring for the algorithm and the status rules.
    """
    if not 0 <= float(min_coverage) <= 1:
        raise InputError(f"module min_coverage must be between 0 and 1, got {min_coverage}")
    algorithm = normalise_algorithm(algorithm)
    check_missing(missing)
    table = _check_abundance(ko_abundance)
    samples = [str(s) for s in table.columns]
    known = set(table.index)
    divisor: dict[str, float] | None = None
    if distribute:
        counts = ortholog_module_counts(modules)
        divisor = {o: float(n) for o, n in counts.items() if o in known}
    rows: list[dict[str, object]] = []
    for module in modules:
        if not module.predictable:
            for sample in samples:
                rows.append(_row(module, sample, np.nan, np.nan, "not_predictable"))
            continue
        if missing == "unknown" and not measurable(module, known, min_coverage):
            for sample in samples:
                rows.append(_row(module, sample, np.nan, np.nan, "not_measurable"))
            continue
        values, _ = step_abundances(module, table, divisor, missing)
        scores = path_scores(values, algorithm, normalize_by_length)
        observed = values > 0
        coverage = observed.sum(axis=0) / len(module.steps)
        required_seen = (observed[list(module.required)].all(axis=0) if module.required
                         else np.ones(len(samples), dtype=bool))
        for s, sample in enumerate(samples):
            cov = float(coverage[s])
            if cov == 0:
                status, score = "absent", 0.0
            elif not required_seen[s]:
                status, score = "required_step_absent", np.nan
            elif cov >= min_coverage:
                status, score = "scored", float(scores[s])
            else:
                status = "below_coverage"
                score = float(scores[s]) if report_below_coverage else np.nan
            rows.append(_row(module, sample, score, cov, status))
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


def _row(module: Module, sample: str, score: float, coverage: float, status: str
         ) -> dict[str, object]:
    return {"module": module.id, "name": module.name, "category": module.category,
            "direction": module.direction, "sample": sample, "score": score,
            "coverage": coverage, "status": status}


#: Module statuses that show the reference could look for the pathway in the sample.
_MEASURED = ("scored", "absent", "below_coverage", "required_step_absent")


def compound_synthesis_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """Each compound's key score per sample, from its *synthesis* modules only.

    ``scores``: a :func:`score_modules` table (needs ``module, category, direction, sample,
    score, status``). A compound is a module ``category`` (e.g. ``neuro:gaba``); degradation
    and conversion modules never count. Per category and sample:

    * ``scored``: at least one synthesis module is ``scored``; ``score`` is the highest of
      their scores and ``module`` the module that gives it (ties: first in table order);
    * ``absent``: no synthesis module is scored but at least one could be looked for (status
      ``absent``, ``below_coverage`` or ``required_step_absent``); score empty;
    * ``not_measurable``: every synthesis module is ``not_measurable`` or ``not_predictable``
      and at least one is ``not_measurable``; score empty;
    * ``not_predictable``: every synthesis module is ``not_predictable``; score empty.

    Categories without any synthesis module are left out. Returns :data:`COMPOUND_COLUMNS`
    (``sample, category, score, status, module``), categories in order of first appearance.
    """
    missing = {"module", "category", "direction", "sample", "score", "status"} - set(
        scores.columns)
    if missing:
        raise InputError(f"module scores lack column(s) {', '.join(sorted(missing))}")
    synthesis = scores[scores["direction"] == "synthesis"]
    rows: list[dict[str, object]] = []
    categories = list(dict.fromkeys(synthesis["category"]))
    samples = list(dict.fromkeys(scores["sample"]))
    for category in categories:
        here = synthesis[synthesis["category"] == category]
        for sample in samples:
            group = here[here["sample"] == sample]
            statuses = set(group["status"])
            scored = group[group["status"] == "scored"]
            row: dict[str, object] = {"sample": sample, "category": category,
                                      "score": np.nan, "module": ""}
            if not scored.empty:
                best = scored.iloc[int(np.argmax(scored["score"].astype(float).to_numpy()))]
                row.update(score=float(best["score"]), status="scored", module=best["module"])
            elif statuses & set(_MEASURED):
                row["status"] = "absent"
            elif "not_measurable" in statuses:
                row["status"] = "not_measurable"
            else:
                row["status"] = "not_predictable"
            rows.append(row)
    return pd.DataFrame(rows, columns=COMPOUND_COLUMNS)


def attribution_steps(module: Module) -> tuple[int, ...]:
    """Indexes of the steps through which a module is attributed to taxa.

    The required (defining) steps when the module has any, so that housekeeping steps shared
    with other pathways (PFOR, thiolase) do not name taxa without the defining enzyme;
    otherwise (omixer-format modules) every step.
    """
    return module.required or tuple(range(len(module.steps)))


def module_contributions(
    asv_table: pd.DataFrame,
    asv_ko: pd.DataFrame,
    genus_of_asv: Mapping[str, str] | pd.Series,
    modules: Sequence[Module],
    scores: pd.DataFrame,
    top_n: int = 5,
) -> pd.DataFrame:
    """Top genera behind each scored module in each sample.

    Rule: for a module and sample with status ``scored``, take the module's required steps
    (:func:`attribution_steps`; every step for a module without required steps). ASV ``a``
    carries an alternative (enzyme) with ``abundance[a, sample] x mean of copies[a, subunit]``
    over its subunits (a subunit the ASV table lacks counts 0), as the scorer averages
    subunits; its contribution is the sum over the alternatives of those steps. A genus's
    ``share`` is the sum over its ASVs divided by the same sum over all ASVs. The ``top_n``
    genera are kept, ranked 1..n by share (ties by genus name). ASVs without a genus are
    pooled as ``unassigned``.

    ``asv_table``: ASV x sample abundances (pass copy-number-normalised abundances, as used
    for ``ko_abundance.tsv``, so that shares agree with it); ``asv_ko``: ASV x KO predicted
    copies per genome; ``genus_of_asv``: ASV -> genus name.
    """
    if top_n < 1:
        raise InputError(f"module contributions top_n must be at least 1, got {top_n}")
    scored = scores[scores["status"] == "scored"]
    if scored.empty:
        return pd.DataFrame(columns=CONTRIBUTION_COLUMNS)
    asvs = asv_table.index.intersection(asv_ko.index)
    abundance = asv_table.loc[asvs].astype(float)
    copies = asv_ko.loc[asvs].astype(float)
    genus = pd.Series(genus_of_asv, dtype=object).reindex(asvs)
    genus = genus.where(genus.notna() & (genus.astype(str).str.strip() != ""), UNASSIGNED_GENUS)
    genus = genus.astype(str)
    by_id = {m.id: m for m in modules}
    rows: list[dict[str, object]] = []
    for module_id, group in scored.groupby("module", sort=False):
        module = by_id.get(str(module_id))
        if module is None:
            continue
        carried = pd.Series(0.0, index=asvs)  # per ASV: copies of the defining enzymes
        for i in attribution_steps(module):
            for alternative in module.steps[i]:
                subunits = [copies[o] if o in copies.columns else pd.Series(0.0, index=asvs)
                            for o in alternative]
                carried = carried + sum(subunits) / len(alternative)
        samples = [s for s in dict.fromkeys(group["sample"]) if s in abundance.columns]
        if not samples:
            continue
        per_asv = abundance[samples].mul(carried, axis=0)
        totals = per_asv.sum(axis=0)
        per_genus = per_asv.groupby(genus).sum()
        for sample in samples:
            total = float(totals[sample])
            if total <= 0:
                continue
            shares = per_genus[sample] / total
            shares = shares[shares > 0]
            ranked = sorted(shares.items(), key=lambda item: (-item[1], item[0]))[:top_n]
            for rank, (name, share) in enumerate(ranked, start=1):
                rows.append({"module": module.id, "sample": sample, "genus": name,
                             "share": float(share), "rank": rank})
    return pd.DataFrame(rows, columns=CONTRIBUTION_COLUMNS)
