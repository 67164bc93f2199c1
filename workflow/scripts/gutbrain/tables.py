"""The published tables: each declared once, with its path under the results folder, its
columns in written order and which of them are numbers.

The rule files take paths from here (``published(name)`` in ``common.smk``), the modules that
write a table take its columns from here, and the report reads with the same declaration
(:mod:`gutbrain.report.inputs`). Wide tables (one column per sample) declare their ID column
only. Besides the tables the pages read, the tables that pass between steps are declared too
(the denoisers' sequence tables and counts, the classifiers' output, the per-ASV predictions),
so that every table a step or page reads has one declaration; files in a format of their own
(beta matrices, per-contrast comparison tables, provenance parts, other tools' layouts) are
not declared here. A path may hold ``{fields}`` (``{method}``, ``{sample}``, ``{metric}``),
given to :func:`published`. Imported while Snakemake parses the
workflow: standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    """A published TSV: ``path`` relative to the results folder; ``columns`` in written order
    (for a wide table, its ID column: the samples follow); ``numeric`` the number columns;
    ``required`` the columns a reader cannot do without (default: all of ``columns``);
    ``ids`` the columns always read as text (default: the first column); ``extensible``: the
    writer may add columns to the declared ones (by method or by what a tool assigned)."""

    name: str
    path: str
    columns: tuple[str, ...]
    numeric: tuple[str, ...] = ()
    wide: bool = False
    required: tuple[str, ...] | None = None
    ids: tuple[str, ...] | None = None
    extensible: bool = False

    @property
    def needed(self) -> tuple[str, ...]:
        return self.columns if self.required is None else self.required

    @property
    def text_columns(self) -> tuple[str, ...]:
        return self.columns[:1] if self.ids is None else self.ids


#: Read-tracking steps, in order (the columns of read_tracking.tsv after ``sample``).
TRACKING_STEPS = ("input", "primer_trimmed", "filtered", "denoised", "merged", "nonchimeric",
                  "taxonomy_kept")

_DECLARED = (
    Table("samples", "samples.tsv", ("sample",), required=("sample",)),
    Table("primer_check", "qc/primer_check.tsv",
          ("sample", "input", "primer_trimmed", "primer_fraction", "status"),
          numeric=("input", "primer_trimmed", "primer_fraction")),
    Table("read_tracking", "qc/read_tracking.tsv",
          ("sample", *TRACKING_STEPS, "primer_fraction", "flag"),
          numeric=TRACKING_STEPS, required=("sample", "input")),
    Table("asv_table", "asv/asv_table.tsv", ("asv_id",), wide=True),
    Table("asv_table_filtered", "taxonomy/asv_table_filtered.tsv", ("asv_id",), wide=True),
    Table("asv_taxonomy", "taxonomy/asv_taxonomy.tsv",
          ("asv_id", "kingdom", "phylum", "class", "order", "family", "genus", "species",
           "kingdom_conf", "phylum_conf", "class_conf", "order_conf", "family_conf",
           "genus_conf", "species_conf", "status"),
          required=("asv_id", "genus")),
    Table("alpha", "diversity/alpha.tsv",
          ("sample", "observed_asvs", "shannon", "simpson", "faith_pd", "rarefaction_depth",
           "reads", "observed_asvs_unrarefied", "status"),
          numeric=("observed_asvs", "shannon", "simpson", "faith_pd", "rarefaction_depth",
                   "reads", "observed_asvs_unrarefied"),
          required=("sample", "observed_asvs", "shannon", "simpson")),
    # Principal coordinates of one beta metric, after '#' lines (proportion explained, note):
    # gutbrain.pcoa_table.
    Table("pcoa", "diversity/pcoa_{metric}.tsv", ("sample", "PC1", "PC2", "PC3"),
          numeric=("PC1", "PC2", "PC3")),
    Table("ko_abundance", "function/ko_abundance.tsv", ("ko",), wide=True),
    Table("ec_abundance", "function/ec_abundance.tsv", ("ec",), wide=True),
    Table("ko_contributions", "function/ko_contributions.tsv",
          ("sample", "ko", "asv_id", "genus", "abundance", "share"),
          numeric=("abundance", "share"), ids=("sample", "ko", "asv_id", "genus")),
    Table("sample_confidence", "function/sample_confidence.tsv",
          ("sample", "method", "weighted_distance", "fraction_reads_predicted",
           "genomes_per_read", "n_genera_predicted", "n_asvs", "n_asvs_predicted",
           "reads_total", "reads_predicted"),
          numeric=("weighted_distance", "fraction_reads_predicted", "genomes_per_read",
                   "n_genera_predicted", "n_asvs", "n_asvs_predicted", "reads_total",
                   "reads_predicted"),
          required=("sample", "weighted_distance", "fraction_reads_predicted")),
    Table("module_scores", "function/module_scores.tsv",
          ("module", "name", "category", "direction", "sample", "score", "coverage", "status"),
          numeric=("score", "coverage")),
    Table("module_contributions", "function/module_contributions.tsv",
          ("module", "sample", "genus", "share", "rank"), numeric=("share", "rank")),
    Table("marker_genes", "function/marker_genes.tsv",
          ("marker", "kos", "sample", "abundance", "top_genera", "status"),
          numeric=("abundance",),
          required=("marker", "kos", "sample", "abundance", "top_genera")),
    Table("route_measures", "function/route_measures.tsv",
          ("sample", "route", "compound", "direction", "role", "status", "carrier_share",
           "carrier_share_low", "carrier_share_high", "partial_share", "partial_genera",
           "marker_copies_per_cell", "fraction_cells_resolved", "run_percentile"),
          numeric=("carrier_share", "carrier_share_low", "carrier_share_high", "partial_share",
                   "marker_copies_per_cell", "fraction_cells_resolved", "run_percentile"),
          required=("sample", "route", "status", "carrier_share", "carrier_share_low",
                    "carrier_share_high", "partial_share", "partial_genera",
                    "marker_copies_per_cell", "fraction_cells_resolved", "run_percentile")),
    Table("route_contributors", "function/route_contributors.tsv",
          ("sample", "route", "genus", "carrier_fraction", "share"),
          numeric=("carrier_fraction", "share")),
    Table("provenance", "provenance.tsv", ("name", "kind", "version", "source", "sha256", "date")),
    # Tables between steps. A denoiser's sequence table: ``sequence`` then one count column per
    # sample (written by dada2_denoise.R or gutbrain.steps.denoise).
    Table("seqtab", "asv/{method}/seqtab.tsv", ("sequence",), wide=True),
    # A denoiser's read counts per sample. DADA2 writes every column; UNOISE3 writes sample,
    # denoised and nonchimeric (its merged and filtered counts are per sample: prepare_counts).
    Table("denoise_tracking", "asv/{method}/tracking.tsv",
          ("sample", "filtered", "denoised", "merged", "nonchimeric"),
          numeric=("filtered", "denoised", "merged", "nonchimeric"),
          required=("sample", "denoised", "nonchimeric")),
    # One sample's UNOISE3 preparation counts (gutbrain.unoise.prepare_sample; no pandas there).
    Table("prepare_counts", "asv/unoise3/counts/{sample}.tsv", ("sample", "merged", "filtered"),
          numeric=("merged", "filtered")),
    Table("asv_filter_summary", "asv/asv_filter_summary.tsv",
          ("asvs_in", "removed_length", "removed_abundance", "reads_removed", "asvs_out"),
          numeric=("asvs_in", "removed_length", "removed_abundance", "reads_removed", "asvs_out"),
          ids=()),
    # A classifier's output: DADA2's has a header (asv_id, the ranks it assigned, boot_<rank>);
    # SINTAX's is vsearch's headerless --tabbedout, read by gutbrain.taxonomy.from_sintax.
    Table("assignments", "taxonomy/{method}/assignments.tsv", ("asv_id",), extensible=True),
    # DADA2's classifications by sequence, when the denoising job classifies (sequence, ranks,
    # boot_<rank>); build_asv_table keys them by ASV ID into assignments.
    Table("classified_by_sequence", "asv/{method}/taxonomy_by_sequence.tsv", ("sequence",),
          extensible=True),
    # Reads per sample and ASVs of each taxonomy status (kept, off_target:...): status, asvs,
    # then one column per sample.
    Table("off_target_summary", "taxonomy/off_target_summary.tsv", ("status", "asvs"),
          wide=True),
    # Per-ASV predictions of the function step. Every method writes asv_id, copies_16s and
    # status; the nearest-genome and PICRUSt2 methods add their hits' columns
    # (gutbrain.predict.predict_asv_traits, gutbrain.picrust2.to_asv_predictions), the genus
    # method its genus columns (gutbrain.genus_predict).
    Table("asv_predictions", "function/asv_predictions.tsv", ("asv_id", "copies_16s", "status"),
          numeric=("copies_16s",), extensible=True),
    # Predicted KO copies per ASV: asv_id then one column per KO.
    Table("asv_ko_copies", "function/asv_ko_copies.tsv", ("asv_id",), extensible=True),
    Table("comparisons", "compare/comparisons.tsv",
          ("contrast", "family", "feature", "label", "n_test", "n_reference", "median_test",
           "median_reference", "effect", "ci_low", "ci_high", "effect_unit", "p", "q",
           "significant", "method", "drivers"),
          numeric=("median_test", "median_reference", "effect", "ci_low", "ci_high", "p", "q")),
    Table("compare_checks", "compare/checks.tsv",
          ("contrast", "measure", "median_test", "median_reference", "p", "note"),
          numeric=("median_test", "median_reference", "p"),
          required=("contrast", "measure", "note")),
)

#: Every published table by name.
TABLES: dict[str, Table] = {t.name: t for t in _DECLARED}


def published(name: str, results: str = "results", **fields: str) -> str:
    """The path of published table ``name`` under the ``results`` folder, its ``{fields}``
    filled in (e.g. ``method="dada2"``; ``sample="{sample}"`` keeps a Snakemake wildcard)."""
    return f"{results}/{TABLES[name].path.format(**fields)}"


def read(name: str, path, **options):
    """Published table ``name`` from ``path`` as a pandas DataFrame: its ID columns as text,
    the other columns as pandas reads them (``options`` go to ``pandas.read_csv``). A column
    the declaration needs that the file lacks raises InputError naming the file."""
    import pandas as pd

    from gutbrain.errors import InputError

    table = TABLES[name]
    options.setdefault("dtype", {c: str for c in table.text_columns})
    frame = pd.read_csv(path, sep="\t", **options)
    needed = table.columns[:1] if table.wide else table.needed
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: lacks column(s) {', '.join(missing)} of the published "
                         f"table {name} (gutbrain.tables); rerun the step that writes it")
    return frame


def columns(name: str) -> list[str]:
    """The declared columns of ``name``, in written order (a list, as writers pass them)."""
    return list(TABLES[name].columns)
