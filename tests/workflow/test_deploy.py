"""The workflow deployed as a Snakemake module the way `snakedeploy deploy-workflow` writes it:
a deployment folder with its own `config/` and a `workflow/Snakefile` whose `module` reads this
workflow's Snakefile from a git repository, so that nothing of the workflow is on disk as plain
files beside the deployment.

Two sources, both offline:
- `github("owner/name", path=..., commit=...)`, what snakedeploy writes. Snakemake clones a
  GitHub repository into its source cache (under $XDG_CACHE_HOME) and reuses a clone already
  there, so the test seeds that cache with a bare clone and the full run goes through the same
  code as a real deployment from GitHub.
- `gitfile(repo_path=..., path=..., commit=...)`, a local repository. Lint and dry-run only, with
  the "code" rerun trigger off: Snakemake 9.27 cannot check a gitfile module's script dates
  (TypeError in Job._path_to_source_file, LocalGitFile.join given a LocalSourceFile), whatever
  the workflow; github() sources are not affected.

The repository is built from the working tree's files (tracked, plus new files not ignored),
committed in a scratch git repository, so that the test checks the code as it stands.
"""

from __future__ import annotations

import shutil
import subprocess
import textwrap

import pytest

from .conftest import REPO, require_tools, tool_env

pytestmark = pytest.mark.workflow


def _git(*args, cwd) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          check=True).stdout.strip()


GITHUB_REPO = "gutbrain16s/gutbrain16s"


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    require_tools()
    root = tmp_path_factory.mktemp("deploy")
    source = root / "gutbrain16s.git"
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard",
                            "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    _git("init", "-q", cwd=source)
    _git("add", "-A", cwd=source)
    _git("-c", "user.name=deploy test", "-c", "user.email=deploy@test", "commit", "-q", "-m",
         "workflow under test", cwd=source)
    commit = _git("rev-parse", "HEAD", cwd=source)

    # A bare clone where Snakemake keeps its clones of GitHub repositories.
    cache = root / "xdg-cache"
    clone = cache / "snakemake" / "snakemake" / "source-cache" / "snakemake-git-cache"
    _git("clone", "-q", "--bare", str(source), str(clone / "github.com" / GITHUB_REPO), cwd=root)
    return root, commit


def _deployment(root, name, snakefile):
    deploy = root / name
    # What snakedeploy copies: the workflow's config/ folder; here the tiny test data too,
    # which the shipped config points at (a user would point it at their own sheet).
    shutil.copytree(root / "gutbrain16s.git" / "config", deploy / "config")
    shutil.copytree(root / "gutbrain16s.git" / ".test", deploy / ".test")
    (deploy / "workflow").mkdir()
    (deploy / "workflow" / "Snakefile").write_text(textwrap.dedent(f"""\
        configfile: "config/config.yaml"


        module gutbrain16s:
            snakefile:
                {snakefile}
            config:
                config


        use rule * from gutbrain16s
        """))
    return deploy


@pytest.fixture(scope="module")
def github_deployment(sources):
    root, commit = sources
    return _deployment(root, "from-github", f'github("{GITHUB_REPO}", '
                       f'path="workflow/Snakefile", commit="{commit}")')


@pytest.fixture(scope="module")
def gitfile_deployment(sources):
    root, commit = sources
    # Relative, as a deployment beside a clone would write it (the linter flags absolute paths).
    return _deployment(root, "from-gitfile", 'gitfile(repo_path="../gutbrain16s.git", '
                       f'path="workflow/Snakefile", commit="{commit}")')


def _snakemake(deploy, *args, timeout=900):
    snakemake = REPO / ".venv" / "bin" / "snakemake"
    env = tool_env()
    env["XDG_CACHE_HOME"] = str(deploy.parent / "xdg-cache")
    return subprocess.run([str(snakemake) if snakemake.exists() else "snakemake", "--cores", "2",
                           *args], cwd=deploy, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def test_gitfile_module_lints_and_dry_runs(gitfile_deployment) -> None:
    for args in (["--lint"], ["-n", "--rerun-triggers", "mtime", "params", "input"]):
        done = _snakemake(gitfile_deployment, *args)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "dada2_denoise" in done.stdout + done.stderr


def test_github_module_lints(github_deployment) -> None:
    done = _snakemake(github_deployment, "--lint")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_github_module_runs_the_test_data(github_deployment) -> None:
    done = _snakemake(github_deployment)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-5000:]
    for path in ("results/reports/index.html", "results/reports/samples/A.html",
                 "results/function/route_measures.tsv", "results/export/asv_table.biom"):
        assert (github_deployment / path).is_file(), path
    # The workflow's files came from the git source, copied beside the deployment.
    copies = list((github_deployment / ".snakemake" / "gutbrain16s-source").glob("*/.complete"))
    assert len(copies) == 1
    assert (copies[0].parent / "resources" / "genus_profile" / "ec_profile.tsv.gz").is_file()
    assert str(REPO / "workflow") not in log
    # A second run has nothing to do: the copied files kept their dates.
    again = _snakemake(github_deployment, "-n")
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "Nothing to be done" in again.stdout + again.stderr


def test_every_rules_env_resolves_in_the_git_source(sources) -> None:
    """Each rule's conda env, joined to its rule file inside the git source the way Snakemake
    joins a module's paths (LocalGitFile.join), is a file of that commit: envs/ at the top
    level resolves when the workflow is deployed."""
    from snakemake.sourcecache import LocalGitFile

    from tests.unit.test_envs import RULES

    root, commit = sources
    repository = root / "gutbrain16s.git"
    checked = 0
    for rule in RULES:
        rule_file = LocalGitFile(str(repository), rule.path.relative_to(REPO).as_posix(),
                                 commit=commit)
        env = rule_file.get_basedir().join(rule.conda)
        shown = subprocess.run(["git", "cat-file", "-e", f"{commit}:{env.path}"],
                               cwd=repository, capture_output=True, check=False)
        assert shown.returncode == 0, f"rule {rule.name}: {env.path} is not in the git source"
        assert env.path.startswith("envs/"), env.path
        checked += 1
    assert checked >= 30
