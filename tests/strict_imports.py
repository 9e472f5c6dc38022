"""In CI, a test never skips for a library that cannot be imported: it fails.

README's quick start installs every library the tests need (TensorFlow, Dask's `distributed`),
so in CI (`CI` set to anything but "", "0" or "false"; .ci/run sets `CI=true`) a missing one
means the quick start misses an install step, and `pytest.importorskip` must say so by failing
rather than skip quietly. Loaded by tests/conftest.py (and by `-p tests.strict_imports`).
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import Any

import pytest

NOT_CI = ("", "0", "false", "no")


def import_or_fail(
    modname: str, minversion: str | None = None, reason: str | None = None, **_options: Any
) -> ModuleType:
    """`pytest.importorskip` as CI needs it: the module, or the ImportError itself."""
    module = importlib.import_module(modname)
    if minversion is not None:
        importorskip(modname, minversion)  # an old version is still pytest's own verdict
    return module


importorskip = pytest.importorskip
if os.environ.get("CI", "").strip().lower() not in NOT_CI:
    pytest.importorskip = import_or_fail
