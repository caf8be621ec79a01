"""The scoring engine compiled with mypyc, used only while it is the engine's current source.

`engine.py` and the feature modules (`features/*.py`) are plain typed Python (mypy-clean), so
mypyc compiles them as they are into C extensions (one shared library, `engine__mypyc`, and
a small extension per module) that score several times as many queries a second as the
source (`bench/screening_speed.py`). `make install` builds them beside the sources (`python
-m tizim.screening.compiled`) and stamps them with the sources' digest. Python imports an
extension before a `.py` of the same name, so compiled modules older than an edit would
silently run the old code: on import, `use_source_if_stale()` loads every one of them from
its source instead, and says so once.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.util
import subprocess
import sys
import warnings
from importlib.machinery import ModuleSpec
from pathlib import Path
from typing import Any

ENGINE = Path(__file__).with_name("engine.py")
FEATURES = Path(__file__).with_name("features")
STAMP = Path(__file__).with_name(".engine.compiled")
MODULE = "tizim.screening.engine"
PACKAGE = "tizim.screening.features"


def sources() -> list[Path]:
    """The compiled sources: the feature modules (imported by the engine first), the engine."""
    return sorted(p for p in FEATURES.glob("*.py") if p.name != "__init__.py") + [ENGINE]


def _module(path: Path) -> str:
    return MODULE if path == ENGINE else f"{PACKAGE}.{path.stem}"


def _extensions() -> list[Path]:
    out: list[Path] = []
    for pattern in ("*.so", "*.pyd"):
        out += sorted(ENGINE.parent.glob("engine" + pattern)) + sorted(FEATURES.glob(pattern))
    return out


def source_digest() -> str:
    digest = hashlib.sha1()
    for path in sources():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def is_current() -> bool:
    """Are there compiled modules, built from the sources as they are now?"""
    return bool(_extensions()) and STAMP.is_file() and STAMP.read_text().strip() == source_digest()


class _SourceFinder(importlib.abc.MetaPathFinder):
    """Finds the compiled modules' sources, before the path finder finds their extensions."""

    def __init__(self, paths: dict[str, Path]) -> None:
        self.paths = paths

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        source = self.paths.get(fullname)
        return importlib.util.spec_from_file_location(fullname, source) if source is not None else None


def use_source_if_stale() -> None:
    if not _extensions() or is_current() or MODULE in sys.modules:
        return
    warnings.warn("the compiled screening engine is older than its source: using the source "
                  "(`make install` compiles it again)", RuntimeWarning, stacklevel=2)
    # every compiled module from its source, whichever imports it first (a feature module
    # imports others: each must be the source's, never an older extension)
    sys.meta_path.insert(0, _SourceFinder({_module(p): p for p in sources()}))


def remove() -> None:
    for path in [*_extensions(), STAMP]:
        path.unlink(missing_ok=True)


_SETUP = """
from setuptools import setup
from mypyc.build import mypycify

setup(name="tizim_screening_compiled", ext_modules=mypycify({paths!r}, opt_level="3",
      group_name={group!r}))
"""


def build() -> None:
    """Compile the engine and its features in place (mypyc, from the dev dependencies), as one
    group so that calls between them stay native, and stamp them."""
    remove()
    root = ENGINE.parents[2]
    build_dir = root / "build"
    build_dir.mkdir(exist_ok=True)
    setup = build_dir / "setup_screening.py"
    paths = [str(p.relative_to(root)) for p in sources()]
    setup.write_text(_SETUP.format(paths=paths, group=MODULE))
    subprocess.run([sys.executable, str(setup), "build_ext", "--inplace"], cwd=root, check=True,
                   stdout=subprocess.DEVNULL)
    STAMP.write_text(source_digest() + "\n")


if __name__ == "__main__":
    if sys.argv[1:] == ["--remove"]:
        remove()
    else:
        build()
