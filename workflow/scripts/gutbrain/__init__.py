"""gutbrain: the pure-Python library behind the gutbrain16s Snakemake pipeline.

Every module here is importable from the pipeline's scripts (Snakemake puts the script's
folder on ``sys.path``) and from the tests (``tests/conftest.py`` adds ``workflow/scripts``).
Modules are split by concern; each function is pure where it can be and documented.
"""

__version__ = "0.2.0"
