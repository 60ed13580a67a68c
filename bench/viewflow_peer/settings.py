"""Binglian's settings plus viewflow's workflow engine and the peer flow, for the benchmarks only."""

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "viewflow", "viewflow.workflow", "bench.viewflow_peer"]  # noqa: F405
