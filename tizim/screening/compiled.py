"""The scoring engine compiled with mypyc, used only while it is the engine's current source.

`engine.py` is plain typed Python (mypy-clean), so mypyc compiles it as it is into a C
extension that scores about 1.3 times as many queries a second (`bench/screening_speed.py`).
`make install` builds it beside the source (`python -m tizim.screening.compiled`) and stamps
it with the source's digest. Python imports an extension before a `.py` of the same name,
so a compiled engine older than an edit would silently run the old code: on import,
`use_source_if_stale()` loads `engine.py` itself instead, and says so once.
"""

from __future__ import annotations

import hashlib
import importlib.util
import subprocess
import sys
import warnings
from pathlib import Path

ENGINE = Path(__file__).with_name("engine.py")
STAMP = Path(__file__).with_name(".engine.compiled")
MODULE = "tizim.screening.engine"


def _extensions() -> list[Path]:
    return sorted(ENGINE.parent.glob("engine*.so")) + sorted(ENGINE.parent.glob("engine*.pyd"))


def source_digest() -> str:
    return hashlib.sha1(ENGINE.read_bytes()).hexdigest()


def is_current() -> bool:
    """Is there a compiled engine, built from the source as it is now?"""
    return bool(_extensions()) and STAMP.is_file() and STAMP.read_text().strip() == source_digest()


def use_source_if_stale() -> None:
    if not _extensions() or is_current() or MODULE in sys.modules:
        return
    warnings.warn("the compiled screening engine is older than engine.py: using the source "
                  "(`make install` compiles it again)", RuntimeWarning, stacklevel=2)
    spec = importlib.util.spec_from_file_location(MODULE, ENGINE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE] = module
    spec.loader.exec_module(module)


def remove() -> None:
    for path in [*_extensions(), STAMP]:
        path.unlink(missing_ok=True)


def build() -> None:
    """Compile engine.py in place (mypyc, from the dev dependencies) and stamp it."""
    remove()
    root = ENGINE.parents[2]
    subprocess.run([sys.executable, "-m", "mypyc", str(ENGINE.relative_to(root))], cwd=root, check=True,
                   stdout=subprocess.DEVNULL)
    STAMP.write_text(source_digest() + "\n")


if __name__ == "__main__":
    if sys.argv[1:] == ["--remove"]:
        remove()
    else:
        build()
