"""Exit 0 when the external tools the pipeline calls are installed, else name the missing ones."""

import os
import shutil
import subprocess
import sys

COMMANDS = {
    "vsearch": ["vsearch"],
    "r-bioc-dada2": ["Rscript"],
    "mafft": ["mafft"],
    "fasttree": ["FastTree", "fasttree"],
}


#: Data packages: a file they install.
FILES = {"microbiomeutil-data": "/usr/share/microbiomeutil-data/RESOURCES/rRNA16S.gold.fasta"}


def missing(tools: list[str]) -> list[str]:
    """Tools (apt package names) whose command (or, for data packages, file) is absent."""
    absent = [
        t for t in tools
        if not (os.path.isfile(FILES[t]) if t in FILES
                else any(shutil.which(c) for c in COMMANDS.get(t, [t])))
    ]
    if "r-bioc-dada2" in tools and "r-bioc-dada2" not in absent:
        probe = subprocess.run(
            ["Rscript", "-e", 'cat(nzchar(system.file(package = "dada2")))'],
            capture_output=True, text=True, check=False,
        )
        if probe.stdout.strip() != "TRUE":
            absent.append("r-bioc-dada2")
    return absent


if __name__ == "__main__":
    gone = missing(sys.argv[1:])
    if gone:
        print("missing tools: " + " ".join(gone))
    sys.exit(1 if gone else 0)
