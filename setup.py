"""The optional compiled part of optiroll: the 3-D view's face filler.

Everything else is in pyproject.toml. ``optiroll.scenes.kit._faces`` is built against
the system's cairo (found with pkg-config, as pycairo itself is); where that or a C
compiler is missing the build goes on without it and the 3-D view fills its faces in
Python, pixel for pixel the same (scenes/kit/surface3d.py).
"""

import shlex
import subprocess

from setuptools import Extension, setup


def pkg_config(*args: str) -> list[str]:
    """pkg-config's answer for cairo, split; empty where pkg-config or cairo is missing."""
    try:
        out = subprocess.run(["pkg-config", *args, "cairo"], capture_output=True, text=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return []
    return shlex.split(out)


cflags, libs = pkg_config("--cflags"), pkg_config("--libs")
setup(ext_modules=[Extension(
    "optiroll.scenes.kit._faces", ["scenes/kit/_faces.c"],
    include_dirs=[f[2:] for f in cflags if f.startswith("-I")],
    library_dirs=[f[2:] for f in libs if f.startswith("-L")],
    libraries=[f[2:] for f in libs if f.startswith("-l")] or ["cairo"],
    extra_compile_args=["-O2"],
    optional=True,  # no compiler or no cairo headers: optiroll works without it
)])
