import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def installed_env() -> dict[str, str]:
    """The environment for a subprocess that must find optiroll as installed (no PYTHONPATH,
    so a bare ``import dynamics`` or ``import scenes`` left in the code fails there too)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
