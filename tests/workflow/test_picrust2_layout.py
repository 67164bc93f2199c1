"""The PICRUSt2 backend (function.method: picrust2) against PICRUSt2 2.6's output layout.

PICRUSt2 is not installable here, so a stand-in ``picrust2_pipeline.py`` on PATH writes what
PICRUSt2 2.6 writes (picrust2/pipeline.py of 2.6: bacteria and archaea placed separately,
``bac_*``/``arc_*`` tables, ``combined_*`` tables and ``combined_marker_predicted_and_nsti``
with the domain of each sequence), from the run's own ASV FASTA. The rule must pick the
combined tables, and the ingest step must read them into the function tables."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from tools.snakemake_run import snakemake_cmd

from .conftest import require_tools, tool_env, write_config

pytestmark = pytest.mark.workflow

STAND_IN = r'''#!/usr/bin/env python3
"""Stand-in for PICRUSt2 2.6's picrust2_pipeline.py: writes its output layout."""
import gzip, os, sys
args = sys.argv[1:]
fasta, out = args[args.index("-s") + 1], args[args.index("-o") + 1]
ids = [l[1:].split()[0] for l in open(fasta) if l.startswith(">")]
os.makedirs(out)
kos = ["K00001", "K01034", "K01035", "K01580", "K00248"]
ecs = ["EC:1.1.1.1", "EC:4.1.1.15", "EC:1.3.8.1"]
def table(name, cols, value):
    with gzip.open(os.path.join(out, name), "wt") as h:
        h.write("sequence\t" + "\t".join(cols) + "\n")
        for i, a in enumerate(ids):
            h.write(a + "\t" + "\t".join(str(value(i, j)) for j in range(len(cols))) + "\n")
for dom in ("bac", "arc", "combined"):
    table(f"{dom}_KO_predicted.tsv.gz", kos, lambda i, j: (i + j) % 3)
    table(f"{dom}_EC_predicted.tsv.gz", ecs, lambda i, j: (i * j) % 2)
for dom in ("bac", "arc"):
    table(f"{dom}_marker_predicted_and_nsti.tsv.gz", ["16S_rRNA_Count", "metadata_NSTI"],
          lambda i, j: (1 + i % 4) if j == 0 else 0.05)
with gzip.open(os.path.join(out, "combined_marker_predicted_and_nsti.tsv.gz"), "wt") as h:
    h.write("sequence\t16S_rRNA_Count\tmetadata_NSTI\tdomain\n")
    for i, a in enumerate(ids):
        h.write(f"{a}\t{1 + i % 4}\t0.05\tbac\n")
'''


def test_the_picrust2_rule_reads_the_2_6_layout(tmp_path, dada2_extdata) -> None:
    require_tools()
    from tools.simulate import make_mock

    sheet = make_mock(tmp_path / "data", "dada2", dada2_extdata=dada2_extdata, n_samples=2,
                      n_pairs=400)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stand_in = bin_dir / "picrust2_pipeline.py"
    stand_in.write_text(STAND_IN)
    stand_in.chmod(0o755)
    config = write_config(tmp_path, sheet, **{"function.method": "picrust2"})
    env = tool_env()
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    done = subprocess.run(
        snakemake_cmd(tmp_path, config, "results/function/ko_abundance.tsv",
                      "results/function/ec_abundance.tsv",
                      "results/function/sample_confidence.tsv"),
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    picked = Path(tmp_path / "results/function/picrust2")
    combined = pd.read_csv(picked / "run" / "combined_KO_predicted.tsv.gz", sep="\t")
    assert pd.read_csv(picked / "KO_predicted.tsv.gz", sep="\t").equals(combined)
    ko = pd.read_csv(tmp_path / "results/function/ko_abundance.tsv", sep="\t").set_index("ko")
    assert {"K01034", "K01580"} <= set(ko.index) and ko.to_numpy().sum() > 0
    ec = pd.read_csv(tmp_path / "results/function/ec_abundance.tsv", sep="\t")
    assert "EC:4.1.1.15" in set(ec.iloc[:, 0])
    # One shape of sample_confidence.tsv for every method, naming this one (the sample pages
    # read the method from it; PICRUSt2 runs were labelled "nearest" when it had no column).
    from gutbrain.predict import CONFIDENCE_COLUMNS

    confidence = pd.read_csv(tmp_path / "results/function/sample_confidence.tsv", sep="\t")
    assert list(confidence.columns) == CONFIDENCE_COLUMNS
    assert set(confidence["method"]) == {"picrust2"}
