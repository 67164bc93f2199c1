"""Development tools that are not part of the pipeline: simulated reads for the demo, the tests
and the benchmarks (``python -m tools.simulate``), and the Snakemake runner the tests and the
benchmarks share. They import the runtime library ``gutbrain`` from ``workflow/scripts``.
"""
