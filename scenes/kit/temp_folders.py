"""Temporary folders that a killed render does not leave behind for good.

A render works in temporary folders: the command's working folder with the media
Manim writes (``job``), a forked copy's text folder (``piece``), the glyph cache's
layout file (``glyphs``), a cluster job's unpacked bundle (``bundle``). Each is
removed by the process that made it when it ends, but a process killed outright
(SIGKILL, the out-of-memory killer, a power cut) removes nothing: a 4K render's
partial movies stay in the temporary folder until the machine is cleaned.

So each folder is named after its kind and the process that made it,
``optiroll-<kind>-<pid>-<random>``, and the first folder a process makes of a kind
first removes the ones of that kind (:func:`remove_left_behind`) that were left by
a process no longer running, owned by this user and untouched for
:data:`LEFT_FOR` seconds: a day, since another machine or container sharing the
folder counts its processes apart (its live process may look gone from here).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from pathlib import Path

#: seconds a folder left by a process no longer running stays untouched before it goes
LEFT_FOR = 24 * 3600.0
_cleared: set[str] = set()


def own_folder(kind: str) -> Path:
    """A new temporary folder of ``kind`` for this process (see the module); the first of
    its kind in this process first removes those of that kind left behind."""
    if kind not in _cleared:
        _cleared.add(kind)
        remove_left_behind(kind)
    return Path(tempfile.mkdtemp(prefix=f"optiroll-{kind}-{os.getpid()}-"))


def remove_left_behind(kind: str, root: Path | None = None,
                       now: float | None = None) -> list[Path]:
    """Remove the folders of ``kind`` in ``root`` (the temporary folder) whose process is
    no longer running, owned by this user and untouched for :data:`LEFT_FOR` seconds;
    returns them. Nothing here raises: a folder that cannot be read or removed stays."""
    pattern = re.compile(rf"optiroll-{re.escape(kind)}-([0-9]+)-")
    now = time.time() if now is None else now
    gone: list[Path] = []
    try:
        entries = list(os.scandir(root or tempfile.gettempdir()))
    except OSError:
        return gone
    for entry in entries:
        found = pattern.match(entry.name)
        if found is None:
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if (not entry.is_dir(follow_symlinks=False) or st.st_uid != os.getuid()
                    or now - st.st_mtime < LEFT_FOR or running(int(found.group(1)))):
                continue
        except OSError:
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        gone.append(Path(entry.path))
    return gone


def running(pid: int) -> bool:
    """Whether a process ``pid`` runs here (one of another user's counts)."""
    if pid <= 0:
        return True  # (not a process id of ours: left alone)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # another user's process, or no pid at all
        return True
    return True
