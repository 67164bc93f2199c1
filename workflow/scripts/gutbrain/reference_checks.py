"""Reference files checked on every use, before any job reads them.

Two checks, both run when Snakemake parses the workflow (``common.smk``), so that a changed,
truncated or malformed reference stops the run before any heavy job:

* **Checksum.** Every reference file a run reads has a recorded sha256: the one in the config
  (``sha256``), else a lock file written when the file was first used (beside a download, as the
  download writes it; in ``<cache>/locks/`` for a local file), and for a genus profile folder the
  ``files:`` list of its ``reference.yaml``. A file whose checksum differs stops the run with
  both checksums and what to do (:func:`verify_checksum`).
* **Content.** A cheap, complete read of the file: gzip integrity, FASTA structure and the header
  format its ``format:`` claims (:func:`check_taxonomy_fasta`), or the genus profile tables'
  separators, columns and numbers (:func:`check_genus_profile`). Errors name the file, the line
  and what was expected. A reference that parses but yields implausible content (no genus, or
  fewer than :data:`MIN_GENUS_FRACTION` of its records with a genus) stops the run unless the
  config accepts it explicitly (``accept_implausible: true``).

Hashing and reading a 100 MB reference takes a few seconds, and Snakemake parses the workflow
again in every cluster job, so results are remembered per file in ``<cache>/checked/``, keyed
by the file's path, size and modification time (:class:`CheckMemo`): a file is read again only
when it changes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import yaml

from .errors import InputError
from .io import atomic_path, open_text
from .references import extra_part_path, sha256sum
from .taxonomy import RANKS, gold_organism, parse_dada2_header, parse_sintax_header

#: Fewer records with a genus than this share makes a taxonomy reference implausible.
MIN_GENUS_FRACTION = 0.10
#: Bumped when the checks change, so that remembered results are not reused.
CHECK_VERSION = 1

Validator = Callable[[Path], dict]


# ----------------------------------------------------------------------------- memo


class CheckMemo:
    """Checksums and check results remembered per file in ``folder`` (one JSON per file),
    valid while the file's size and modification time are unchanged."""

    def __init__(self, folder: str | os.PathLike[str] | None) -> None:
        self.folder = Path(folder) if folder else None

    def _entry(self, path: Path) -> Path | None:
        if self.folder is None:
            return None
        key = hashlib.sha1(str(path.resolve()).encode("utf-8")).hexdigest()
        return self.folder / f"{key}.json"

    def _stat(self, path: Path) -> dict:
        info = path.stat()
        return {"path": str(path.resolve()), "size": info.st_size, "mtime_ns": info.st_mtime_ns,
                "version": CHECK_VERSION}

    def load(self, path: Path) -> dict:
        entry = self._entry(path)
        if entry is None or not entry.is_file():
            return {}
        try:
            data = json.loads(entry.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        stat = self._stat(path)
        return data if all(data.get(k) == v for k, v in stat.items()) else {}

    def save(self, path: Path, data: Mapping) -> None:
        entry = self._entry(path)
        if entry is None:
            return
        try:
            with atomic_path(entry) as tmp:
                tmp.write_text(json.dumps({**data, **self._stat(path)}), encoding="utf-8")
        except OSError:
            pass  # a read-only cache only costs time

    def sha256(self, path: Path) -> str:
        known = self.load(path).get("sha256")
        if known:
            return known
        digest = sha256sum(path)
        self.save(path, {**self.load(path), "sha256": digest})
        return digest


# ----------------------------------------------------------------------------- checksums


def read_lock(lock: str | os.PathLike[str]) -> str:
    """The sha256 recorded in a lock file ('' when there is none)."""
    lock = Path(lock)
    if not lock.is_file():
        return ""
    text = lock.read_text(encoding="utf-8").split()
    return text[0] if text else ""


def write_lock(lock: str | os.PathLike[str], digest: str, path: str | os.PathLike[str]) -> None:
    """Record ``digest`` for ``path`` in ``lock`` (atomically)."""
    with atomic_path(lock) as tmp:
        tmp.write_text(f"{digest}  {Path(path).name}  {path}\n", encoding="utf-8")


def verify_checksum(path: str | os.PathLike[str], what: str, *, expected: str = "",
                    expected_from: str = "", lock: str | os.PathLike[str] | None = None,
                    fix: str = "", memo: CheckMemo | None = None) -> str:
    """Check ``path`` against its recorded sha256 and return the file's checksum.

    The record is ``expected`` (from ``expected_from``, e.g. a config key), else the lock file;
    with neither, the checksum is written to ``lock`` (first use). A mismatch raises an
    :class:`InputError` naming ``what``, the file, both checksums, where the expected one comes
    from, and ``fix`` (what to do if the change is intended)."""
    path = Path(path)
    actual = (memo or CheckMemo(None)).sha256(path)
    source = expected_from
    if not expected and lock is not None:
        expected = read_lock(lock)
        source = f"the lock file {lock}, written when the file was first used"
    if not expected:
        if lock is not None:
            write_lock(lock, actual, path)
        return actual
    if actual != expected:
        raise InputError(
            f"{what}: {path} is not the file whose checksum was recorded: expected sha256 "
            f"{expected} (from {source}), found {actual}. Nothing was run. {fix}"
        )
    return actual


# ----------------------------------------------------------------------------- reading


def _damaged(path: Path, err: BaseException) -> InputError:
    return InputError(
        f"{path}: the file is truncated or corrupt ({type(err).__name__}: {err}). Download or "
        "copy it again (for a downloaded reference, delete the file and its .sha256 lock file "
        "from the reference cache and rerun)."
    )


def numbered_lines(path: str | os.PathLike[str]) -> Iterator[tuple[int, str]]:
    """(line number, line without newline) of a plain or gzipped text file; a truncated or
    corrupt gzip raises an :class:`InputError` naming the file."""
    path = Path(path)
    try:
        with open_text(path) as handle:
            for number, line in enumerate(handle, start=1):
                yield number, line.rstrip("\r\n")
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:
        raise _damaged(path, err) from None
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not UTF-8 text (byte {err.start}); is this the right "
                         "file?") from None


def check_readable(path: str | os.PathLike[str]) -> dict:
    """Read the whole file (gzip integrity); return its line count."""
    return {"lines": sum(1 for _ in numbered_lines(path))}


# ----------------------------------------------------------------------------- taxonomy FASTA


_EXAMPLE = {
    "sintax": "'>ID;tax=d:Bacteria,p:Firmicutes,...,g:Roseburia;'",
    "dada2": "'>Bacteria;Firmicutes;Clostridia;Lachnospirales;Lachnospiraceae;Roseburia;'",
    "fasta_tsv": "'>ID' with the ID's lineage in the taxonomy table",
    "gold": "the RDP/Broad gold set's 'ID<TAB>organism<TAB>...<TAB>lineage'",
}


def _lineage_ids(table: Path) -> set[str]:
    ids = set()
    for number, line in numbered_lines(table):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 2 or not fields[1].strip():
            raise InputError(f"{table}: line {number}: expected two tab-separated columns "
                             f"(id, lineage), found '{line[:80]}'")
        ids.add(fields[0].strip())
    return ids


def _ranks(header: str, fmt: str, path: Path, where: str) -> list[str]:
    if fmt == "sintax":
        return parse_sintax_header(header, str(path), where)
    if fmt == "dada2":
        return parse_dada2_header(header, str(path), where)
    if fmt == "gold":
        lineage = gold_organism(header)[2]
        return [*lineage[:len(RANKS)], *[""] * (len(RANKS) - len(lineage[:len(RANKS)]))]
    raise InputError(f"{path}: unknown reference format '{fmt}' (use sintax, dada2, fasta_tsv "
                     "or gold)")


def check_taxonomy_fasta(path: str | os.PathLike[str], fmt: str,
                         lineage_table: str | os.PathLike[str] | None = None,
                         accept_implausible: bool = False) -> dict:
    """Read a taxonomy reference FASTA completely and check it; return its counts
    (records, records with a genus, genera).

    Checks: gzip integrity; FASTA structure (a header first, a sequence after every header);
    every header in the ``fmt`` format (for ``fasta_tsv``, every ID in ``lineage_table``); at
    least one genus and at least :data:`MIN_GENUS_FRACTION` of the records with one, unless
    ``accept_implausible``. Errors name the file and the line."""
    path = Path(path)
    ids = _lineage_ids(Path(lineage_table)) if fmt == "fasta_tsv" and lineage_table else None
    records = with_genus = 0
    genera: set[str] = set()
    pending: tuple[int, str] | None = None  # header waiting for its sequence
    for number, line in numbered_lines(path):
        if not line.strip():
            continue
        if line.startswith(">"):
            if pending is not None:
                raise InputError(f"{path}: line {pending[0]}: record '{pending[1][:60]}' has no "
                                 "sequence")
            header = line[1:]
            records += 1
            pending = (number, header)
            if fmt == "fasta_tsv":
                ident = header.split()[0] if header.split() else ""
                if ids is not None and ident not in ids:
                    raise InputError(f"{path}: line {number}: record '{ident}' has no lineage "
                                     f"in {lineage_table}")
                continue
            ranks = _ranks(header, fmt, path, f"line {number}")
            if ranks[5]:
                with_genus += 1
                genera.add(ranks[5])
        elif records == 0:
            raise InputError(f"{path}: line {number}: expected a FASTA header starting with '>', "
                             f"found '{line[:60]}'. Is this a FASTA file?")
        else:
            pending = None  # sequence lines may follow
    if pending is not None:
        raise InputError(f"{path}: line {pending[0]}: record '{pending[1][:60]}' has no sequence "
                         "(is the file truncated?)")
    if records == 0:
        raise InputError(f"{path}: the reference holds no sequences")
    counts = {"records": records, "with_genus": with_genus, "genera": len(genera)}
    if fmt == "fasta_tsv" or accept_implausible:
        return counts
    if not genera or with_genus < MIN_GENUS_FRACTION * records:
        raise InputError(
            f"{path}: implausible as a '{fmt}' taxonomy reference: {with_genus:,} of its "
            f"{records:,} records name a genus ({len(genera):,} genera). Expected headers like "
            f"{_EXAMPLE.get(fmt, fmt)}. Check the reference's format: key; if the file is right, "
            "set accept_implausible: true in its references.taxonomy entry."
        )
    return counts


# ----------------------------------------------------------------------------- genus profile


#: Columns each table of a genus profile folder needs, and which of them hold numbers.
GENUS_PROFILE_TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "genera.tsv": (("genus", "n_genomes", "n_genomes_16s", "mean_16s_copies"),
                   ("n_genomes", "n_genomes_16s", "mean_16s_copies")),
    "ec_profile.tsv.gz": (("genus", "ec", "mean_copies", "fraction_genomes"),
                          ("mean_copies", "fraction_genomes")),
    "ko_ec.tsv": (("ko", "ec"), ()),
    "ec_transferred.tsv": (("old_ec", "ec"), ()),
    "species_genera.tsv": (("species", "genus"), ()),
    "route_carriers.tsv": (("route", "genus", "n_genomes", "n_species", "carrier_fraction",
                            "carrier_low", "carrier_high", "marker_copies"),
                           ("n_genomes", "n_species", "carrier_fraction", "carrier_low",
                            "carrier_high", "marker_copies")),
    "route_visibility.tsv": (("route", "seen", "unseen_ecs", "n_carrier_genera"),
                             ("n_carrier_genera",)),
}
#: Files every genus profile folder has (the others are optional).
GENUS_PROFILE_REQUIRED = ("genera.tsv", "ec_profile.tsv.gz", "ec_annotated.txt", "ko_ec.tsv",
                          "reference.yaml")


def check_tsv(path: str | os.PathLike[str], columns: Sequence[str],
              numeric: Sequence[str] = ()) -> dict:
    """Read a tab-separated table completely: the header holds ``columns``, every row has as
    many fields as the header, ``numeric`` columns hold numbers (or nothing)."""
    path = Path(path)
    header: list[str] | None = None
    where: list[int] = []
    rows = 0
    for number, line in numbered_lines(path):
        if header is None:
            header = line.split("\t")
            if len(header) == 1 and "," in line:
                raise InputError(f"{path}: line 1: the table is comma-separated; expected "
                                 f"tab-separated columns {', '.join(columns)}")
            missing = [c for c in columns if c not in header]
            if missing:
                raise InputError(f"{path}: line 1: missing column(s) {', '.join(missing)}; "
                                 f"expected tab-separated columns {', '.join(columns)}, found "
                                 f"'{line[:80]}'")
            where = [header.index(c) for c in numeric]
            continue
        if not line:
            continue
        fields = line.split("\t")
        if len(fields) != len(header):
            raise InputError(f"{path}: line {number}: {len(fields)} tab-separated fields, the "
                             f"header has {len(header)}")
        for i in where:
            value = fields[i]
            if value and value.lower() != "nan":
                try:
                    float(value)
                except ValueError:
                    raise InputError(f"{path}: line {number}: column '{header[i]}' should be a "
                                     f"number, found '{value[:40]}'") from None
        rows += 1
    if header is None:
        raise InputError(f"{path}: the file is empty; expected tab-separated columns "
                         f"{', '.join(columns)}")
    return {"rows": rows}


def genus_profile_manifest(folder: str | os.PathLike[str]) -> dict:
    """The folder's ``reference.yaml`` as a mapping (InputError naming it when it is not)."""
    path = Path(folder) / "reference.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise InputError(f"{path}: not valid YAML ({err})") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping (name, kind, version, ...)")
    files = data.get("files", {})
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        raise InputError(f"{path}: 'files' should map file names to sha256 checksums")
    return data


def genus_profile_checks(folder: str | os.PathLike[str]) -> list[tuple[Path, Validator]]:
    """(file, check) for every file of a genus profile folder, required ones first; a missing
    required file raises an InputError naming it."""
    base = Path(folder)
    missing = [str(base / n) for n in GENUS_PROFILE_REQUIRED if not (base / n).is_file()]
    if missing:
        raise InputError(f"genus profile reference {base}: missing file(s) "
                         f"{', '.join(missing)}")
    checks: list[tuple[Path, Validator]] = [
        (base / "reference.yaml", lambda p: {"keys": len(genus_profile_manifest(p.parent))})]
    for name, (columns, numeric) in GENUS_PROFILE_TABLES.items():
        if (base / name).is_file():
            checks.append((base / name,
                           lambda p, c=columns, n=numeric: check_tsv(p, c, n)))
    checks.append((base / "ec_annotated.txt", _check_ec_list))
    return checks


def _check_ec_list(path: Path) -> dict:
    count = 0
    for number, line in numbered_lines(path):
        if not line.strip():
            continue
        if not line.startswith("EC:"):
            raise InputError(f"{path}: line {number}: expected one EC number per line "
                             f"('EC:1.1.1.1'), found '{line[:40]}'")
        count += 1
    return {"ecs": count}


def check_file(path: str | os.PathLike[str], validator: Validator, memo: CheckMemo,
               key: str) -> dict:
    """Run ``validator`` on ``path`` unless ``memo`` remembers a pass under ``key`` for the
    file as it is now; remember a pass."""
    path = Path(path)
    known = memo.load(path)
    if key in known.get("passed", {}):
        return known["passed"][key]
    result = validator(path) or {}
    known = memo.load(path)
    memo.save(path, {**known, "passed": {**known.get("passed", {}), key: result}})
    return result


def verify_genus_profile(folder: str | os.PathLike[str], memo: CheckMemo) -> None:
    """Check every file of a genus profile folder (content, and checksum where its
    ``reference.yaml`` lists one)."""
    base = Path(folder)
    checks = genus_profile_checks(base)
    manifest = check_file(base / "reference.yaml",
                          lambda p: {"files": genus_profile_manifest(p.parent).get("files", {})},
                          memo, "manifest")
    listed = manifest.get("files", {})
    for path, validator in checks:
        if path.name in listed:
            verify_checksum(
                path, f"genus profile reference {base}", expected=listed[path.name],
                expected_from=f"{base / 'reference.yaml'} (files: {path.name})",
                fix="Restore the folder (git checkout, or copy it again), or rebuild it with "
                    "make genus-profile (which writes new checksums) if the change is intended.",
                memo=memo)
        check_file(path, validator, memo, "genus_profile")


# ----------------------------------------------------------------------------- a run's references


def local_lock(cache: str | os.PathLike[str], path: str | os.PathLike[str]) -> Path:
    """Where the checksum of a local reference file is recorded on first use."""
    resolved = Path(path).resolve()
    key = hashlib.sha1(str(resolved).encode("utf-8")).hexdigest()[:16]
    return Path(cache) / "locks" / f"{key}_{resolved.name}.sha256"


def _verify(path: Path, what: str, validator: Validator, key: str, memo: CheckMemo,
            **checksum) -> None:
    """Content first (so that a damaged file is never recorded as the file to expect), then
    the checksum (recorded on first use)."""
    try:
        check_file(path, validator, memo, key)
    except InputError as err:
        raise InputError(f"{what}: {err}") from None
    verify_checksum(path, what, memo=memo, **checksum)


def verify_taxonomy_reference(name: str, entry: Mapping, cache: str | os.PathLike[str],
                              memo: CheckMemo) -> None:
    """Content and checksum of every file of taxonomy reference ``name`` that exists now (a
    file still to be downloaded or copied is checked by the job that first reads it)."""
    key = f"references.taxonomy.{name}"
    what = f"taxonomy reference '{name}' ({key})"
    fmt = entry["format"]
    accept = bool(entry.get("accept_implausible", False))
    table = entry.get("taxonomy") if fmt == "fasta_tsv" else None
    source = entry["source"]
    if source == "local":
        for sub in ("fasta", "taxonomy") if table else ("fasta",):
            path = entry.get(sub, "")
            if not path or not Path(path).is_file():
                raise InputError(f"config key {key}.{sub} is '{path}': no such file.")
        main, lock = Path(entry["fasta"]), local_lock(cache, entry["fasta"])
        fix = (f"If the change is intended, set {key}.sha256 to the new checksum (or delete "
               f"the lock file {lock}).")
    elif source == "url":
        main = Path(cache) / "taxonomy" / name / "download" / "reference.fa.gz"
        lock = main.with_name(main.name + ".sha256")
        fix = (f"Delete {main} and {lock} to download it again, or, if the new file is "
               f"intended, set {key}.sha256 to its checksum.")
    else:
        main = Path(cache) / "dada2_package" / entry["file"]
        lock = main.with_name(main.name + ".sha256")
        fix = (f"The file is a copy of the DADA2 R package's {entry['file']}: delete {main} and "
               f"{lock} to copy it again (expected after an update of the R package).")
    if table:
        tlock = local_lock(cache, table)
        _verify(Path(table), what, check_readable, "readable", memo, lock=tlock,
                fix=f"If the change is intended, delete the lock file {tlock}.")
    if main.is_file():
        _verify(main, what, lambda p: check_taxonomy_fasta(p, fmt, table, accept),
                f"taxonomy:{fmt}:{accept}:{table or ''}", memo,
                expected=entry.get("sha256", ""), expected_from=f"config key {key}.sha256",
                lock=lock, fix=fix)
    species = Path(cache) / "taxonomy" / name / "download" / "species.fa.gz"
    if entry.get("species_url") and species.is_file():
        slock = species.with_name(species.name + ".sha256")
        _verify(species, what, check_readable, "readable", memo,
                expected=entry.get("species_sha256", ""),
                expected_from=f"config key {key}.species_sha256", lock=slock,
                fix=f"Delete {species} and {slock} to download it again, or set "
                    f"{key}.species_sha256 if the new file is intended.")
    for i, part in enumerate(entry.get("extra", [])):
        found = extra_part_path(str(cache), name, i, part)
        if found is None or not Path(found).is_file():
            continue  # named with its install hint when the DAG is built, or still to fetch
        path = Path(found)
        plock = local_lock(cache, path)
        fix = (f"If the change is intended (an updated package), set {key}.extra[{i}].sha256 "
               f"to the new checksum." if part.get("sha256") else
               f"If the change is intended (an updated package), delete the lock file {plock}.")
        _verify(path, f"{what}, extra part {i + 1}",
                lambda p, f=part["format"]: check_taxonomy_fasta(p, f, None, accept),
                f"taxonomy:{part['format']}:{accept}:", memo, lock=plock,
                expected=part.get("sha256", ""),
                expected_from=f"config key {key}.extra[{i}].sha256", fix=fix)


def verify_bundle_files(name: str, entry: Mapping | None, files: Mapping[str, str],
                        cache: str | os.PathLike[str], memo: CheckMemo) -> None:
    """Integrity (a gzip read to its end) and checksums of the parts of a functional
    reference bundle that exist now: a downloaded part against the config's ``sha256`` or its
    lock file, a local part against the lock written on first use. The tables' columns are
    checked by :mod:`gutbrain.bundle` when the prediction job loads them."""
    for part, path in files.items():
        path = Path(path)
        if not path.is_file():
            continue
        downloaded = entry is not None and entry.get("source") == "url"
        key = f"references.bundles.{name}.sha256.{part.removeprefix('bundle_')}"
        expected = ((entry or {}).get("sha256", {}) or {}).get(part.removeprefix("bundle_"), "")
        lock = path.with_name(path.name + ".sha256") if downloaded else local_lock(cache, path)
        fix = (f"Delete {path} and {lock} to download it again, or set {key} if the new file is "
               "intended." if downloaded else
               f"If the change is intended, delete the lock file {lock}.")
        _verify(path, f"reference bundle '{name}'", check_readable, "readable", memo,
                expected=expected, expected_from=f"config key {key}", lock=lock, fix=fix)


def verify_routes_match(folder: str | os.PathLike[str], routes: str | os.PathLike[str],
                        memo: CheckMemo) -> None:
    """The route table a run scores with (``function.routes``) must be the one the genus
    profile's route carriage was built from (its ``reference.yaml`` sources list its sha256):
    carriage of a changed route would otherwise be stale."""
    base = Path(folder)
    if not (base / "route_carriers.tsv").is_file():
        return
    sources = genus_profile_manifest(base).get("sources", []) or []
    built = next((s.get("sha256", "") for s in sources if isinstance(s, Mapping)
                  and s.get("file") == "routes.tsv"), "")
    if built:
        verify_checksum(
            routes, f"route table (config key function.routes), against genus profile {base}",
            expected=built, expected_from=f"{base / 'reference.yaml'} (sources: routes.tsv, the "
                                          "table its route_carriers.tsv was built from)",
            fix="Rebuild the genus profile from this route table (make genus-profile, or "
                "python -m gutbrain.genus_profile_build --routes ...), or set function.routes "
                "to the table the folder was built from.",
            memo=memo)
