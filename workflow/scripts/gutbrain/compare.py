"""Group comparison of predicted potential (config section ``compare``).

A study compares groups (patients and controls, before and after a diet, two sites). For each
contrast (a test level against the reference level of one sample-sheet column) this module
tests four families of features, each on its own with Benjamini–Hochberg FDR:

* **compounds**: the carrier share of each compound's headline synthesis route,
* **routes**: the carrier share of every measurable route,
* **enzymes**: the route's defining-enzyme copies per predicted cell,
* **genera**: read counts per genus, with scikit-bio's compositional tests
  (``dirmult_ttest`` without covariates, ``ancombc`` with them).

Per-cell values (the first three families) are compared with a rank test when there are no
covariates: Mann–Whitney's p (exact for small groups without ties, a label permutation when
more than half of the values are 0, as ties then dominate) and the Hodges–Lehmann shift with
its distribution-free 95 % interval (test minus reference). With covariates, carrier shares go
into a fractional-logit model (binomial GLM with the quasi-binomial scale, effect a log odds
ratio) and copies per cell into a linear model of their logarithm (effect a log2 ratio).
Every row names the contrast, the feature, n per group, the groups' medians, the effect with
its 95 % interval, p, q and the method; a row is *significant* when q is at most the FDR and the
interval excludes 0. A carrier share is compositional (a bloom of one genus
lowers it with no change in producers), so each route row names the genera whose
contributions differ most between the groups, and :func:`bias_checks` reports whether the
groups differ in sequencing depth or in the fraction of reads predicted, which bias every
comparison.

Everything here compares *predicted potential* from 16S between groups; a group difference is
never a statement about a person.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd

from .errors import InputError
from .tables import columns

#: Columns of every feature table written per contrast.
RESULT_COLUMNS = columns("comparisons")
BIAS_COLUMNS = columns("compare_checks")
FAMILIES = ("compounds", "routes", "enzymes", "genera")
#: Label permutations for p when most values are 0.
PERMUTATIONS = 9999
#: Above this share of zeros a rank test's p comes from label permutations.
ZERO_SHARE_FOR_PERMUTATION = 0.5
#: Depth or predicted-fraction differences with p below this are reported as a bias.
BIAS_P = 0.05


@dataclass(frozen=True)
class CompareSettings:
    """The ``compare`` config section."""

    column: str
    reference: str
    contrasts: str = "each_vs_reference"  # or all_pairs
    covariates: tuple[str, ...] = ()
    min_group_size: int = 3
    fdr: float = 0.1
    levels: tuple[str, ...] = ()  # levels compared (empty = all); other samples left out

    @classmethod
    def from_config(cls, section: Mapping | None) -> CompareSettings | None:
        """Settings from the config section (None when absent or without a column)."""
        if not section or not section.get("column"):
            return None
        return cls(column=str(section["column"]), reference=str(section.get("reference", "")),
                   contrasts=str(section.get("contrasts", "each_vs_reference")),
                   covariates=tuple(str(c) for c in section.get("covariates", []) or []),
                   min_group_size=int(section.get("min_group_size", 3)),
                   fdr=float(section.get("fdr", 0.1)),
                   levels=tuple(str(v) for v in section.get("levels", []) or []))


@dataclass(frozen=True)
class Contrast:
    """One comparison: ``test`` samples against ``reference`` samples."""

    name: str
    column: str
    test: str
    reference: str
    test_samples: tuple[str, ...]
    reference_samples: tuple[str, ...]
    covariates: tuple[str, ...] = ()
    design: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False, repr=False)

    @property
    def samples(self) -> list[str]:
        return [*self.test_samples, *self.reference_samples]


def contrast_name(test: str, reference: str) -> str:
    """``<test>_vs_<reference>`` with characters unsafe in a file name replaced."""
    def safe(text: str) -> str:
        return "".join(c if c.isalnum() or c in "-." else "_" for c in text)
    return f"{safe(test)}_vs_{safe(reference)}"


def _samples_text(samples: Sequence[str], limit: int = 6) -> str:
    shown = ", ".join(samples[:limit])
    return shown + (f" and {len(samples) - limit} more" if len(samples) > limit else "")


def plan_contrasts(sheet: pd.DataFrame, settings: CompareSettings,
                   samples: Sequence[str] | None = None) -> list[Contrast]:
    """The contrasts of ``settings`` on the sample sheet (index = sample), checked: the column
    and covariates exist, every compared sample has a group and covariate values, the reference
    level exists, each compared level has at least ``min_group_size`` samples, and no covariate
    is constant within a group. Errors name the column, the level and the samples."""
    where = "config section compare"
    samples = [str(s) for s in (samples if samples is not None else sheet.index)]
    if settings.column not in sheet.columns:
        raise InputError(f"{where}: column '{settings.column}' (compare.column) is not a column "
                         f"of the sample sheet (columns: {', '.join(map(str, sheet.columns))})")
    table = sheet.reindex(samples)
    groups = table[settings.column].astype("string").str.strip()
    missing = [s for s in samples if pd.isna(groups[s]) or groups[s] == ""]
    if missing:
        raise InputError(f"{where}: column '{settings.column}' has no value for sample(s) "
                         f"{_samples_text(missing)}: give every sample a group (or leave "
                         "them out of the sheet)")
    levels = sorted(groups.unique())
    unknown = [lvl for lvl in settings.levels if lvl not in levels]
    if unknown:
        raise InputError(f"{where}: level(s) {', '.join(unknown)} (compare.levels) do not occur "
                         f"in column '{settings.column}' (levels: {', '.join(levels)})")
    if settings.levels:
        levels = sorted(settings.levels)
        samples = [s for s in samples if groups[s] in levels]
        table = table.loc[samples]
    if settings.reference not in levels:
        raise InputError(f"{where}: reference level '{settings.reference}' (compare.reference) "
                         f"does not occur in column '{settings.column}' (levels: "
                         f"{', '.join(levels)})")
    for cov in settings.covariates:
        if cov not in sheet.columns:
            raise InputError(f"{where}: covariate '{cov}' (compare.covariates) is not a column "
                             "of the sample sheet")
        values = table[cov]
        absent = [s for s in samples if pd.isna(values[s]) or str(values[s]).strip() == ""]
        if absent:
            raise InputError(f"{where}: covariate '{cov}' has no value for sample(s) "
                             f"{_samples_text(absent)}")
    if settings.contrasts == "all_pairs":
        pairs = [(b, a) for a, b in combinations(levels, 2)]
    elif settings.contrasts == "each_vs_reference":
        pairs = [(level, settings.reference) for level in levels if level != settings.reference]
    else:
        raise InputError(f"{where}: contrasts is '{settings.contrasts}'; use each_vs_reference "
                         "or all_pairs")
    out = []
    for test, ref in pairs:
        members = {lvl: [s for s in samples if groups[s] == lvl] for lvl in (test, ref)}
        for lvl, who in members.items():
            if len(who) < settings.min_group_size:
                raise InputError(
                    f"{where}: level '{lvl}' of column '{settings.column}' has "
                    f"{len(who)} sample(s) ({_samples_text(who)}), fewer than "
                    f"compare.min_group_size ({settings.min_group_size}); add samples, merge "
                    "levels, or lower the minimum")
        design = pd.DataFrame(index=[*members[test], *members[ref]])
        design["group"] = [1.0] * len(members[test]) + [0.0] * len(members[ref])
        for cov in settings.covariates:
            column = _covariate(table.loc[design.index, cov], cov)
            for lvl, who in members.items():
                if table.loc[who, cov].astype(str).str.strip().nunique() <= 1:
                    raise InputError(
                        f"{where}: covariate '{cov}' is constant within level '{lvl}' of "
                        f"column '{settings.column}' (samples {_samples_text(who)}), so its "
                        "effect cannot be told apart from the group's; drop it from "
                        "compare.covariates")
            design = design.join(column)
        out.append(Contrast(contrast_name(test, ref), settings.column, test, ref,
                            tuple(members[test]), tuple(members[ref]), settings.covariates,
                            design))
    return out


def contrast_from_params(params: Mapping) -> Contrast:
    """The :class:`Contrast` passed as plain data from the rule's params."""
    design = pd.DataFrame(params["design"]).set_index("sample")
    return Contrast(name=params["name"], column=params["column"], test=params["test"],
                    reference=params["reference"], test_samples=tuple(params["test_samples"]),
                    reference_samples=tuple(params["reference_samples"]),
                    covariates=tuple(params["covariates"]), design=design)


def contrast_params(contrast: Contrast) -> dict:
    """A contrast as plain data (rule params)."""
    return {"name": contrast.name, "column": contrast.column, "test": contrast.test,
            "reference": contrast.reference, "test_samples": list(contrast.test_samples),
            "reference_samples": list(contrast.reference_samples),
            "covariates": list(contrast.covariates),
            "design": contrast.design.rename_axis("sample").reset_index().to_dict("list")}


def _covariate(values: pd.Series, name: str) -> pd.DataFrame:
    """A numeric covariate as one column, a categorical one as indicator columns."""
    numeric = pd.to_numeric(values, errors="coerce")
    if numeric.notna().all():
        return pd.DataFrame({name: numeric.astype(float)})
    dummies = pd.get_dummies(values.astype(str), prefix=name, drop_first=True, dtype=float)
    return dummies if not dummies.empty else pd.DataFrame({name: np.zeros(len(values))},
                                                          index=values.index)


# ----------------------------------------------------------------------------- tests


def hodges_lehmann(x: np.ndarray, y: np.ndarray, level: float = 0.95
                   ) -> tuple[float, float, float]:
    """Hodges–Lehmann shift of ``x`` over ``y`` (median of all pairwise differences) with its
    distribution-free confidence interval from Mann–Whitney's null distribution (normal
    approximation of the critical rank)."""
    from scipy.stats import norm

    diffs = np.sort(np.subtract.outer(x, y).ravel())
    n, m = len(x), len(y)
    estimate = float(np.median(diffs))
    z = norm.ppf(0.5 + level / 2)
    k = int(math.floor(n * m / 2 - z * math.sqrt(n * m * (n + m + 1) / 12)))
    if k < 1:
        return estimate, float(diffs[0]), float(diffs[-1])
    return estimate, float(diffs[k - 1]), float(diffs[len(diffs) - k])


def rank_test(x: np.ndarray, y: np.ndarray, seed: int = 0) -> tuple[float, str]:
    """Two-sided p of Mann–Whitney's test; by label permutation when most values are 0."""
    from scipy.stats import mannwhitneyu

    values = np.concatenate([x, y])
    if np.all(values == values[0]):
        return 1.0, "Mann-Whitney (all values equal)"
    if np.mean(values == 0) > ZERO_SHARE_FOR_PERMUTATION:
        result = mannwhitneyu(x, y, alternative="two-sided",
                              method=_PermutationMethod(seed))
        return float(result.pvalue), f"Mann-Whitney, {PERMUTATIONS} label permutations"
    result = mannwhitneyu(x, y, alternative="two-sided", method="auto")
    return float(result.pvalue), "Mann-Whitney"


def _PermutationMethod(seed: int):  # noqa: N802 - scipy's method object
    from scipy.stats import PermutationMethod

    return PermutationMethod(n_resamples=PERMUTATIONS, random_state=seed)


def _glm(y: np.ndarray, design: pd.DataFrame, kind: str) -> tuple[float, float, float, float]:
    """Group effect (coefficient of ``group``) with 95 % interval and p from a fractional
    logit (``share``) or a linear model of log copies (``copies``)."""
    import statsmodels.api as sm

    X = sm.add_constant(design.to_numpy(dtype=float), has_constant="add")
    if kind == "share":
        model = sm.GLM(np.clip(y, 0.0, 1.0), X, family=sm.families.Binomial())
        fit = model.fit(scale="X2")
        scale = 1.0
    else:
        positive = y[y > 0]
        offset = positive.min() / 2 if len(positive) else 1e-6
        fit = sm.OLS(np.log(y + offset), X).fit()
        scale = 1 / math.log(2)
    coef, se = float(fit.params[1]), float(fit.bse[1])
    return (coef * scale, (coef - 1.96 * se) * scale, (coef + 1.96 * se) * scale,
            float(fit.pvalues[1]))


def benjamini_hochberg(p: Sequence[float]) -> np.ndarray:
    """BH q-values (NaN p stays NaN)."""
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p, dtype=float)
    q = np.full(len(p), np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        q[ok] = multipletests(p[ok], method="fdr_bh")[1]
    return q


def compare_values(values: pd.DataFrame, contrast: Contrast, family: str, kind: str,
                   fdr: float, labels: Mapping[str, str] | None = None,
                   drivers: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One family of per-cell features (rows feature, columns sample; NaN = no value) compared
    for ``contrast``; ``kind`` is ``share`` (carrier shares) or ``copies`` (per cell)."""
    rows = []
    for feature, row in values.iterrows():
        x = row.reindex(list(contrast.test_samples)).dropna().to_numpy(dtype=float)
        y = row.reindex(list(contrast.reference_samples)).dropna().to_numpy(dtype=float)
        base = {"contrast": contrast.name, "family": family, "feature": str(feature),
                "label": (labels or {}).get(str(feature), str(feature)),
                "n_test": len(x), "n_reference": len(y),
                "median_test": float(np.median(x)) if len(x) else np.nan,
                "median_reference": float(np.median(y)) if len(y) else np.nan,
                "drivers": (drivers or {}).get(str(feature), "")}
        if len(x) < 2 or len(y) < 2:
            rows.append({**base, "effect": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                         "effect_unit": "", "p": np.nan, "method": "too few values"})
            continue
        if contrast.covariates:
            valued = set(row.dropna().index)
            design = contrast.design.loc[[s for s in contrast.samples if s in valued]]
            y_all = row.reindex(design.index).to_numpy(dtype=float)
            if np.all(y_all == y_all[0]):
                effect, lo, hi, p = 0.0, 0.0, 0.0, 1.0
            else:
                effect, lo, hi, p = _glm(y_all, design, kind)
            unit = "log odds ratio" if kind == "share" else "log2 ratio"
            method = ("fractional logit (quasi-binomial GLM)" if kind == "share"
                      else "linear model of log copies") + " with " + ", ".join(
                          contrast.covariates)
        else:
            effect, lo, hi = hodges_lehmann(x, y)
            p, method = rank_test(x, y)
            method += ", Hodges-Lehmann shift"
            unit = "difference in share of predicted cells" if kind == "share" else (
                "difference in copies per predicted cell")
        rows.append({**base, "effect": effect, "ci_low": lo, "ci_high": hi, "effect_unit": unit,
                     "p": p, "method": method})
    return _finish(rows, fdr)


def _finish(rows: list[dict], fdr: float) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=[c for c in RESULT_COLUMNS if c not in ("q",
                                                                                 "significant")])
    table["q"] = benjamini_hochberg(table["p"].to_numpy()) if len(table) else []
    # Significant: q at or below the FDR and a 95 % interval that excludes 0 (scikit-bio's
    # dirmult_ttest applies the same interval rule to its hits).
    excludes_zero = (table["ci_low"] > 0) | (table["ci_high"] < 0)
    table["significant"] = ((table["q"] <= fdr) & excludes_zero).map({True: "yes",
                                                                      False: "no"})
    return table[RESULT_COLUMNS]


def compare_genera(counts: pd.DataFrame, contrast: Contrast, fdr: float,
                   seed: int = 0) -> pd.DataFrame:
    """Genera (rows genus, columns sample; read counts) with scikit-bio's compositional tests:
    ``dirmult_ttest`` (ALDEx2-like; log2 fold change of CLR values) without covariates,
    ``ancombc`` (log2 fold change, bias-corrected) with them."""
    from skbio.stats.composition import ancombc, dirmult_ttest

    table = counts.reindex(columns=contrast.samples).fillna(0)
    table = table[(table > 0).sum(axis=1) >= 2]
    if table.shape[0] < 2:
        return _finish([], fdr)
    x = table.T
    share = x.div(x.sum(axis=1).replace(0, np.nan), axis=0)
    med_t = share.loc[list(contrast.test_samples)].median()
    med_r = share.loc[list(contrast.reference_samples)].median()
    rows = []
    if not contrast.covariates:
        grouping = pd.Series([contrast.test] * len(contrast.test_samples)
                             + [contrast.reference] * len(contrast.reference_samples),
                             index=contrast.samples)
        result = dirmult_ttest(x, grouping, treatment=contrast.test,
                               reference=contrast.reference, p_adjust="fdr_bh", seed=seed)
        for genus, r in result.iterrows():
            rows.append({"feature": genus, "effect": r["Log2(FC)"], "ci_low": r["CI(2.5)"],
                         "ci_high": r["CI(97.5)"], "p": r["pvalue"],
                         "method": "scikit-bio dirmult_ttest (Dirichlet-multinomial CLR, "
                                   "Welch t)"})
    else:
        meta = contrast.design.copy()
        meta["group"] = pd.Categorical(
            [contrast.test if g == 1.0 else contrast.reference for g in meta["group"]],
            categories=[contrast.reference, contrast.test])
        names = {c: f"cov{i}" for i, c in enumerate(meta.columns) if c != "group"}
        meta = meta.rename(columns=names)
        formula = " + ".join(["group", *names.values()])
        result = ancombc(x + 0.5, meta, formula, p_adjust="fdr_bh")
        result = getattr(result, "result", result)  # scikit-bio >= 0.7 wraps the table
        term = f"group[T.{contrast.test}]"
        for (genus, covariate), r in result.iterrows():
            if covariate != term:
                continue
            fc, se = r["Log(FC)"] / math.log(2), r["SE"] / math.log(2)
            rows.append({"feature": genus, "effect": fc, "ci_low": fc - 1.96 * se,
                         "ci_high": fc + 1.96 * se, "p": r["pvalue"],
                         "method": "scikit-bio ancombc with " + ", ".join(contrast.covariates)})
    full = []
    for r in rows:
        genus = r["feature"]
        full.append({"contrast": contrast.name, "family": "genera", "label": genus,
                     "n_test": len(contrast.test_samples),
                     "n_reference": len(contrast.reference_samples),
                     "median_test": float(med_t.get(genus, np.nan)),
                     "median_reference": float(med_r.get(genus, np.nan)),
                     "effect_unit": "log2 fold change", "drivers": "", **r})
    return _finish(full, fdr)


def route_drivers(contributors: pd.DataFrame, measures: pd.DataFrame, contrast: Contrast,
                  top: int = 3) -> dict[str, str]:
    """Per route, the genera whose contribution to the carrier share (genus share x carrier
    share) differs most between the groups' means: 'Faecalibacterium -3.1 pp; ...'."""
    if contributors.empty:
        return {}
    share = measures.set_index(["sample", "route"])["carrier_share"]
    c = contributors[contributors["sample"].astype(str).isin(contrast.samples)].copy()
    c["part"] = c["share"].astype(float) * [share.get((s, r), np.nan) for s, r in
                                             zip(c["sample"].astype(str), c["route"],
                                                 strict=True)]
    wide = c.pivot_table(index=["route", "genus"], columns="sample", values="part",
                         aggfunc="sum").reindex(columns=contrast.samples).fillna(0.0)
    diff = (wide[list(contrast.test_samples)].mean(axis=1)
            - wide[list(contrast.reference_samples)].mean(axis=1))
    out = {}
    for route, part in diff.groupby(level="route"):
        part = part.droplevel("route")
        part = part[part.abs() > 0].reindex(part.abs().sort_values(ascending=False).index)
        out[str(route)] = "; ".join(f"{g} {v * 100:+.1f} pp" for g, v in part.head(top).items())
    return out


def bias_checks(depth: pd.Series, predicted: pd.Series, contrast: Contrast) -> pd.DataFrame:
    """Do the groups differ in sequencing depth or in the fraction of reads predicted? Both
    bias every comparison of predicted potential."""
    rows = []
    for measure, values in (("reads", depth), ("fraction_reads_predicted", predicted)):
        x = values.reindex(list(contrast.test_samples)).dropna().to_numpy(dtype=float)
        y = values.reindex(list(contrast.reference_samples)).dropna().to_numpy(dtype=float)
        if len(x) < 2 or len(y) < 2:
            continue
        p, _ = rank_test(x, y)
        note = (f"the groups differ in {measure.replace('_', ' ')} (Mann-Whitney p = {p:.2g}): "
                "read every difference with this in mind" if p < BIAS_P else "")
        rows.append({"contrast": contrast.name, "measure": measure,
                     "median_test": float(np.median(x)), "median_reference": float(np.median(y)),
                     "p": p, "note": note})
    return pd.DataFrame(rows, columns=BIAS_COLUMNS)
