"""Read one file out of a Debian binary package (.deb) without dpkg.

A .deb is an ``ar`` archive (``!<arch>\\n``, then members each behind a 60-byte header: name 16,
mtime 12, uid 6, gid 6, mode 8, size 10, magic 2; data padded to an even offset) holding
``debian-binary``, ``control.tar.*`` and ``data.tar.*``; the installed files are in the data tar
(xz, gzip, bzip2 or uncompressed; zstd, which Python cannot read, is refused by name). Used to
fetch a reference file that Debian ships (the RDP/Broad gold 16S set) from Debian's archive,
checksummed, where the package is not installed.
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from gutbrain.errors import InputError

_AR_MAGIC = b"!<arch>\n"
_HEADER = 60


def _ar_members(data: bytes, source: str) -> dict[str, bytes]:
    if not data.startswith(_AR_MAGIC):
        raise InputError(f"{source}: not a Debian package (no ar archive header)")
    members, offset = {}, len(_AR_MAGIC)
    while offset + _HEADER <= len(data):
        header = data[offset:offset + _HEADER]
        if header[58:60] != b"`\n":
            raise InputError(f"{source}: damaged ar member header at byte {offset}")
        name = header[:16].decode("ascii", "replace").strip().rstrip("/")
        try:
            size = int(header[48:58].decode("ascii").strip())
        except ValueError:
            raise InputError(f"{source}: damaged ar member size at byte {offset}") from None
        start = offset + _HEADER
        if start + size > len(data):
            raise InputError(f"{source}: truncated (member {name} needs {size} bytes)")
        members[name] = data[start:start + size]
        offset = start + size + (size % 2)
    return members


def _plain(name: str) -> str:
    return name.removeprefix("./").lstrip("/")


def read_member(deb: str | Path, member: str) -> bytes:
    """The bytes of the installed file ``member`` (for example
    ``usr/share/microbiomeutil-data/RESOURCES/rRNA16S.gold.fasta``) of the package ``deb``."""
    members = _ar_members(Path(deb).read_bytes(), str(deb))
    data_tar = next((name for name in members if name.startswith("data.tar")), None)
    if data_tar is None:
        raise InputError(f"{deb}: no data.tar member (members: {', '.join(members)})")
    if data_tar.endswith(".zst"):
        raise InputError(f"{deb}: {data_tar} is zstd-compressed, which cannot be read here; "
                         "extract the file with dpkg-deb and give its path as 'fasta'")
    wanted = _plain(member)
    try:
        with tarfile.open(fileobj=io.BytesIO(members[data_tar])) as tar:
            for info in tar:
                if info.isfile() and _plain(info.name) == wanted:
                    return tar.extractfile(info).read()
    except (tarfile.TarError, EOFError, OSError) as err:
        raise InputError(f"{deb}: {data_tar} cannot be read ({err})") from None
    raise InputError(f"{deb}: the package has no file {wanted}")
