"""Temporary folders named after their process; those a killed process left behind are
removed by the next process that makes one of their kind (scenes/kit/temp_folders.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from optiroll.scenes.kit import temp_folders
from optiroll.scenes.kit.temp_folders import LEFT_FOR, remove_left_behind


def _gone_pid() -> int:
    """The id of a process that ran and has ended."""
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


def test_only_old_folders_of_ended_processes_of_the_kind_go(tmp_path: Path) -> None:
    gone, now = _gone_pid(), time.time()
    old = now - LEFT_FOR - 60

    def folder(name: str, mtime: float = old) -> Path:
        path = tmp_path / name
        path.mkdir()
        (path / "partial.mp4").write_bytes(b"x")
        os.utime(path, (mtime, mtime))
        return path

    left = folder(f"optiroll-job-{gone}-abc")
    keep = [folder(f"optiroll-job-{os.getpid()}-abc"),  # this process runs
            folder(f"optiroll-job-{gone}-new", mtime=now - 60),  # touched a minute ago
            folder(f"optiroll-piece-{gone}-abc"),  # another kind
            folder("optiroll-job-abc"),  # no process named (an older optiroll's)
            folder(f"optiroll-job-{10**30}-abc")]  # no process id at all
    (tmp_path / f"optiroll-job-{gone}-file").write_text("a file, not a folder")
    assert remove_left_behind("job", tmp_path, now) == [left]
    assert not left.exists() and all(k.exists() for k in keep)
    assert remove_left_behind("job", tmp_path / "missing", now) == []


def test_own_folder_names_the_process_and_clears_once(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(temp_folders.tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(temp_folders, "_cleared", set())
    gone = _gone_pid()
    left = tmp_path / f"optiroll-test-{gone}-abc"
    left.mkdir()
    os.utime(left, (0, 0))
    made = temp_folders.own_folder("test")
    assert made.parent == tmp_path and made.name.startswith(f"optiroll-test-{os.getpid()}-")
    assert not left.exists()
    left.mkdir()
    os.utime(left, (0, 0))
    temp_folders.own_folder("test")  # (cleared once a process and kind)
    assert left.exists()
