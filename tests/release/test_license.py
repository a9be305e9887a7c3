"""The licence pyproject.toml declares ships with every release."""

from __future__ import annotations

import tomllib

from tests.release.conftest import ROOT


def test_the_release_carries_the_declared_licence(release):
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]
    shipped = (release / "LICENSE").read_text()
    assert shipped.startswith(f"{declared} License\n")
    assert "Copyright (c) 2026 the tensorlings authors" in shipped
