"""Run a module as a program with the clock of the test run: ``python -m tests.as_of_process celery -A config worker``.

Under ``pytest --as-of`` (tests/as_of.py), the processes that tests start (Celery workers and
beat, tests/celery_harness.py) must share the tests' moment, or a timer the test sets for "in
an hour" is a year overdue to the worker. The moment comes in BINGLIAN_TEST_AS_OF; without it this
runs the module unchanged. A prefork worker's children are forked from it and keep its clock.
"""

from __future__ import annotations

import os
import runpy
import sys

import time_machine

from tests.as_of import ENV, parse_moment


def main() -> None:
    module, *args = sys.argv[1:]
    sys.argv = [module, *args]
    moment = os.environ.get(ENV)
    if moment:
        time_machine.travel(parse_moment(moment), tick=True).start()
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
