"""Helpers for the designer's modeler page in the browser tests (tests/browser.py drives Chromium)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Built by `make node` (esbuild), never committed: without it the page cannot draw.
BUNDLE = Path(__file__).resolve().parent.parent / "designer" / "static" / "designer" / "build" / "modeler.js"


def needs_bundle() -> None:
    """Skip with the reason when the modeler's bundle is not built, or fail under CI=true."""
    if BUNDLE.exists():
        return
    reason = f"the modeler's bundle {BUNDLE} is not built: run `make node`"
    if os.getenv("CI", "").lower() == "true":
        pytest.fail(f"CI=true: {reason}")
    pytest.skip(reason)


def modeler_ready(page) -> None:
    """The diagram is drawn and its first validation is back."""
    page.wait_for_selector("#modeler[data-loaded='1']")
    page.wait_for_function("() => ['ok', 'problems'].includes(document.querySelector('#modeler').dataset.state)")


def wait_for_validation(page, state: str) -> None:
    """Live validation has answered for the latest change with ``state`` ('ok' or 'problems')."""
    page.wait_for_function(f"() => document.querySelector('#modeler').dataset.state === '{state}'")
