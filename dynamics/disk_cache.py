"""optiroll's cache folder on disk: where it is, writing an entry whole or not at all,
and reading one back only from a folder of this user's own.

Four caches live there, each in a folder of its own: parsed SVG outlines
(``scenes/kit/svgcache.py``, ``svg/``), the glyph measures live text is composed
from (``scenes/kit/glyphs.py``, ``glyphs/``), surfaces' compiled functions
(:mod:`.compiled`, ``surfaces/``) and the drawing times of a lesson's animations
(``scenes/lesson/draw_costs.py``, ``pieces/``). The root is ``$OPTIROLL_CACHE``
where that is set (``off`` or empty: no cache), else ``$XDG_CACHE_HOME/optiroll``
or ``~/.cache/optiroll``. Folders are made readable by their user only (mode 0700),
and an entry is read only from a folder that this user owns and no one else may
write to or read (:func:`read`): the entries are pickles and code.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

_pruned: set[Path] = set()


def source_hash(*files: Path) -> str:
    """A hash of ``files``' bytes, one after another: the code an entry was made by (a
    change to it, and entries made by the old code are not read)."""
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()


def cache_folder(kind: str) -> Path | None:
    """The folder of the cache ``kind`` (``svg``, ``glyphs``, ``surfaces``, ``pieces``), or
    None when caching is off (``OPTIROLL_CACHE=off``) or there is no home folder to keep
    it in."""
    chosen = os.environ.get("OPTIROLL_CACHE")
    if chosen is not None:
        return None if chosen.strip().lower() in ("off", "") else Path(chosen) / kind
    try:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    except RuntimeError:  # no home folder to be found: no cache
        return None
    return Path(base) / "optiroll" / kind


def store(entry: Path, data: bytes, max_entries: int) -> None:
    """Write ``data`` to ``entry`` whole or not at all: a temporary file in the same
    folder, renamed over it (parallel renders share the folder). The folder is made if
    need be (mode 0700), and pruned once a process (:func:`prune`). A cache that cannot
    be written is no error (the next run computes the entry again): nothing is raised."""
    try:
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        prune(entry.parent, entry.suffix, max_entries)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, entry)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:  # a full disk, a read-only home: no entry
        pass


def read(entry: Path) -> bytes | None:
    """The bytes of ``entry``, or None where it is missing or its folder is not this
    user's own (another owner, or open to others: a cache folder someone else made,
    whose pickles and code must not be run). A read entry is marked recently used, so
    the pruning keeps it."""
    try:
        st = entry.parent.stat()
        if st.st_uid != os.getuid() or st.st_mode & 0o077:
            return None
        data = entry.read_bytes()
        os.utime(entry)
    except OSError:
        return None
    return data


def prune(folder: Path, suffix: str, max_entries: int) -> None:
    """Once a process and folder: remove temporary files over an hour old (left by a
    process killed while writing) and, past ``max_entries`` entries (files ending in
    ``suffix``), the less recently used half."""
    if folder in _pruned:
        return
    _pruned.add(folder)
    now = time.time()
    for p, mtime in _ages(folder.glob("*.tmp")):
        if now - mtime > 3600:
            p.unlink(missing_ok=True)
    entries = _ages(folder.glob(f"*{suffix}"))
    if len(entries) <= max_entries:
        return
    entries.sort(key=lambda e: e[1])
    for p, _ in entries[:len(entries) // 2]:
        p.unlink(missing_ok=True)


def _ages(paths: Iterable[Path]) -> list[tuple[Path, float]]:
    """Each path with its modification time, leaving out one removed meanwhile (by
    another process pruning the same folder)."""
    out = []
    for p in paths:
        try:
            out.append((p, p.stat().st_mtime))
        except FileNotFoundError:
            pass
    return out
