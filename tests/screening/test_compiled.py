"""The compiled engine is used only while it was built from engine.py as it is now."""

from __future__ import annotations

from pathlib import Path

import pytest

from tizim.screening import compiled


@pytest.fixture()
def engine_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(compiled, "ENGINE", tmp_path / "engine.py")
    monkeypatch.setattr(compiled, "FEATURES", tmp_path / "features")
    monkeypatch.setattr(compiled, "STAMP", tmp_path / ".engine.compiled")
    (tmp_path / "engine.py").write_text("SCORE = 1\n")
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "dates.py").write_text("DAY = 1\n")
    return tmp_path


def test_no_extension_is_not_current(engine_dir: Path) -> None:
    assert not compiled.is_current()


def test_an_extension_is_current_only_for_the_source_it_was_built_from(engine_dir: Path) -> None:
    (engine_dir / "engine.cpython-311-x86_64-linux-gnu.so").write_bytes(b"\x7fELF")
    assert not compiled.is_current()  # built, but never stamped
    compiled.STAMP.write_text(compiled.source_digest() + "\n")
    assert compiled.is_current()
    (engine_dir / "engine.py").write_text("SCORE = 2\n")  # an edit after the build
    assert not compiled.is_current()
    compiled.STAMP.write_text(compiled.source_digest() + "\n")
    (engine_dir / "features" / "dates.py").write_text("DAY = 2\n")  # a feature edited
    assert not compiled.is_current()
    (engine_dir / "features" / "dates.cpython-311-x86_64-linux-gnu.so").write_bytes(b"\x7fELF")
    compiled.remove()
    assert not list(engine_dir.glob("engine*.so")) and not compiled.STAMP.exists()
    assert not list((engine_dir / "features").glob("*.so"))


def test_the_engine_in_use_is_current_or_the_source() -> None:
    from tizim.screening import engine
    from tizim.screening.features import alignment, combine

    for module in (engine, alignment, combine):
        assert module.__file__ is not None
        assert module.__file__.endswith(".py") or compiled.is_current()
    # all compiled or none: a compiled engine calling features from source (or the reverse)
    # would be a build of another version
    assert engine.__file__.endswith(".py") == alignment.__file__.endswith(".py")
