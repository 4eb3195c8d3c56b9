"""optiroll's cache folder on disk: where it is, and writing an entry whole or not at all.

Two caches live there, each in a folder of its own: parsed SVG outlines
(``scenes/kit/svgcache.py``, ``svg/``) and surfaces' compiled functions
(:mod:`.compiled`, ``surfaces/``). The root is ``$OPTIROLL_CACHE`` where that is
set (``off`` or empty: no cache), else ``$XDG_CACHE_HOME/optiroll`` or
``~/.cache/optiroll``. Folders are made readable by their user only (mode 0700): the
entries are pickles and code, read back only by whoever wrote them.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

_pruned: set[Path] = set()


def cache_folder(kind: str) -> Path | None:
    """The folder of the cache ``kind`` (``svg``, ``surfaces``), or None when caching is
    off (``OPTIROLL_CACHE=off``) or there is no home folder to keep it in."""
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


def prune(folder: Path, suffix: str, max_entries: int) -> None:
    """Once a process and folder: remove temporary files over an hour old (left by a
    process killed while writing) and, past ``max_entries`` entries (files ending in
    ``suffix``), the less recently used half."""
    if folder in _pruned:
        return
    _pruned.add(folder)
    now = time.time()
    for p in folder.glob("*.tmp"):
        if now - p.stat().st_mtime > 3600:
            p.unlink(missing_ok=True)
    entries = list(folder.glob(f"*{suffix}"))
    if len(entries) <= max_entries:
        return
    entries.sort(key=lambda p: p.stat().st_mtime)
    for p in entries[:len(entries) // 2]:
        p.unlink(missing_ok=True)
