"""Download one reference file into the cache, verifying its sha256 (gutbrain.references)."""

import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

from gutbrain.references import download  # noqa: E402

source = snakemake.params.source  # noqa: F821
download(source["url"], snakemake.output[0], source.get("sha256", ""))  # noqa: F821
