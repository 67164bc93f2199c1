# Where the workflow's own files are (library, scripts, schemas, curated resources): REPO_ROOT.
#
# Run from a checkout, that is the checkout. Deployed as a module (snakedeploy writes a
# `module` whose snakefile is github(...) or gitfile(...)), Snakemake reads each workflow file
# through its source cache and nothing is on disk as a folder the library could be imported
# from. Then the files listed in workflow/runtime_files.txt (`make runtime-files` writes it; a
# test keeps it complete) are copied once into .snakemake/gutbrain16s-source/<key>/ in the
# working directory, mirroring the repository, and REPO_ROOT points there. A file is rewritten
# only when its content changed (input mtimes stay put, so no job reruns for nothing), and a
# commit or tag is copied only once.
import hashlib
import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

from snakemake.exceptions import WorkflowError


def _git_source(listing):
    """(repository, ref) behind a git-hosted workflow source, or None for other sources."""
    if hasattr(listing, "repo_path"):  # gitfile(repo_path=...)
        return listing.repo_path, listing.ref
    if hasattr(
        listing, "hosted_repo"
    ):  # github(...), gitlab(...): cloned when first read
        return str(listing.hosted_repo.repo_clone), listing.ref
    return None


def _read_sources(basedir, listing, names):
    """{name: bytes} of the listed files. Snakemake reads git sources as text (a gzip breaks),
    so git-hosted ones are read in one `git archive`; others file by file through its cache.
    """
    source = _git_source(listing)
    if source is None:
        return {
            name: Path(
                workflow.sourcecache.get_path(basedir.join(f"../../{name}"))
            ).read_bytes()
            for name in names
        }
    repository, ref = source
    archive = subprocess.run(
        ["git", "-C", repository, "archive", "--format=tar", ref, "--", *names],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        raise WorkflowError(
            f"could not read the workflow's files from {repository} at {ref}: "
            + archive.stderr.decode(errors="replace").strip()
        )
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        return {
            member.name: tar.extractfile(member).read()
            for member in tar.getmembers()
            if member.isfile()
        }


def _materialized_root(basedir):
    """Copy the runtime files of a non-local workflow source into the working directory."""
    listing = basedir.join("../runtime_files.txt")
    names = Path(workflow.sourcecache.get_path(listing)).read_text().split()
    origin = basedir.join("../..").get_path_or_uri(secret_free=True)
    key = hashlib.sha256(origin.encode()).hexdigest()[:16]
    root = Path(".snakemake", "gutbrain16s-source", key)
    pinned = getattr(basedir, "commit", None) or getattr(basedir, "tag", None)
    stamp = root / ".complete"
    if pinned and stamp.exists() and stamp.read_text() == "\n".join(names):
        return root.resolve()
    files = _read_sources(basedir, listing, names)
    missing = sorted(set(names) - set(files))
    if missing:
        raise WorkflowError(
            f"workflow files listed in runtime_files.txt are missing from {origin}: "
            + ", ".join(missing[:5])
        )
    for name, data in files.items():
        target = root / name
        if target.exists() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.part")
        partial.write_bytes(data)
        os.replace(partial, target)
    stamp.write_text("\n".join(names))
    return root.resolve()


_BASEDIR = workflow.current_basedir
#: True when the workflow runs from a checkout; False when deployed from a git source.
LOCAL_SOURCE = isinstance(_BASEDIR, (str, os.PathLike))
#: The repository root (this file is workflow/rules/source.smk), or its copy when deployed.
REPO_ROOT = (
    Path(_BASEDIR).resolve().parents[1]
    if LOCAL_SOURCE
    else _materialized_root(_BASEDIR)
)
_SCRIPTS = str(REPO_ROOT / "workflow" / "scripts")
sys.path.insert(0, _SCRIPTS)
# R scripts source their helpers from here. A deployed job's script runs from Snakemake's
# cache, beside none of the library: it imports it through PYTHONPATH.
_search = os.environ.get("PYTHONPATH", "")
os.environ.update(
    GUTBRAIN_SCRIPTS=_SCRIPTS,
    PYTHONPATH=(
        _search
        if LOCAL_SOURCE or _SCRIPTS in _search.split(os.pathsep)
        else os.pathsep.join(filter(None, [_SCRIPTS, _search]))
    ),
)
