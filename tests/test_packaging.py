"""The wheel installs one top-level name, ``optiroll``, with dynamics and scenes inside."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import installed_env

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                        "-q", "-w", str(out), str(REPO)], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    (whl,) = out.glob("optiroll-*.whl")
    return whl


def test_wheel_installs_only_optiroll(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"optiroll"}
    for module in ("optiroll/dynamics/__init__.py", "optiroll/dynamics/surfaces.py",
                   "optiroll/dynamics/optimizers/adam.py", "optiroll/scenes/cli.py",
                   "optiroll/scenes/lesson/acts/race.py", "optiroll/scenes/kit/surface3d.py",
                   "optiroll/scenes/assets/revealjs/dist/reveal.js",
                   "optiroll/dynamics/catalog_code.json"):
        assert module in names, module
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "optiroll = optiroll.scenes.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()


def test_modules_are_not_shadowed_by_functions() -> None:
    """``import optiroll.dynamics.surfaces`` is the module, not the ``surface()`` function."""
    import optiroll.dynamics.rollouts as rollouts
    import optiroll.dynamics.surfaces as surfaces

    assert hasattr(surfaces, "Surface") and hasattr(rollouts, "Rollout")


def test_no_bare_imports_left() -> None:
    """No module imports ``dynamics`` or ``scenes`` by their repository folder names."""
    code = ("import pkgutil, importlib, optiroll.dynamics, optiroll.scenes, sys\n"
            "for pkg in (optiroll.dynamics, optiroll.scenes):\n"
            "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
            "        importlib.import_module(m.name)\n"
            "bare = sorted(m for m in sys.modules if m.split('.')[0] in ('dynamics', 'scenes'))\n"
            "assert not bare, bare\n")
    r = subprocess.run([sys.executable, "-c", code], cwd="/", env=installed_env(),
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
