"""The export step (``workflow/rules/export.smk``): the run's results in the formats other
tools read unchanged.

* ``results/export/asv_table.biom``: the on-target ASV table as BIOM 1.0 JSON with each ASV's
  taxonomy (kingdom..species, ``k__``-style prefixes, as phyloseq's ``parse_taxonomy_greengenes``
  reads them) and the sample sheet's metadata; beside it the ASV tree and ``make_phyloseq.R``,
  which builds a phyloseq object from the three (``Rscript results/export/make_phyloseq.R``).
* ``results/export/picrust2/{KO,EC}_pred_metagenome_unstrat.tsv``: the predicted KO and EC
  tables in PICRUSt2's layout (a ``function`` column, one column per sample), which ggpicrust2
  and MaAsLin read as they read PICRUSt2's own.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from gutbrain import tables
from gutbrain.asv import read_asv_table
from gutbrain.io import write_text, write_tsv
from gutbrain.ranks import RANKS

#: Rank prefixes of the exported taxonomy strings (Greengenes style).
PREFIXES = {"kingdom": "k__", "phylum": "p__", "class": "c__", "order": "o__",
            "family": "f__", "genus": "g__", "species": "s__"}


def biom_with_metadata(table: pd.DataFrame, taxonomy: pd.DataFrame,
                       samples: pd.DataFrame, generated_by: str) -> str:
    """The table (ASV x sample counts) as BIOM 1.0 JSON text with taxonomy and sample
    metadata."""
    import biom

    tax = taxonomy.reindex(table.index).fillna("")
    observation_metadata = [
        {"taxonomy": [f"{PREFIXES[r]}{tax.loc[a, r] if r in tax.columns else ''}"
                      for r in RANKS]}
        for a in table.index]
    meta = samples.reindex(table.columns).fillna("").astype(str)
    sample_metadata = [dict(meta.loc[s]) if len(meta.columns) else {} for s in table.columns]
    out = biom.Table(table.to_numpy(dtype=float), list(map(str, table.index)),
                     list(map(str, table.columns)), observation_metadata, sample_metadata,
                     table_id="gutbrain16s", type="OTU table")
    return out.to_json(generated_by)


def picrust2_layout(name: str, path: str, out: str) -> None:
    """Published KO or EC table ``name`` in PICRUSt2's layout: the first column named
    ``function``."""
    table = tables.read(name, path)
    table = table.rename(columns={table.columns[0]: "function"})
    write_tsv(table, out)


def export_results(inputs: Mapping[str, str], outputs: Mapping[str, str], r_script: str,
                   generated_by: str) -> None:
    """Write every export file of the run."""
    table = read_asv_table(inputs["table"])
    taxonomy = tables.read("asv_taxonomy", inputs["taxonomy"], dtype=str,
                           keep_default_na=False).set_index("asv_id")
    sheet = tables.read("samples", inputs["samples"], dtype=str, keep_default_na=False)
    sheet = sheet.set_index("sample")
    sheet = sheet[[c for c in sheet.columns if c not in ("fq1", "fq2")]]
    write_text(biom_with_metadata(table, taxonomy, sheet, generated_by), outputs["biom"])
    write_tsv(sheet.reset_index(), outputs["metadata"])
    shutil.copyfile(inputs["tree"], outputs["tree"])
    shutil.copyfile(r_script, outputs["r_script"])
    picrust2_layout("ko_abundance", inputs["ko"], outputs["ko"])
    picrust2_layout("ec_abundance", inputs["ec"], outputs["ec"])
    Path(outputs["r_script"]).chmod(0o644)
