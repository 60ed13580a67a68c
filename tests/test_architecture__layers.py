"""The layers of the tree (docs/architecture.md, pyproject's [tool.importlinter]): each package
imports only the packages below it, and the core (engine, processes, worklists, workdays) nothing
above it. import-linter reads every import of every module, those inside functions included."""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest
from importlinter import api
from importlinter.contracts.layers import LayersContract

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def configuration():
    return api.read_configuration(str(ROOT / "pyproject.toml"))


@pytest.fixture(scope="module")
def contract(configuration):
    (options,) = [c for c in configuration["contracts_options"] if c["id"] == "layers"]
    return LayersContract(
        name=options["name"], session_options=configuration["session_options"], contract_options=options
    )


def graph_of(configuration):
    return grimp.build_graph(*configuration["session_options"]["root_packages"], cache_dir=None)


def test_no_package_imports_a_layer_above_it(configuration, contract):
    check = contract.check(graph_of(configuration), verbose=False)
    assert check.kept, check.metadata


def test_the_check_fails_when_the_engine_imports_a_page(configuration, contract):
    """A deliberate violation: the write path reaching up into the reports' pages."""
    graph = graph_of(configuration)
    graph.add_import(
        importer="engine.actions", imported="reports.views", line_number=1, line_contents="from reports import views"
    )
    check = contract.check(graph, verbose=False)
    assert not check.kept
    broken = [(dep["importer"], dep["imported"]) for dep in check.metadata["invalid_dependencies"]]
    assert ("engine", "reports") in broken, check.metadata


def test_the_check_fails_when_two_independent_apps_use_each_other(configuration, contract):
    """Pages of one app do not call into another app's pages: desk and reports stand side by side."""
    graph = graph_of(configuration)
    graph.add_import(
        importer="desk.views", imported="reports.figures", line_number=1, line_contents="from reports import figures"
    )
    assert not contract.check(graph, verbose=False).kept
