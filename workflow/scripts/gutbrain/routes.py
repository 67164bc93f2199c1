"""Genome-resolved routes: which genera carry a whole metabolic route, and per-cell measures.

A *route* (``resources/routes.tsv``, one row each) is a chain of enzyme steps that makes (or
degrades) one compound. Each step is a set of alternative EC numbers. ``specific`` steps define
the route and must all be in one genome; ``generic`` steps are shared with other pathways and
up to ``max_generic_missing`` of them may be unannotated (annotation gaps are the main false
negatives of genome tables). A genome *carries* a route when every specific step and enough
generic steps have at least :data:`MIN_COPIES` annotated copies in that genome: the route is
resolved by genome, as the butyrate-producer literature does (Vital et al. 2014, mBio
5:e00889), so a community that holds the steps in different genera does not "have" the route.

Genus carriage (:func:`genus_route_carriers`) is the fraction of a genus's genomes that carry
the route, averaged within species first and then across species weighted by the square root
of each species' genome count (so that neither one over-sequenced species, 1,378 *E. coli*,
nor a species with a handful of genomes speaks for its genus), from genomes that pass
:func:`genome_quality` (duplicates removed, genomes missing more than
:data:`MAX_MISSING_AARS` of the near-universal aminoacyl-tRNA synthetase ECs left out). A genus
with fewer than ``min_genomes`` usable genomes gets no value: its reads are *unresolved*, not
non-carriers. ``carrier_low``/``carrier_high`` are the lowest and highest species fractions (or
a Wilson 95 % interval for a single species), shown where a genus's genomes disagree.

Sample measures (:func:`sample_route_measures`) are per predicted cell, so they do not follow
sequencing depth: reads are divided by the genus's 16S copies, and a route's *carrier share* is
the fraction of resolved cells that belong to genera carrying the route, weighted by the genus's
carrier fraction. Genera whose carrier fraction is below :data:`MIN_CARRIER_FRACTION` (a
majority of the genus's genomes) count as non-carriers in the measure and only in its upper bound
(carriage by some species of a genus is a species or strain trait that genus-level 16S cannot
attribute, or a misannotation); their cells are reported beside it as ``partial_share`` (with the
largest of them in ``partial_genera``), so that an *absent* route still says where some species
might carry it. The gene-level measure beside it is the copies of the route's first
specific step (its defining enzyme) per resolved cell. :func:`ec_route_copies` gives a
route-level gene measure from any EC x sample table (a metagenome, PICRUSt2's prediction, our
own EC table): the copies of the route's scarcest specific step per cell, with cells counted
from single-copy genes; it is the truth of the metagenome benchmark, where a per-genome
measure cannot be had.

Everything here is *predicted potential* from 16S and genomes, never a measurement.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError
from .io import read_text_table
from .ranking import mid_rank_percentile
from .tables import columns

#: Columns of ``routes.tsv``.
ROUTE_COLUMNS = ("route", "compound", "direction", "role", "name", "specific", "generic",
                 "max_generic_missing", "measurable", "invisible", "traits", "non_carriers",
                 "sources", "note")
DIRECTIONS = ("synthesis", "degradation", "conversion")
#: headline: the compound's first-screen measure; detail: shown in the compound's section;
#: universal: housekeeping carried by most genomes, never a first-screen claim;
#: not_predictable: no enzyme defines the route.
ROLES = ("headline", "detail", "universal", "not_predictable")
_EC = re.compile(r"^\d+\.\d+\.\d+\.n?\d+$")

#: Copies of an EC in one genome that count as carrying it (genome tables hold whole genes).
MIN_COPIES = 0.5
#: The aminoacyl-tRNA synthetase ECs carried by at least 98.5 % of the genomes of the shipped
#: reference: one genome missing more than MAX_MISSING_AARS of them is too incomplete to judge.
CORE_AARS = ("EC:6.1.1.1", "EC:6.1.1.2", "EC:6.1.1.3", "EC:6.1.1.4", "EC:6.1.1.5",
             "EC:6.1.1.6", "EC:6.1.1.7", "EC:6.1.1.9", "EC:6.1.1.10", "EC:6.1.1.11",
             "EC:6.1.1.12", "EC:6.1.1.14", "EC:6.1.1.15", "EC:6.1.1.16", "EC:6.1.1.19",
             "EC:6.1.1.20", "EC:6.1.1.21")
MAX_MISSING_AARS = 0.10
MIN_GENOMES = 3
MIN_SPECIES = 1
#: A genus counts as a carrier of a route only when at least this (species-weighted) share of
#: its genomes carries the whole route: the typical member of the genus must carry it. Genera
#: below it, where only some species carry the route (Bacteroides fragilis-group histidine
#: decarboxylase, Blautia's propanediol route), count only in the upper bound.
MIN_CARRIER_FRACTION = 0.5
#: Genera whose genomes carry a route less often than this are not named as partial carriers
#: either: rare carriage in a genus (2.5 % of Escherichia genomes with the butyryl-CoA core) is
#: more often a misannotation or a strain oddity than a lead.
MIN_PARTIAL_FRACTION = 0.10

CARRIER_COLUMNS = ["route", "genus", "n_genomes", "n_species", "carrier_fraction",
                   "carrier_low", "carrier_high", "marker_copies"]
VISIBILITY_COLUMNS = ["route", "seen", "unseen_ecs", "n_carrier_genera"]
MEASURE_COLUMNS = columns("route_measures")
#: Genera named in ``partial_genera`` (the largest by cells).
MAX_PARTIAL_GENERA = 3
CONTRIBUTOR_COLUMNS = columns("route_contributors")
STATUSES = ("present", "low", "absent", "unresolved", "not_measurable", "not_predictable")


@dataclass(frozen=True)
class Route:
    """One row of ``routes.tsv``."""

    id: str
    compound: str
    direction: str
    role: str
    name: str
    specific: tuple[tuple[str, ...], ...]
    generic: tuple[tuple[str, ...], ...]
    max_generic_missing: int
    measurable: bool
    invisible: str
    traits: tuple[str, ...]
    non_carriers: tuple[str, ...]
    sources: str
    note: str

    @property
    def marker(self) -> tuple[str, ...]:
        """The defining enzyme: the alternatives of the first specific step."""
        return self.specific[0] if self.specific else ()

    @property
    def ecs(self) -> list[str]:
        """Every EC of the route (specific steps first)."""
        return [ec for step in (*self.specific, *self.generic) for ec in step]


def _steps(cell: str, path: Path, line: int, column: str) -> tuple[tuple[str, ...], ...]:
    cell = cell.strip()
    if cell in ("", "-"):
        return ()
    steps = []
    for step in cell.split(";"):
        alternatives = tuple(f"EC:{a.strip()}" for a in step.split("|") if a.strip())
        bad = [a for a in alternatives if not _EC.match(a[3:])]
        if not alternatives or bad:
            raise InputError(f"{path}: line {line}, column {column}: '{step}' is not a list of "
                             "EC numbers like 2.3.1.9|2.3.1.16")
        steps.append(alternatives)
    return tuple(steps)


def _names(cell: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in cell.split(";") if x.strip())


def load_routes(path: str | Path) -> list[Route]:
    """Read and check ``routes.tsv``; errors name the file, the line and the column."""
    path = Path(path)
    table = read_text_table(path, ROUTE_COLUMNS, not_found="the route table is shipped in "
                            "resources/routes.tsv")
    routes: list[Route] = []
    seen: set[str] = set()
    for i, row in enumerate(table.to_dict("records")):
        line = i + 2
        rid = row["route"].strip()
        if not re.fullmatch(r"[A-Z][A-Z0-9_]*", rid) or rid in seen:
            raise InputError(f"{path}: line {line}: route '{rid}' is empty, not upper-case "
                             "letters, digits and '_', or repeated")
        seen.add(rid)
        for column, vocabulary in (("direction", DIRECTIONS), ("role", ROLES),
                                   ("measurable", ("yes", "no"))):
            if row[column] not in vocabulary:
                raise InputError(f"{path}: line {line}, column {column}: '{row[column]}' (expected "
                                 f"one of {list(vocabulary)})")
        try:
            max_missing = int(row["max_generic_missing"] or 0)
        except ValueError:
            raise InputError(f"{path}: line {line}, column max_generic_missing: "
                             f"'{row['max_generic_missing']}' is not a whole number") from None
        route = Route(
            id=rid, compound=row["compound"].strip(), direction=row["direction"],
            role=row["role"], name=row["name"].strip(),
            specific=_steps(row["specific"], path, line, "specific"),
            generic=_steps(row["generic"], path, line, "generic"),
            max_generic_missing=max_missing, measurable=row["measurable"] == "yes",
            invisible=row["invisible"].strip(), traits=_names(row["traits"]),
            non_carriers=_names(row["non_carriers"]), sources=row["sources"].strip(),
            note=row["note"].strip(),
        )
        if route.measurable and not route.specific:
            raise InputError(f"{path}: line {line}: route {rid} has no specific step")
        if route.role == "not_predictable" and route.measurable:
            raise InputError(f"{path}: line {line}: a not_predictable route cannot be measurable")
        if not route.measurable and not route.invisible:
            raise InputError(f"{path}: line {line}: route {rid} is not measurable but column "
                             "'invisible' does not say what the reference cannot see")
        if not route.sources:
            raise InputError(f"{path}: line {line}: route {rid} has no source")
        routes.append(route)
    if not routes:
        raise InputError(f"{path}: no routes")
    return routes


# ----------------------------------------------------------------------------- genomes


def genome_quality(genome_ec: pd.DataFrame) -> tuple[pd.Series, dict[str, int]]:
    """Which genomes are used: first of each repeated name, and complete enough to judge.

    Returns a boolean Series over ``genome_ec``'s rows and counts (``genomes``,
    ``duplicates``, ``incomplete``, ``used``). A genome is incomplete when it lacks more than
    :data:`MAX_MISSING_AARS` of the :data:`CORE_AARS` present in the table.
    """
    names = pd.Index(genome_ec.index.astype(str))
    duplicate = names.duplicated(keep="first")
    aars = [ec for ec in CORE_AARS if ec in genome_ec.columns]
    if aars:
        missing = (genome_ec[aars].to_numpy() < MIN_COPIES).mean(axis=1)
        incomplete = missing > MAX_MISSING_AARS
    else:
        incomplete = np.zeros(len(genome_ec), dtype=bool)
    keep = ~duplicate & ~incomplete
    counts = {"genomes": int(len(genome_ec)), "duplicates": int(duplicate.sum()),
              "incomplete": int((incomplete & ~duplicate).sum()), "used": int(keep.sum())}
    return pd.Series(keep, index=genome_ec.index), counts


def _step_present(genome_ec: pd.DataFrame, step: Sequence[str]) -> np.ndarray:
    cols = [ec for ec in step if ec in genome_ec.columns]
    if not cols:
        return np.zeros(len(genome_ec), dtype=bool)
    return (genome_ec[cols].to_numpy() >= MIN_COPIES).any(axis=1)


def genome_carriage(genome_ec: pd.DataFrame, route: Route) -> np.ndarray:
    """Boolean per genome: carries every specific step and all but ``max_generic_missing``
    generic steps of ``route`` (False for every genome when the route has no specific step)."""
    if not route.specific:
        return np.zeros(len(genome_ec), dtype=bool)
    ok = np.ones(len(genome_ec), dtype=bool)
    for step in route.specific:
        ok &= _step_present(genome_ec, step)
    if route.generic:
        missing = sum((~_step_present(genome_ec, step)).astype(int) for step in route.generic)
        ok &= np.asarray(missing) <= route.max_generic_missing
    return ok


def marker_copies(genome_ec: pd.DataFrame, route: Route) -> np.ndarray:
    """Copies per genome of the route's defining enzyme (the largest of its alternatives, so
    that one gene listed under two numbers counts once)."""
    cols = [ec for ec in route.marker if ec in genome_ec.columns]
    if not cols:
        return np.zeros(len(genome_ec), dtype=np.float64)
    return genome_ec[cols].to_numpy(np.float64).max(axis=1)


def wilson_interval(successes: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion (0, 1 when n is 0)."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def genus_route_carriers(
    genome_ec: pd.DataFrame,
    genus: pd.Series,
    species: pd.Series,
    routes: Iterable[Route],
    min_genomes: int = MIN_GENOMES,
    min_species: int = MIN_SPECIES,
) -> pd.DataFrame:
    """Long table (:data:`CARRIER_COLUMNS`): per measurable route and genus, the carrier
    fraction (mean over species, weighted by the square root of their genome counts, of the
    fraction of genomes carrying the whole route), its bounds and the mean copies of the
    defining enzyme per genome (averaged the same way).

    ``genome_ec``: used genomes x EC copies; ``genus``/``species``: per genome (None = no
    genus). Genera with fewer than ``min_genomes`` genomes or ``min_species`` species get empty
    values (unresolved, not zero).
    """
    genus = genus.reindex(genome_ec.index)
    species = species.reindex(genome_ec.index)
    has_genus = genus.notna().to_numpy()
    table = genome_ec.loc[has_genus]
    g = genus[has_genus].astype(str).to_numpy()
    s = species[has_genus].astype(str).to_numpy()
    frame = pd.DataFrame({"genus": g, "species": s})
    n_genomes = frame.groupby("genus").size()
    n_species = frame.groupby("genus")["species"].nunique()
    rows = []
    for route in routes:
        if not route.measurable:
            continue
        frame["carries"] = genome_carriage(table, route).astype(float)
        frame["copies"] = marker_copies(table, route)
        by_species = frame.groupby(["genus", "species"])[["carries", "copies"]].mean()
        weight = np.sqrt(frame.groupby(["genus", "species"]).size().astype(float))
        weighted = by_species.mul(weight, axis=0).groupby(level="genus").sum()
        total = weight.groupby(level="genus").sum()
        fraction = weighted["carries"] / total
        copies = weighted["copies"] / total
        by_genus = by_species.groupby(level="genus")
        low = by_genus["carries"].min()
        high = by_genus["carries"].max()
        carried = frame.groupby("genus")["carries"].sum()
        for name in sorted(n_genomes.index):
            n, k = int(n_genomes[name]), int(n_species[name])
            if n < min_genomes or k < min_species:
                rows.append((route.id, name, n, k, np.nan, np.nan, np.nan, np.nan))
                continue
            lo, hi = float(low[name]), float(high[name])
            if k == 1:
                lo, hi = wilson_interval(float(carried[name]), n)
                lo, hi = min(lo, float(fraction[name])), max(hi, float(fraction[name]))
            rows.append((route.id, name, n, k, float(fraction[name]), lo, hi,
                         float(copies[name])))
    return pd.DataFrame(rows, columns=CARRIER_COLUMNS)


def route_visibility(genome_ec: pd.DataFrame, routes: Iterable[Route],
                     carriers: pd.DataFrame) -> pd.DataFrame:
    """Per route (:data:`VISIBILITY_COLUMNS`): whether the reference annotates every specific
    step in at least one genome (``seen``), the unseen ECs, and the number of genera with a
    carrier fraction above zero."""
    annotated = {c for c in genome_ec.columns if float(genome_ec[c].max()) >= MIN_COPIES}
    rows = []
    for route in routes:
        unseen = [ec for step in route.specific if not set(step) & annotated for ec in step]
        seen = bool(route.specific) and not unseen
        sub = carriers[carriers["route"] == route.id]
        rows.append((route.id, "yes" if seen else "no", ",".join(unseen),
                     int((sub["carrier_fraction"] > 0).sum())))
    return pd.DataFrame(rows, columns=VISIBILITY_COLUMNS)


# ----------------------------------------------------------------------------- loading


@dataclass(frozen=True)
class RouteReference:
    """A reference's route carriage: carriers (route, genus -> values) and visibility."""

    carriers: pd.DataFrame
    visibility: pd.DataFrame

    def seen(self, route: str) -> bool:
        row = self.visibility[self.visibility["route"] == route]
        return bool(len(row)) and row["seen"].iloc[0] == "yes"


def load_route_reference(folder: str | Path) -> RouteReference | None:
    """``route_carriers.tsv`` and ``route_visibility.tsv`` of a genus profile reference folder;
    None when the folder has neither (an older or custom reference: every route is then not
    measurable with it)."""
    base = Path(folder)
    files = [base / "route_carriers.tsv", base / "route_visibility.tsv"]
    if not any(f.exists() for f in files):
        return None
    carriers = read_text_table(files[0], CARRIER_COLUMNS)
    visibility = read_text_table(files[1], VISIBILITY_COLUMNS)
    for column in ("carrier_fraction", "carrier_low", "carrier_high", "marker_copies"):
        values = pd.to_numeric(carriers[column].replace("", np.nan), errors="coerce")
        bad = values.isna() & (carriers[column] != "")
        if bad.any():
            line = int(np.flatnonzero(bad.to_numpy())[0]) + 2
            raise InputError(f"{files[0]}: line {line}, column {column}: not a number")
        carriers[column] = values
    return RouteReference(carriers=carriers, visibility=visibility)


# ----------------------------------------------------------------------------- samples


def genus_cells(table: pd.DataFrame, genus_of_asv: Mapping[str, str | None],
                copies: Mapping[str, float], fallback_copies: float) -> pd.DataFrame:
    """Genus x sample predicted cells (reads / 16S copies); ASVs without a genus are summed
    under the empty name '' (with ``fallback_copies``)."""
    names = [genus_of_asv.get(str(a)) or "" for a in table.index]
    per_copy = np.array([copies.get(n, fallback_copies) if n else fallback_copies
                         for n in names], dtype=np.float64)
    cells = table.astype(np.float64).div(per_copy, axis=0)
    return cells.groupby(np.array(names, dtype=object)).sum()


def sample_route_measures(
    cells: pd.DataFrame,
    routes: Sequence[Route],
    reference: RouteReference | None,
    present_share: float,
    min_resolved: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per sample and route: status, carrier share (with bounds), defining-enzyme copies per
    cell, fraction of cells resolved, run percentile; and the carrier genera behind each share.

    ``cells``: genus x sample predicted cells (:func:`genus_cells`). Statuses: ``present``
    (carrier share >= ``present_share``), ``low`` (above 0, below it), ``absent`` (0 among
    the resolved cells), ``unresolved`` (fewer than ``min_resolved`` of the cells belong to
    genera with a carriage value, or no cells), ``not_measurable`` (declared, or the reference
    does not see a specific step), ``not_predictable``.
    """
    samples = [str(s) for s in cells.columns]
    totals = cells.sum(axis=0).to_numpy(np.float64)
    measures, contributors = [], []
    for route in routes:
        if route.role == "not_predictable":
            status = "not_predictable"
        elif not route.measurable or reference is None or not reference.seen(route.id):
            status = "not_measurable"
        else:
            status = ""
        if status:
            measures.extend((s, route, status, np.nan, np.nan, np.nan, np.nan, "", np.nan,
                             np.nan) for s in samples)
            continue
        sub = reference.carriers[reference.carriers["route"] == route.id]
        sub = sub[sub["carrier_fraction"].notna()].set_index("genus")
        genera = [g for g in cells.index if g in sub.index]
        c = cells.loc[genera].to_numpy(np.float64)
        resolved = c.sum(axis=0)
        f = sub.loc[genera, "carrier_fraction"].to_numpy(np.float64)
        partial = (f >= MIN_PARTIAL_FRACTION) & (f < MIN_CARRIER_FRACTION)
        f = np.where(f >= MIN_CARRIER_FRACTION, f, 0.0)
        lo = np.where(f > 0, sub.loc[genera, "carrier_low"].to_numpy(np.float64), 0.0)
        # The upper bound keeps genera below the carrier threshold: some of their species
        # may carry the route.
        hi = sub.loc[genera, "carrier_high"].to_numpy(np.float64)
        m = sub.loc[genera, "marker_copies"].to_numpy(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = (f @ c) / resolved
            share_lo = (lo @ c) / resolved
            share_hi = (hi @ c) / resolved
            per_cell = (m @ c) / resolved
            share_partial = (partial.astype(np.float64) @ c) / resolved
            frac_resolved = np.where(totals > 0, resolved / totals, 0.0)
        for j, sample in enumerate(samples):
            if totals[j] <= 0 or frac_resolved[j] < min_resolved or resolved[j] <= 0:
                row_status = "unresolved"
            elif share[j] >= present_share:
                row_status = "present"
            elif share[j] > 0:
                row_status = "low"
            else:
                row_status = "absent"
            valued = resolved[j] > 0
            some = [i for i in np.argsort(-c[:, j], kind="stable") if partial[i] and c[i, j] > 0]
            measures.append((sample, route, row_status,
                             share[j] if valued else np.nan,
                             share_lo[j] if valued else np.nan,
                             share_hi[j] if valued else np.nan,
                             share_partial[j] if valued else np.nan,
                             ";".join(genera[i] for i in some[:MAX_PARTIAL_GENERA]),
                             per_cell[j] if valued else np.nan, frac_resolved[j]))
            if valued and share[j] > 0:
                weights = f * c[:, j]
                total = weights.sum()
                for i in np.flatnonzero(weights > 0):
                    contributors.append((sample, route.id, genera[i], float(f[i]),
                                         float(weights[i] / total)))
    rows = []
    by_route: dict[str, dict[str, float]] = {}
    for sample, route, status, *values in measures:
        if status in ("present", "low", "absent"):
            by_route.setdefault(route.id, {})[sample] = float(values[0])
    percentiles = {r: {s: mid_rank_percentile(v, s) for s in v} for r, v in by_route.items()}
    for sample, route, status, share, lo, hi, part, part_genera, per_cell, resolved in measures:
        position = percentiles.get(route.id, {}).get(sample)
        rows.append((sample, route.id, route.compound, route.direction, route.role, status,
                     share, lo, hi, part, part_genera, per_cell, resolved,
                     np.nan if position is None else position))
    table = pd.DataFrame(rows, columns=MEASURE_COLUMNS)
    contrib = pd.DataFrame(contributors, columns=CONTRIBUTOR_COLUMNS)
    contrib = contrib.sort_values(["sample", "route", "share", "genus"],
                                  ascending=[True, True, False, True], kind="mergesort")
    return table, contrib.reset_index(drop=True)


# ----------------------------------------------------------------------------- EC tables


def ec_route_copies(ec_table: pd.DataFrame, routes: Iterable[Route],
                    cell_ecs: Sequence[str] = CORE_AARS) -> pd.DataFrame:
    """Route x sample copies per cell from an EC x sample abundance table (``EC:`` row names):
    the smallest, over the route's specific steps, of the step's copies (its alternatives
    summed), divided by the cells, counted as the median of the single-copy ``cell_ecs``.
    Measurable routes only. A route with a specific step none of whose ECs is a row of the
    table is NaN: the table cannot report that step, which is not the same as its absence."""
    cells_rows = [e for e in cell_ecs if e in ec_table.index]
    if not cells_rows:
        raise InputError("EC table has none of the single-copy ECs used to count cells")
    cells = ec_table.loc[cells_rows].median(axis=0).replace(0, np.nan)
    out = {}
    for route in routes:
        if not route.measurable or not route.specific:
            continue
        steps = []
        for step in route.specific:
            rows = [e for e in step if e in ec_table.index]
            steps.append(ec_table.loc[rows].sum(axis=0) if rows else None)
        if any(s is None for s in steps):
            out[route.id] = pd.Series(np.nan, index=ec_table.columns)
            continue
        out[route.id] = pd.concat(steps, axis=1).min(axis=1) / cells
    return pd.DataFrame(out).T


@dataclass(frozen=True)
class RouteCells:
    """What the route measures are computed from: genus x sample predicted cells, and per ASV
    its normalised genus ('' when none) and 16S copies."""

    cells: pd.DataFrame
    genus: pd.Series
    copies: pd.Series


def route_cells(asv_table: str, taxonomy: str, reference: str, genus_copies: str) -> RouteCells:
    """Predicted cells for the route measures: genus names normalised with the reference's
    moved species, reads divided by rrnDB's 16S copies where ``genus_copies`` lists the genus,
    else by the reference's genome mean, else by the reference median."""
    from gutbrain.asv import read_asv_table
    from gutbrain.genus_profile import normalise_genus, read_species_map, reference_files
    from gutbrain.literature import load_genus_copies
    from gutbrain.taxonomy import UNCLASSIFIED, genus_of_asvs

    table = read_asv_table(asv_table)
    moved = read_species_map(reference)
    names = {a: normalise_genus(g, moved) if g != UNCLASSIFIED else None
             for a, g in genus_of_asvs(taxonomy).items()}
    # Only the genus table is needed (not the EC profile): 16S copies per genus.
    genera = pd.read_csv(reference_files(reference)["genera"], sep="\t", dtype={"genus": str})
    copies = genera.set_index("genus")["mean_16s_copies"].dropna()
    per_genus = {str(g): float(c) for g, c in copies.items() if c > 0}
    curated = load_genus_copies(genus_copies)
    per_genus.update({str(g): float(c) for g, c in
                      zip(curated["genus"], curated["copies_16s"], strict=True)})
    fallback = float(copies.median()) if len(copies) else 1.0
    genus = pd.Series({str(a): names.get(str(a)) or "" for a in table.index}, dtype=object)
    per_asv = pd.Series([per_genus.get(g, fallback) if g else fallback for g in genus],
                        index=genus.index, dtype=float)
    return RouteCells(cells=genus_cells(table, names, per_genus, fallback), genus=genus,
                      copies=per_asv)
