"""Helpers for end-to-end workflow tests: run Snakemake in a scratch folder with a config."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tools.snakemake_run import snakemake_cmd

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def tool_env() -> dict[str, str]:
    """Environment with the venv's tools (cutadapt, multiqc, snakemake) first on PATH."""
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def require_tools() -> None:
    """Skip when the external tools are not installed (make test installs them)."""
    for tool in ("vsearch", "Rscript", "cutadapt"):
        if shutil.which(tool, path=tool_env()["PATH"]) is None:
            pytest.skip(f"{tool} not installed (run make setup)")


def write_config(workdir: Path, sheet: Path, **overrides) -> Path:
    """Write the shipped config with the sample sheet and dotted-key overrides into workdir."""
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["samples"] = str(sheet)
    config["references"]["cache_dir"] = str(workdir / "cache")
    for key, value in overrides.items():
        node = config
        parts = key.split(".")
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = value
    path = workdir / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def run_snakemake(
    workdir: Path, config: Path, *args: str, check: bool = True, timeout: int = 900
) -> subprocess.CompletedProcess:
    """Run the pipeline in workdir; return the completed process (stdout+stderr in .stdout)."""
    proc = subprocess.run(
        snakemake_cmd(workdir, config, *args),
        cwd=workdir,
        env=tool_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake failed ({proc.returncode}):\n{proc.stdout[-6000:]}")
    return proc


def logged_text(workdir: Path, proc) -> str:
    """Console output plus the text of every log file of the run."""
    logs = sorted((workdir / "logs").rglob("*.log")) if (workdir / "logs").exists() else []
    return proc.stdout + "".join(p.read_text(errors="replace") for p in logs)


def pipeline_message(text: str) -> str:
    """The line(s) carrying the pipeline's own message (InputError / WorkflowError / schema)."""
    keep = [
        line.strip()
        for line in text.splitlines()
        if line.lstrip().startswith(
            (
                "gutbrain.errors.InputError",
                "InputError",
                "WorkflowError",
                "Sample sheet problem",
                "Reference problem",
                "Group comparison problem",
                "config key",
                "ValidationError",
                "On instance",
            )
        )
        or "in config" in line
        or "Failed validating" in line
    ]
    return " | ".join(dict.fromkeys(keep))


@pytest.fixture(scope="session")
def mock_dataset(tmp_path_factory, dada2_extdata) -> Path:
    """A simulated mock community (Zymo amplicons when shared data exist, else DADA2 reference)."""
    from tools.simulate import make_mock

    zymo = REPO.parent / "shared" / "data" / "zymo_mock_truth" / "Zymo_ASVs.fa"
    out = tmp_path_factory.mktemp("mock")
    if zymo.exists():
        return make_mock(out, "zymo", zymo_fasta=zymo, n_samples=3, n_pairs=3000)
    return make_mock(out, "dada2", dada2_extdata=dada2_extdata, n_samples=3, n_pairs=3000)


@pytest.fixture(scope="session")
def genus_bundle(tmp_path_factory, dada2_extdata) -> Path:
    """A small reference bundle for the nearest-genome method, built offline.

    Its "genomes" are the DADA2 package reference's 16S sequences whose genus has a profile in
    resources/genus_profile (at most three per genus), each carrying its genus's KO and EC copies
    and 16S copy number (kind genus_profile): real sequences with genome-derived gene content.
    The EC table is named as PICRUSt2's ec.txt.gz is (1.1.1.1, no EC: prefix).
    """
    import gzip

    import dnaio
    from gutbrain.genus_profile import ko_profile, load_profile, normalise_genus
    from gutbrain.taxonomy import parse_sintax_header

    profile = load_profile(REPO / "resources" / "genus_profile")
    kos = ko_profile(profile.ec, profile.ko_ec)
    out = tmp_path_factory.mktemp("genus_bundle")
    rows, ec_rows, copies, per_genus = [], [], [], {}
    with dnaio.open(dada2_extdata / "ten_16s.100.fa.gz") as reader, open(
        out / "16S.fna", "w", encoding="utf-8"
    ) as fasta:
        for record in reader:
            genus = normalise_genus(parse_sintax_header(record.name)[5])
            if genus not in kos.index or per_genus.get(genus, 0) >= 3:
                continue
            per_genus[genus] = per_genus.get(genus, 0) + 1
            genome = f"{genus}_{per_genus[genus]}"
            fasta.write(f">{genome}\n{record.sequence}\n")
            rows.append(kos.loc[genus].rename(genome))
            ec_rows.append(profile.ec.loc[genus].rename(genome))
            known = profile.genera.at[genus, "mean_16s_copies"]
            copies.append((genome, float(known) if known == known else 1.0))
    table = pd.DataFrame(rows)
    table.index.name = "assembly"
    with gzip.open(out / "ko.txt.gz", "wt", encoding="utf-8") as handle:
        table.to_csv(handle, sep="\t", float_format="%.4g")
    ec_table = pd.DataFrame(ec_rows)
    ec_table.columns = [c.removeprefix("EC:") for c in ec_table.columns]
    ec_table.index.name = "assembly"
    with gzip.open(out / "ec.txt.gz", "wt", encoding="utf-8") as handle:
        ec_table.to_csv(handle, sep="\t", float_format="%.4g")
    with gzip.open(out / "16S.txt.gz", "wt", encoding="utf-8") as handle:
        handle.write("assembly\t16S_rRNA_Count\n")
        handle.writelines(f"{g}\t{max(c, 1.0):.4g}\n" for g, c in copies)
    (out / "bundle.yaml").write_text(
        "name: test_genus_bundle\nkind: genus_profile\nversion: test\n"
        "description: DADA2 package 16S sequences with genome-derived genus profiles\n",
        encoding="utf-8",
    )
    return out
