"""``--database-tests-only``: keep the tests that touch the database, deselect the others.

The PostgreSQL pass of ``make test`` (scripts/run_tests.py) is there for what the database does:
locking, concurrency, query plans, the SQL written for PostgreSQL. A test that never opens the
database (the expression sandbox, the linters, the catalogue checks) answers the same on both, so
the SQLite pass runs it once and the PostgreSQL pass leaves it out. So does a test that drives a
browser (``live_server``): its subject is what the pages show and do, and what they ask of the
database is asked again by the pages' and the write path's own tests, which run on both.
"""

from __future__ import annotations

DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}
BROWSER_FIXTURES = {"live_server"}


def pytest_addoption(parser):
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that touch the database (the PostgreSQL pass of make test)",
    )


def touches_database(item) -> bool:
    if BROWSER_FIXTURES & set(item.fixturenames):
        return False
    return item.get_closest_marker("django_db") is not None or bool(DATABASE_FIXTURES & set(item.fixturenames))


def pytest_collection_modifyitems(config, items):
    if not config.getoption("database_tests_only"):
        return
    keep = [item for item in items if touches_database(item)]
    dropped = [item for item in items if not touches_database(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
