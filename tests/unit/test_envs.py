"""Conda environments of the rules: every rule names an existing env under envs/, every env pins
exact versions on conda-forge, bioconda, nodefaults, and each env has the tools and Python
packages its rules call (shell commands, R scripts, Python scripts and the gutbrain modules they
import). This is what makes ``snakemake --sdm conda`` on a cluster work without this machine's
apt and pip tools. Every rule also writes a benchmark file under results/benchmarks/<step>/, so
that the time of a run is fully accounted for.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
RULES_DIR = REPO / "workflow" / "rules"
ENVS_DIR = REPO / "envs"
LIBRARY = REPO / "workflow" / "scripts"
CHANNELS = ["conda-forge", "bioconda", "nodefaults"]

# Command-line tools a rule's shell may call -> the conda package that provides them.
SHELL_TOOLS = {
    "cutadapt": "cutadapt",
    "vsearch": "vsearch",
    "multiqc": "multiqc",
    "mafft": "mafft",
    "FastTree": "fasttree",
    "fasttree": "fasttree",
    "Rscript": "r-base",
    "python": "python",
    "picrust2_pipeline.py": "picrust2",
    "place_seqs.py": "picrust2",
    "hsp.py": "picrust2",
    "metagenome_pipeline.py": "picrust2",
}
# R packages loaded by R scripts -> conda package.
R_PACKAGES = {"dada2": "bioconductor-dada2"}
# Python import names that differ from their conda package names.
PY_PACKAGES = {
    "Bio": "biopython",
    "biom": "biom-format",
    "skbio": "scikit-bio",
    "yaml": "pyyaml",
}
# Conda packages that bring another one as a hard dependency (import satisfied without a pin).
BROUGHT_BY = {
    "numpy": {"pandas", "scipy", "scikit-bio", "biom-format", "h5py"},
    "scipy": {"scikit-bio", "biom-format"},
    "markupsafe": {"jinja2"},
    "xopen": {"dnaio", "cutadapt"},
}
# Commands a Python module runs: a string constant equal to one of these marks a call.
PY_COMMANDS = {"vsearch", "cutadapt", "mafft", "FastTree", "Rscript", "multiqc"}

PIN = re.compile(r"^[A-Za-z0-9_.\-]+=[0-9][0-9A-Za-z_.+\-]*$")
# A rule's name in a rule file: `rule name:`, `checkpoint name:` or `use rule base as name with:`.
RULE_NAME = re.compile(
    r"^[ \t]*(?:(?:rule|checkpoint)\s+(\w+)|use\s+rule\s+\w+\s+as\s+(\w+)\s+with)\s*:", re.M
)


@dataclass(frozen=True)
class Rule:
    """One rule as Snakemake reads it: name, rule file, conda env path (or None), shell text,
    script path, benchmark file (or None) and log file (or None)."""

    name: str
    path: Path
    conda: str | None
    shell: str
    script: str | None
    benchmark: str | None = None
    log: str | None = None


#: Rules that only name the run's targets (Snakefile, workflow/Snakefile): no job of their own.
TARGET_RULES = {"all", "default"}

#: Configurations that together make every rule exist (rules in `if` blocks depend on the
#: functional method, the classifier and the entry point): overrides of the shipped config.
CONFIGURATIONS = {
    "genus_profile": {},
    "nearest": {"function.method": "nearest"},
    "picrust2": {"function.method": "picrust2"},
    "sintax": {"function.method": "nearest", "taxonomy.method": "sintax"},
    "asv_table": {"function.method": "nearest", "input.asv_table": "table.tsv",
                  "input.asv_seqs": "seqs.fasta", "samples": ""},
}


def snakemake_rules(folder: Path, overrides: dict) -> list[Rule]:
    """The rules Snakemake's API reads from the workflow with the shipped config and
    ``overrides`` (dotted keys), run in ``folder`` (tiny sheet and ASV table there)."""
    from snakemake.api import SnakemakeApi
    from snakemake.settings.types import (
        ConfigSettings,
        OutputSettings,
        ResourceSettings,
        StorageSettings,
        WorkflowSettings,
    )

    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["samples"] = str(folder / "samples.tsv")
    config["references"]["cache_dir"] = str(folder / "cache")
    for key, value in overrides.items():
        node, *path = config, *key.split(".")
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = str(folder / value) if value.endswith((".tsv", ".fasta")) else value
    configfile = folder / f"config_{len(list(folder.glob('config_*')))}.yaml"
    configfile.write_text(yaml.safe_dump(config))
    cwd = os.getcwd()
    try:
        with SnakemakeApi(OutputSettings()) as api:
            workflow = api.workflow(
                resource_settings=ResourceSettings(),
                config_settings=ConfigSettings(configfiles=[configfile]),
                storage_settings=StorageSettings(),
                workflow_settings=WorkflowSettings(),
                snakefile=REPO / "Snakefile",
                workdir=folder,
            )._workflow
            return [
                Rule(
                    rule.name,
                    Path(rule.snakefile),
                    rule.conda_env,
                    rule.shellcmd or "",
                    rule.script,
                    str(rule.benchmark) if rule.benchmark else None,
                    str(rule.log[0]) if rule.log else None,
                )
                for rule in workflow.rules
                if rule.name not in TARGET_RULES
            ]
    finally:
        os.chdir(cwd)  # the workflow works in `folder`


def all_rules() -> list[Rule]:
    """Every rule of the workflow: the union of the rules of :data:`CONFIGURATIONS`."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in ("s_R1.fastq.gz", "s_R2.fastq.gz"):
            (folder / name).write_bytes(b"")
        (folder / "samples.tsv").write_text("sample\tfq1\tfq2\ns\ts_R1.fastq.gz\ts_R2.fastq.gz\n")
        (folder / "table.tsv").write_text("asv_id\ts\nf1\t5\n")
        (folder / "seqs.fasta").write_text(">f1\nACGT\n")
        rules: dict[str, Rule] = {}
        for overrides in CONFIGURATIONS.values():
            for rule in snakemake_rules(folder, overrides):
                rules.setdefault(rule.name, rule)
    return list(rules.values())


def env_packages(env: dict) -> dict[str, str]:
    """Conda package name -> pinned version of an env file's dependencies (pip entries too)."""
    out = {}
    for dep in env.get("dependencies", []):
        if isinstance(dep, dict):
            for pip_dep in dep.get("pip", []):
                name, _, version = pip_dep.partition("==")
                out[name.lower()] = version
        else:
            name, _, version = str(dep).partition("=")
            out[name.lower()] = version
    return out


def shell_tools(shell: str) -> set[str]:
    """Conda packages for the known tools a shell command calls."""
    found = set()
    for tool, package in SHELL_TOOLS.items():
        if re.search(rf"(?<![\w./-]){re.escape(tool)}(?![\w.-])", shell):
            found.add(package)
    return found


def r_packages(script: Path) -> set[str]:
    """Conda packages for an R script: r-base plus the R packages it loads."""
    found = {"r-base"}
    for name in re.findall(r"\b(?:library|require)\((\w+)\)", script.read_text()):
        if name in R_PACKAGES:
            found.add(R_PACKAGES[name])
    return found


def python_needs(script: Path) -> tuple[set[str], set[str]]:
    """(third-party import names, commands and R scripts run) of a Python script and the
    gutbrain modules it imports, transitively."""
    imports: set[str] = set()
    commands: set[str] = set()
    seen: set[Path] = set()
    todo = [script]
    while todo:
        path = todo.pop()
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative import inside the gutbrain package
                    base = path.parent
                    for _ in range(node.level - 1):
                        base = base.parent
                    module = (node.module or "").split(".")
                    names = [".".join(["gutbrain", *_relative(base), *module])]
                    names += [f"{names[0]}.{alias.name}" for alias in node.names]
                else:
                    names = [node.module or ""]
                    if node.module == "gutbrain" or (node.module or "").startswith("gutbrain."):
                        names += [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Constant) and node.value in PY_COMMANDS:
                commands.add(node.value)
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value.endswith(".R")
                and (LIBRARY / node.value).is_file()
            ):
                commands.add(node.value)  # an R script of workflow/scripts/ the module runs
            for name in names:
                top = name.split(".")[0]
                if top == "gutbrain":
                    todo.extend(_module_files(name))
                elif top and top not in sys.stdlib_module_names and top != "snakemake":
                    imports.add(top)
    return imports, commands


def _relative(base: Path) -> list[str]:
    """Package path parts of a folder below workflow/scripts/gutbrain."""
    return list(base.relative_to(LIBRARY / "gutbrain").parts)


def _module_files(dotted: str) -> list[Path]:
    """Source files of a dotted gutbrain module (module file or package __init__)."""
    base = LIBRARY.joinpath(*dotted.split("."))
    return [p for p in (base.with_suffix(".py"), base / "__init__.py") if p.is_file()]


def needed_packages(rule: Rule) -> dict[str, str]:
    """Conda package -> why it is needed, for one rule."""
    need = {pkg: f"shell calls {pkg}" for pkg in shell_tools(rule.shell)}
    if rule.script:
        script = (rule.path.parent / rule.script).resolve()
        if script.suffix == ".R":
            need.update({pkg: f"{rule.script} needs {pkg}" for pkg in r_packages(script)})
        elif script.suffix == ".py":
            need["python"] = f"{rule.script} is Python"
            imports, commands = python_needs(script)
            for name in imports:
                need[PY_PACKAGES.get(name, name).lower()] = f"{rule.script} imports {name}"
            for command in commands:
                if command.endswith(".R"):
                    for pkg in r_packages(LIBRARY / command):
                        need[pkg] = f"{rule.script} runs {command}, which needs {pkg}"
                else:
                    need[SHELL_TOOLS[command]] = f"{rule.script} runs {command}"
    return need


def missing_packages(need: dict[str, str], have: dict[str, str]) -> list[str]:
    """Needed packages neither pinned in the env nor brought by a pinned package."""
    return sorted(
        f"{pkg} ({why})"
        for pkg, why in need.items()
        if pkg not in have and not (BROUGHT_BY.get(pkg, set()) & set(have))
    )


RULES = all_rules()
ENV_FILES = sorted(ENVS_DIR.glob("*.yaml"))


def _env_of(rule: Rule) -> Path:
    assert rule.conda, f"rule {rule.name} ({rule.path.name}) has no conda: directive"
    return (rule.path.parent / rule.conda).resolve()


# ---------------------------------------------------------------- the detection on tiny fixtures


@pytest.mark.parametrize(
    "shell, expected",
    [
        ("cutadapt -g {params.fwd} -o {output}", {"cutadapt"}),
        ("vsearch --sintax {input} --db x > {log} 2>&1", {"vsearch"}),
        ("(mafft --auto a > b && FastTree -nt b > c) 2> {log}", {"mafft", "fasttree"}),
        ("multiqc --no-version-check --outdir {params.outdir}", {"multiqc"}),
        ("Rscript -e 'library(dada2)'", {"r-base"}),
        ("place_seqs.py -s {input} && hsp.py -i 16S", {"picrust2"}),
        ("cat {input.cutadapt_report} > {output}", set()),
        ("gzip -c results/vsearch_hits.tsv > {output}", set()),
    ],
)
def test_shell_tools(shell, expected):
    assert shell_tools(shell) == expected


def test_python_needs_follows_gutbrain_imports(tmp_path, monkeypatch):
    pkg = tmp_path / "gutbrain"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "search.py").write_text(
        '"""Calls vsearch."""\nimport subprocess\nimport numpy as np\n'
        'def run():\n    subprocess.run(["vsearch", "--version"])\n'
    )
    (pkg / "steps.py").write_text(
        'from .search import run\nimport yaml\nR_SIDE = "classify.R"\nOTHER = "absent.R"\n'
    )
    (tmp_path / "classify.R").write_text("suppressPackageStartupMessages(library(dada2))\n")
    script = tmp_path / "step.py"
    script.write_text("import sys\nfrom gutbrain.steps import run\nfrom Bio import SeqIO\n")
    monkeypatch.setattr(sys.modules[__name__], "LIBRARY", tmp_path)
    imports, commands = python_needs(script)
    assert imports == {"numpy", "yaml", "Bio"}
    assert commands == {"vsearch", "classify.R"}  # an R script that exists in the library
    assert r_packages(tmp_path / "classify.R") == {"r-base", "bioconductor-dada2"}


@pytest.mark.parametrize(
    "need, have, missing",
    [
        ({"pandas": "x"}, {"pandas": "3.1.1"}, []),
        ({"numpy": "x"}, {"pandas": "3.1.1"}, []),
        ({"vsearch": "runs"}, {"python": "3.11.7"}, ["vsearch (runs)"]),
        ({"markupsafe": "x", "jinja2": "y"}, {"jinja2": "3.1.6"}, []),
    ],
)
def test_missing_packages(need, have, missing):
    assert missing_packages(need, have) == missing


# ---------------------------------------------------------------- the real rules and envs


def test_every_rule_of_the_rule_files_is_checked():
    """The configurations of :data:`CONFIGURATIONS` between them make Snakemake read every rule
    the rule files declare, so that no rule escapes the checks below."""
    declared = {
        name
        for path in RULES_DIR.glob("*.smk")
        for match in RULE_NAME.finditer(path.read_text())
        for name in match.groups()
        if name
    }
    assert {rule.name for rule in RULES} == declared


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_names_an_existing_env(rule):
    env = _env_of(rule)
    assert env.parent == ENVS_DIR.resolve(), f"rule {rule.name}: env {rule.conda} not in envs/"
    assert env.is_file(), f"rule {rule.name} ({rule.path.name}): env {rule.conda} does not exist"


@pytest.mark.parametrize("path", ENV_FILES, ids=lambda p: p.name)
def test_env_pins_exact_versions_on_fixed_channels(path):
    env = yaml.safe_load(path.read_text())
    assert env.get("channels") == CHANNELS, f"{path.name}: channels must be {CHANNELS}"
    deps = env.get("dependencies") or []
    assert deps, f"{path.name}: no dependencies"
    for dep in deps:
        if isinstance(dep, dict):
            for pip_dep in dep.get("pip", []):
                assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][^\s,;<>=!~*]*", pip_dep), (
                    f"{path.name}: pip dependency '{pip_dep}' must be pinned as name==version"
                )
        else:
            assert PIN.fullmatch(str(dep)), (
                f"{path.name}: dependency '{dep}' must be pinned exactly as name=version"
            )


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_env_has_the_tools_the_rule_calls(rule):
    env = _env_of(rule)
    if not env.is_file():
        pytest.fail(f"rule {rule.name}: env {rule.conda} does not exist")
    have = env_packages(yaml.safe_load(env.read_text()))
    missing = missing_packages(needed_packages(rule), have)
    assert not missing, f"rule {rule.name}: envs/{env.name} lacks {', '.join(missing)}"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_has_a_benchmark_file(rule):
    """Every rule writes results/benchmarks/<step>/<rule>.tsv (or <rule>/<wildcards>.tsv), the
    step being the folder of its log, so that a run's time is fully accounted for. Variants of
    one step (prepare_sample_paired/_single) may share the step's name (prepare_sample)."""
    assert rule.benchmark, f"rule {rule.name} ({rule.path.name}) has no benchmark: directive"
    assert rule.log, f"rule {rule.name} ({rule.path.name}) has no log: directive"
    step = rule.log.split("/")[1]
    prefix = f"results/benchmarks/{step}/"
    assert rule.benchmark.startswith(prefix) and rule.benchmark.endswith(".tsv"), (
        f"rule {rule.name}: benchmark {rule.benchmark!r} is not {prefix}....tsv"
    )
    name = rule.benchmark[len(prefix) :].split("/")[0].removesuffix(".tsv")
    assert rule.name.startswith(name), (
        f"rule {rule.name}: benchmark {rule.benchmark!r} is not named after the rule"
    )


@pytest.mark.parametrize(
    "rule_name, package",
    [
        ("prepare_sample_paired", "cutadapt"),
        ("prepare_sample_single", "vsearch"),
        ("dada2_denoise", "bioconductor-dada2"),
        ("dada2_assign_taxonomy", "bioconductor-dada2"),
        ("unoise_denoise", "vsearch"),
        ("predict_function", "vsearch"),
        ("sintax_assign_taxonomy", "vsearch"),
        ("multiqc", "multiqc"),
    ],
)
def test_known_needs_are_detected(rule_name, package):
    """The detection itself finds the tools we know these rules call."""
    rule = next(r for r in RULES if r.name == rule_name)
    assert package in needed_packages(rule)
