"""What every simulated dataset folder shares: read paths, truth table, FASTA, completion stamp."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import dnaio
import pandas as pd
from gutbrain.io import atomic_path, write_text

#: Bump when the simulation algorithm changes, so existing stamps no longer count as complete.
GENERATOR_VERSION = 1
#: Written last into a dataset folder; lists the parameters and the files it made.
STAMP_NAME = ".simulation_complete.json"

#: Folder of the repository (…/tools/simulate/dataset_files.py -> parents[2]).
REPO_ROOT = Path(__file__).resolve().parents[2]

TRUTH_COLUMNS = [
    "sample", "name", "genus", "asv_id", "expected_fraction", "n_pairs", "taxonomy", "sequence",
]


def stamp_ok(out_dir: Path, params: Mapping[str, object]) -> bool:
    """True when ``out_dir`` has a stamp with the same parameters and all its files intact."""
    stamp = out_dir / STAMP_NAME
    if not stamp.is_file():
        return False
    try:
        data = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    if data.get("params") != json.loads(json.dumps(params)):
        return False
    files = data.get("files", {})
    return all((out_dir / rel).is_file() and (out_dir / rel).stat().st_size == size
               for rel, size in files.items())


def write_stamp(out_dir: Path, params: Mapping[str, object], files: Sequence[str]) -> None:
    """Record parameters and the sizes of the files made (relative paths), written last."""
    sizes = {rel: (out_dir / rel).stat().st_size for rel in sorted(files)}
    text = json.dumps({"params": params, "files": sizes}, indent=1, sort_keys=True) + "\n"
    write_text(text, out_dir / STAMP_NAME)


def fastq_paths(sample: str) -> tuple[str, str]:
    """Relative paths of a sample's R1/R2 files inside a dataset folder."""
    return f"reads/{sample}_R1.fastq.gz", f"reads/{sample}_R2.fastq.gz"


def write_fasta(seqs: Mapping[str, str], path: Path) -> None:
    """Write ``{name: sequence}`` as FASTA with dnaio, atomically."""
    with atomic_path(path) as tmp, dnaio.open(tmp, mode="w", fileformat="fasta") as writer:
        for name, seq in seqs.items():
            writer.write(dnaio.SequenceRecord(name, seq))


def finish_truth(frames: Sequence[pd.DataFrame], genus: Mapping[str, str],
                  taxonomy: Mapping[str, str]) -> pd.DataFrame:
    """Concatenate per-sample truth rows and add genus and taxonomy by amplicon name."""
    truth = pd.concat(frames, ignore_index=True)
    truth["genus"] = truth["name"].map(genus)
    truth["taxonomy"] = truth["name"].map(taxonomy)
    return truth[TRUTH_COLUMNS]
