"""Git objects written as one pack (``objects/pack/pack-<id>.pack`` and its ``.idx``), the
format git's own ``index-pack`` writes: version 2, every object whole (no deltas).

Publishing into a local repository writes a dozen objects per revision. As loose objects that
is a dozen new files, and creating files is what costs most on many file systems (an ext4 without
a journal looks for a free inode past every recently deleted one). One pack and its index are
two files for a whole batch of revisions. Git reads them as it reads the packs it writes; a
repository that collects many is rolled up by ``git repack --geometric`` (see
``roll_up_packs``).

Format: Documentation/gitformat-pack.txt in git's sources.
"""

from __future__ import annotations

import hashlib
import os
import struct
import subprocess
import threading
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path

TYPES = {"commit": 1, "tree": 2, "blob": 3, "tag": 4}
PACKS_BEFORE_ROLL_UP = 50  # git's own gc.autoPackLimit
_LARGE = 0x80000000  # offsets from here on go in the index's 8-byte table


def object_id(kind: str, body: bytes) -> str:
    return hashlib.sha1(b"%s %d\0" % (kind.encode(), len(body)) + body, usedforsecurity=False).hexdigest()


def pack_bytes(objects: Sequence[tuple[str, str, bytes]]) -> tuple[bytes, bytes]:
    """The pack and its index for ``(id, kind, body)`` objects (ids distinct)."""
    parts = [b"PACK", struct.pack(">II", 2, len(objects))]
    offset = 12
    entries: list[tuple[bytes, int, int]] = []  # (binary id, crc32, offset)
    for sha, kind, body in objects:
        record = _entry_header(TYPES[kind], len(body)) + zlib.compress(body, 1)
        entries.append((bytes.fromhex(sha), zlib.crc32(record), offset))
        parts.append(record)
        offset += len(record)
    pack = b"".join(parts)
    checksum = hashlib.sha1(pack, usedforsecurity=False).digest()
    pack += checksum
    return pack, _index(sorted(entries), checksum)


def _entry_header(type_code: int, size: int) -> bytes:
    # Type in bits 4-6 of the first byte, the size in 4 bits there and 7 bits per next byte.
    first = (type_code << 4) | (size & 0x0F)
    size >>= 4
    out = bytearray()
    while size:
        out.append(first | 0x80)
        first = size & 0x7F
        size >>= 7
    out.append(first)
    return bytes(out)


def _index(entries: Sequence[tuple[bytes, int, int]], pack_checksum: bytes) -> bytes:
    fanout = [0] * 256
    for sha, _, _ in entries:
        fanout[sha[0]] += 1
    running = 0
    for byte in range(256):
        running += fanout[byte]
        fanout[byte] = running
    small: list[int] = []
    large: list[int] = []
    for _, _, offset in entries:
        if offset < _LARGE:
            small.append(offset)
        else:
            small.append(_LARGE | len(large))
            large.append(offset)
    index = b"".join(
        [
            b"\377tOc",
            struct.pack(">I", 2),
            struct.pack(">256I", *fanout),
            b"".join(sha for sha, _, _ in entries),
            struct.pack(f">{len(entries)}I", *(crc for _, crc, _ in entries)),
            struct.pack(f">{len(small)}I", *small),
            struct.pack(f">{len(large)}Q", *large),
            pack_checksum,
        ]
    )
    return index + hashlib.sha1(index, usedforsecurity=False).digest()


def write_pack(objects_dir: Path, objects: Mapping[str, tuple[str, bytes]]) -> str | None:
    """Write ``{id: (kind, body)}`` into ``objects_dir/pack`` as one pack; its name (None when
    there is nothing to write). The pack goes first and its index last, each under a temporary
    name, synced, then renamed, as git does: git uses a pack once its index is there."""
    if not objects:
        return None
    pack, index = pack_bytes([(sha, kind, body) for sha, (kind, body) in objects.items()])
    name = "pack-" + pack[-20:].hex()
    directory = objects_dir / "pack"
    directory.mkdir(exist_ok=True)
    for suffix, content in ((".pack", pack), (".idx", index)):
        target = directory / (name + suffix)
        if target.exists():
            continue  # the same objects written before: the same pack
        temporary = directory / f"tmp_o2krm_{os.getpid()}{suffix}"
        with open(temporary, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.chmod(0o444)
        os.replace(temporary, target)
    return name


def pack_count(objects_dir: Path) -> int:
    try:
        return sum(1 for name in os.listdir(objects_dir / "pack") if name.endswith(".idx"))
    except OSError:
        return 0


def roll_up_packs(repository: Path, env: Mapping[str, str], *, wait: bool | None = None) -> None:
    """Roll small packs up into larger ones once there are many (``git repack --geometric``:
    each pack at least twice the size of the ones rolled into it, so that the work stays
    proportional to what was added). One at a time per repository; in a long-lived process
    that set ``IN_BACKGROUND``, in the background: a publish does not wait for it, and git
    reads and writes the repository meanwhile as it does during its own repacks (the process
    waits for it before it exits, see ``wait_for_roll_ups``). Best effort: git reads any
    number of packs."""
    wait = not IN_BACKGROUND if wait is None else wait
    key = str(repository)
    with _ROLLING_LOCK:
        running = _ROLLING.get(key)
        if running is not None and running.poll() is None:
            return
        if pack_count(repository / "objects") <= PACKS_BEFORE_ROLL_UP:
            return
        process = subprocess.Popen(
            ["git", "repack", "-d", "-q", "--geometric=2"],
            cwd=repository,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _ROLLING[key] = process
    if wait:
        process.wait()


_ROLLING: dict[str, subprocess.Popen[bytes]] = {}  # the roll-up running per repository
_ROLLING_LOCK = threading.Lock()


IN_BACKGROUND = False  # set by long-lived publishers (the gateway's publishing process)


def wait_for_roll_ups(timeout: float = 60.0) -> None:
    """Wait for the roll-ups this process started (for a process about to exit)."""
    with _ROLLING_LOCK:
        running = list(_ROLLING.values())
    for process in running:
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
