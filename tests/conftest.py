"""Shared pytest fixtures: library import path, the shared data folder, the DADA2 extdata folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "workflow" / "scripts"))

SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder ../shared/data next to the repository; skip the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(
            f"shared reference data not found at {SHARED_DATA} (only present on project machines)"
        )
    return SHARED_DATA


@pytest.fixture(scope="session")
def dada2_extdata() -> Path:
    """The DADA2 R package's extdata folder (real reads and a 16S reference)."""
    from gutbrain.errors import InputError

    from tools.simulate import dada2_extdata_dir as lookup

    try:
        return lookup()
    except InputError as err:
        pytest.skip(f"{err} (make test installs it)")
