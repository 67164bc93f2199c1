"""The report vocabulary as data: ``resources/compounds.yaml`` (compound labels, the sample
page's module sections, the cohort table's key compounds, the first-screen panel's families).

:func:`vocabulary` is the vocabulary in use: the shipped file unless the report step (or a
test) chose another with :func:`use_vocabulary`. A new compound is an entry in the file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from gutbrain.errors import InputError
from gutbrain.yaml_checks import read_yaml_mapping

#: The shipped vocabulary (resources/compounds.yaml of this checkout or its deployed copy).
DEFAULT_PATH = Path(__file__).resolve().parents[4] / "resources" / "compounds.yaml"
SECTIONS = ("scfa", "neuro")
_COMPOUND_KEYS = {"label", "section", "also", "cohort_key"}


@dataclass(frozen=True)
class Vocabulary:
    """Compound labels, the compounds each module section expects (in order), the cohort
    table's key compounds, and the panel's families (name, compounds) in page order."""

    labels: Mapping[str, str]
    sections: Mapping[str, tuple[str, ...]]
    also: Mapping[str, tuple[str, ...]]
    cohort_keys: tuple[str, ...]
    families: tuple[tuple[str, tuple[str, ...]], ...]

    def label(self, compound: str) -> str:
        """How the pages write ``compound`` (a compound the file lacks: its key, capitalised)."""
        return self.labels.get(compound, compound.replace("_", " ").capitalize())

    @property
    def scfa(self) -> tuple[str, ...]:
        return self.sections["scfa"]

    @property
    def scfa_family(self) -> str:
        """The panel family of the short-chain fatty acids (the family holding acetate...)."""
        scfa = set(self.scfa)
        return next((name for name, members in self.families if scfa & set(members)),
                    self.families[0][0])

    def family_of(self, compound: str) -> str:
        """The panel family of ``compound``; the last family when no family names it."""
        return next((name for name, members in self.families if compound in members),
                    self.families[-1][0])


def load_vocabulary(path: str | os.PathLike[str] = DEFAULT_PATH) -> Vocabulary:
    """Read and check a compounds file; errors name the file and the key."""
    path = Path(path)
    data = read_yaml_mapping(path, "compounds file")
    if not isinstance(data.get("compounds"), dict) \
            or not isinstance(data.get("families"), list) or not data["families"]:
        raise InputError(f"{path}: needs a 'families' list and a 'compounds' mapping")
    labels, sections, also, keys = {}, {s: [] for s in SECTIONS}, {}, []
    for compound, entry in data["compounds"].items():
        where = f"{path}: compounds.{compound}"
        if not isinstance(entry, dict) or not isinstance(entry.get("label"), str) \
                or not entry["label"].strip():
            raise InputError(f"{where}: needs a label")
        unknown = sorted(set(entry) - _COMPOUND_KEYS)
        if unknown:
            raise InputError(f"{where}: unknown key(s) {unknown}; known: {sorted(_COMPOUND_KEYS)}")
        labels[str(compound)] = entry["label"].strip()
        if "section" in entry:
            if entry["section"] not in SECTIONS:
                raise InputError(f"{where}.section: '{entry['section']}' is not one of "
                                 f"{list(SECTIONS)}")
            sections[entry["section"]].append(str(compound))
        if entry.get("also"):
            also[str(compound)] = tuple(map(str, entry["also"]))
        if entry.get("cohort_key"):
            keys.append(str(compound))
    families, seen = [], set()
    for i, family in enumerate(data["families"]):
        where = f"{path}: families[{i}]"
        if not isinstance(family, dict) or not isinstance(family.get("name"), str) \
                or not isinstance(family.get("compounds"), list):
            raise InputError(f"{where}: needs a name and a compounds list")
        for compound in family["compounds"]:
            if compound not in labels:
                raise InputError(f"{where} ({family['name']}): compound '{compound}' has no "
                                 "entry under compounds")
            if compound in seen:
                raise InputError(f"{where} ({family['name']}): compound '{compound}' is in "
                                 "two families")
            seen.add(compound)
        families.append((family["name"], tuple(map(str, family["compounds"]))))
    for compound, others in also.items():
        missing = [c for c in others if c not in labels]
        if missing:
            raise InputError(f"{path}: compounds.{compound}.also names {missing}, which have "
                             "no entry under compounds")
    if not sections["scfa"]:
        raise InputError(f"{path}: no compound has section: scfa")
    return Vocabulary(labels=labels, sections={s: tuple(v) for s, v in sections.items()},
                      also=also, cohort_keys=tuple(keys), families=tuple(families))


_current: Vocabulary | None = None


def vocabulary() -> Vocabulary:
    """The vocabulary in use (the shipped file, read on first use, unless another was set)."""
    global _current
    if _current is None:
        _current = load_vocabulary(DEFAULT_PATH)
    return _current


@contextmanager
def use_vocabulary(chosen: Vocabulary | str | os.PathLike[str]) -> Iterator[Vocabulary]:
    """Use ``chosen`` (a vocabulary or a compounds file) within the ``with`` block."""
    global _current
    previous = _current
    _current = chosen if isinstance(chosen, Vocabulary) else load_vocabulary(chosen)
    try:
        yield _current
    finally:
        _current = previous
