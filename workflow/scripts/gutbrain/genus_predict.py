"""Taxonomy-based functional prediction (``function.method: genus_profile``).

Each ASV's genus comes from the pipeline's own taxonomy, spelled one way across references
(:func:`gutbrain.genus_profile.normalise_genus`). An ASV whose genus has a genome-derived
profile is ``predicted``: its reads are divided by the genus's mean 16S copies (the
reference-wide median where the genus has no known copy number) and multiplied by the genus's
mean EC (and KO) copies per genome. Sample abundance = sum over predicted ASVs.

ASVs without a genus (``no_genus``) or whose genus the reference lacks (``no_profile``) are
counted in the confidence table and never silently dropped; they contribute nothing, so the
fraction of reads predicted is part of every result. The genomes behind a prediction (how many
sequenced genomes the genus profile averages) are its other confidence figure.

All of this is *predicted potential* from 16S, not a measurement of the genes present.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from .errors import InputError
from .genus_profile import GenusProfile, ko_profile, normalise_genus
from .tables import columns

STATUSES = ("predicted", "no_genus", "no_profile")
PREDICTION_COLUMNS = [
    "asv_id", "genus", "profile_genus", "n_genomes", "copies_16s", "copies_16s_source", "status",
]


def assign_profiles(genus_of_asv: Mapping[str, str], asv_ids: Iterable[str],
                    profile: GenusProfile) -> pd.DataFrame:
    """One row per ASV (in ``asv_ids`` order): its genus, the profile used, 16S copies, status."""
    ids = [str(a) for a in asv_ids]
    if len(set(ids)) != len(ids):
        dup = pd.Index(ids)[pd.Index(ids).duplicated()][0]
        raise InputError(f"duplicated ASV ID given to prediction: {dup}")
    genera = profile.genera
    known_copies = genera["mean_16s_copies"].dropna()
    fallback = float(known_copies.median()) if len(known_copies) else 1.0
    rows = []
    for asv in ids:
        raw = str(genus_of_asv.get(asv, "") or "")
        name = normalise_genus(raw, profile.species_genera) if raw else None
        if name is None:
            rows.append((asv, raw, "", 0, np.nan, "", "no_genus"))
        elif name not in genera.index:
            rows.append((asv, raw, name, 0, np.nan, "", "no_profile"))
        else:
            copies = genera.at[name, "mean_16s_copies"]
            source = "genus" if pd.notna(copies) and copies > 0 else "reference_median"
            rows.append((asv, raw, name, int(genera.at[name, "n_genomes"]),
                         float(copies) if source == "genus" else fallback, source, "predicted"))
    return pd.DataFrame(rows, columns=PREDICTION_COLUMNS)


def genus_abundance(table: pd.DataFrame, predictions: pd.DataFrame) -> pd.DataFrame:
    """Profile genus x sample copy-number-normalised abundance of the predicted ASVs."""
    preds = predictions.set_index("asv_id")
    missing = table.index.difference(preds.index)
    if len(missing):
        raise InputError(f"{len(missing)} ASV(s) of the ASV table have no prediction row "
                         f"(e.g. {', '.join(missing[:3])})")
    ok = preds.loc[table.index, "status"].to_numpy() == "predicted"
    asvs = table.index[ok]
    norm = table.loc[asvs].astype(np.float64).div(preds.loc[asvs, "copies_16s"], axis=0)
    return norm.groupby(preds.loc[asvs, "profile_genus"].to_numpy()).sum()


def feature_abundance(genus_table: pd.DataFrame, profile_table: pd.DataFrame,
                      name: str) -> pd.DataFrame:
    """Feature (EC or KO) x sample: genus profile copies times genus abundance."""
    genera = genus_table.index
    values = profile_table.loc[genera].to_numpy(np.float64).T @ genus_table.to_numpy(np.float64)
    out = pd.DataFrame(values, index=pd.Index(profile_table.columns, name=name),
                       columns=genus_table.columns)
    return out


def predict_tables(
    table: pd.DataFrame,
    predictions: pd.DataFrame,
    profile: GenusProfile,
    needed_kos: Iterable[str],
) -> dict[str, pd.DataFrame]:
    """EC and KO abundance (every feature the reference sees) and per-ASV KO copies.

    Returns ``ec_abundance`` (EC x sample), ``ko_abundance`` (KO x sample, known KOs only: a KO
    the reference cannot see is not a row) and ``asv_ko`` (predicted ASV x the needed KOs the
    reference sees, copies per genome, index ``asv_id``).
    """
    kos = ko_profile(profile.ec, profile.ko_ec)
    genus_table = genus_abundance(table, predictions)
    if genus_table.empty:
        genus_table = pd.DataFrame(0.0, index=pd.Index([], dtype=str), columns=table.columns)
    ec_abundance = feature_abundance(genus_table, profile.ec, "ec")
    ko_abundance = feature_abundance(genus_table, kos, "ko")
    wanted = [k for k in dict.fromkeys(needed_kos) if k in kos.columns]
    preds = predictions.set_index("asv_id")
    predicted = preds.index[preds["status"] == "predicted"]
    asv_ko = kos.loc[preds.loc[predicted, "profile_genus"], wanted].copy()
    asv_ko.index = pd.Index(predicted, name="asv_id")
    return {"ec_abundance": ec_abundance, "ko_abundance": ko_abundance,
            "asv_ko": asv_ko.astype(np.float32)}


def sample_confidence(table: pd.DataFrame, predictions: pd.DataFrame) -> pd.DataFrame:
    """Per-sample confidence: fraction of reads predicted and the genomes behind them.

    ``genomes_per_read`` is the read-weighted mean number of genomes averaged by the profiles
    of the predicted reads (NaN when no read is predicted); ``weighted_distance`` is empty
    (this method does not place ASVs on reference genomes).
    """
    preds = predictions.set_index("asv_id").reindex(table.index)
    counts = table.to_numpy(np.float64)
    ok = (preds["status"] == "predicted").to_numpy()
    genomes = preds["n_genomes"].fillna(0).to_numpy(np.float64)
    total = counts.sum(axis=0)
    predicted = counts[ok].sum(axis=0)
    weighted = (counts[ok] * genomes[ok, None]).sum(axis=0)
    present = counts > 0
    genus = preds["profile_genus"].to_numpy()
    n_genera = [len(set(genus[ok & present[:, s]])) for s in range(counts.shape[1])]
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.where(total > 0, predicted / np.where(total > 0, total, 1), 0.0)
        per_read = np.where(predicted > 0, weighted / np.where(predicted > 0, predicted, 1),
                            np.nan)
    return pd.DataFrame({
        "sample": [str(s) for s in table.columns],
        "method": "genus_profile",
        "weighted_distance": np.nan,
        "fraction_reads_predicted": fraction,
        "genomes_per_read": per_read,
        "n_genera_predicted": n_genera,
        "n_asvs": present.sum(axis=0).astype(int),
        "n_asvs_predicted": (present & ok[:, None]).sum(axis=0).astype(int),
        "reads_total": total.astype(np.int64),
        "reads_predicted": predicted.astype(np.int64),
    }, columns=columns("sample_confidence"))
