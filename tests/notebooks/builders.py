"""Notebook files for tests: code cells (and, to attack, outputs, metadata and other cells)."""

from __future__ import annotations

import json
from pathlib import Path


def code_cell(source: str, **extra: object) -> dict:
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": source,
    }
    cell.update(extra)
    return cell


def notebook(*cells: str | dict, metadata: dict | None = None) -> dict:
    """A valid nbformat 4.5 notebook; a str is a code cell, a dict a cell as given."""
    built = [code_cell(cell) if isinstance(cell, str) else cell for cell in cells]
    for number, cell in enumerate(built):
        cell.setdefault("id", f"cell-{number}")
    return {"cells": built, "metadata": metadata or {}, "nbformat": 4, "nbformat_minor": 5}


def write_notebook(path: Path, *cells: str | dict, metadata: dict | None = None) -> Path:
    path.write_text(json.dumps(notebook(*cells, metadata=metadata)), encoding="utf-8")
    return path
