"""Metabolic modules: the data model, the predictability rule and the KO checks.

A module is an ordered list of reaction steps. Each step lists alternative enzymes; an enzyme
is a complex of one or more subunit orthologs. Two sources are supported:

* the omixer-rpm text format used by the GMM and GBM databases (:mod:`gutbrain.omixer`);
* the project's own YAML catalog, ``resources/module_catalog.yaml`` (:mod:`gutbrain.catalog`).

Predictability rule (both sources): a module can be predicted from a KEGG ortholog (KO) table
only if every step has at least one alternative whose subunits are all KO IDs (``K`` + 5
digits). A step whose alternatives all involve COG/eggNOG/TIGRFAM groups can never be observed
in a KO table, so such a module is ``predictable = False`` and is reported as not predictable,
never as zero. Catalog modules may also be declared ``predictable: false`` explicitly.

Required steps: a catalog step may be marked ``required: true``; it is the module's defining
(committed or terminal) reaction, and the scorer never scores a module whose required step is
unobserved (``gutbrain.scoring``). Every predictable catalog module must mark at least one.
Omixer-format modules have no required steps (upstream has no such notion).

Direction (``synthesis``, ``degradation`` or ``conversion``) is relative to the compound of
the module's category: a ``neuro:indole`` module that makes indole from tryptophan is
``synthesis``; a module that turns the category compound into another one (dopamine => DOPAC
under ``neuro:dopamine``) is ``conversion``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

KO_PATTERN = re.compile(r"^K\d{5}$")
#: An ortholog token in an omixer module file: KO, COG, eggNOG (bactNOG, firmNOG...), TIGRFAM.
ORTHOLOG_TOKEN = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]*$")
CATEGORY_PATTERN = re.compile(r"^(scfa|neuro):[a-z][a-z0-9_]*$")
DIRECTIONS = ("synthesis", "degradation", "conversion")

Alternative = tuple[str, ...]
Step = tuple[Alternative, ...]


def is_ko(ortholog: str) -> bool:
    """True when ``ortholog`` is a KEGG ortholog ID (``K`` followed by five digits)."""
    return bool(KO_PATTERN.match(ortholog))


@dataclass(frozen=True)
class Module:
    """One metabolic module: ordered steps of alternative (complex) enzymes, plus metadata.

    ``steps[i][j]`` is the j-th alternative of step i, a tuple of subunit ortholog IDs.
    ``required`` holds the indexes of the defining steps (empty: no step is required).
    ``origin`` is the file the module was read from and ``step_lines`` the line of each step
    in that file (0 when unknown), so that messages can point at the definition.
    """

    id: str
    name: str
    steps: tuple[Step, ...]
    category: str = ""
    direction: str = ""
    source: tuple[str, ...] = ()
    predictable: bool = True
    reason: str = ""
    note: str = ""
    caveat: str = ""
    step_names: tuple[str, ...] = ()
    required: tuple[int, ...] = ()
    origin: str = ""
    line: int = 0
    step_lines: tuple[int, ...] = field(default=(), compare=False)

    @property
    def orthologs(self) -> list[str]:
        """All ortholog IDs named by the module, in order of first appearance."""
        seen: dict[str, None] = {}
        for step in self.steps:
            for alternative in step:
                for ortholog in alternative:
                    seen.setdefault(ortholog, None)
        return list(seen)

    @property
    def kos(self) -> list[str]:
        """The KO IDs named by the module, in order of first appearance."""
        return [o for o in self.orthologs if is_ko(o)]

    def where(self, step_index: int | None = None) -> str:
        """A human-readable location of the module (or one step) for messages."""
        place = self.origin or "<memory>"
        if step_index is not None and step_index < len(self.step_lines):
            if self.step_lines[step_index]:
                return f"{place} line {self.step_lines[step_index]}"
        if self.line:
            return f"{place} line {self.line}"
        return place


def unpredictable_steps(steps: Iterable[Step]) -> list[int]:
    """Indexes of steps that have no alternative made only of KO IDs (never observable)."""
    return [
        i for i, step in enumerate(steps)
        if not any(alternative and all(is_ko(o) for o in alternative) for alternative in step)
    ]


def unknown_orthologs(modules: Iterable[Module], known_kos: Iterable[str]) -> dict[str, list[str]]:
    """KO IDs each module names that are absent from ``known_kos`` (e.g. the bundle's KO table).

    Only KO IDs are checked: non-KO groups can never be in a KO table and are handled by the
    predictability rule. Modules with nothing missing are left out of the result.
    """
    known = set(known_kos)
    result: dict[str, list[str]] = {}
    for module in modules:
        missing = [ko for ko in module.kos if ko not in known]
        if missing:
            result[module.id] = missing
    return result


def unknown_ortholog_messages(
    modules: Iterable[Module], known_kos: Iterable[str], table_name: str = "the KO table"
) -> list[str]:
    """One message per missing KO, naming the module file and line where the KO is used."""
    modules = list(modules)
    missing = unknown_orthologs(modules, known_kos)
    messages: list[str] = []
    for module in modules:
        for ko in missing.get(module.id, []):
            step = next(i for i, s in enumerate(module.steps) if any(ko in a for a in s))
            messages.append(
                f"{module.where(step)}: module {module.id} step {step + 1} names {ko}, "
                f"which is absent from {table_name}; it is unknown for this reference "
                "(not counted as 0)"
            )
    return messages
