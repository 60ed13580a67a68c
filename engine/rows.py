"""A step's statements in plain SQL, built once per model instead of once per call.

Every step runs the same few statements: lock and read the case, read its state, read the work
item, update the case, store the state, open or close work items, append events. Django's ORM
spends about half a millisecond of Python building each of them, which was most of a step's
cost; here their SQL is written once per model, and values pass through the fields' own
conversions (``get_db_prep_save`` going in, the backend's and the fields' converters coming
out), so rows and instances are exactly what the ORM would have made.

On PostgreSQL the statements of one stage of a step go to the server in one round trip
(psycopg's pipeline mode, with parameters bound on the server: a step's state is a parameter,
not a 14 KB literal to quote): the lock with the reads it allows, then all of its writes.
Elsewhere (SQLite, in-process) they simply run one after the other.
"""

from __future__ import annotations

import datetime as dt
import uuid
from contextlib import contextmanager
from functools import cache

from django.db import connection
from django.db.models.expressions import DatabaseDefault
from django.db.models.fields import AutoFieldMixin


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


class Table:
    """One model's table: its column list, and rows to instances and back."""

    def __init__(self, model):
        self.model = model
        meta = model._meta
        self.fields = list(meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.by_attname = {f.attname: f for f in self.fields}
        self.name = quote(meta.db_table)
        self.pk = meta.pk
        self.quoted = {f.attname: quote(f.column) for f in self.fields}
        self.columns = ", ".join(f"{self.name}.{self.quoted[f.attname]}" for f in self.fields)
        self._converters = None
        self.as_is = {f.attname: _passes_as_is(f) for f in self.fields}

    def select(self, where: str, extra_columns: str = "", joins: str = "", suffix: str = "") -> str:
        more = f", {extra_columns}" if extra_columns else ""
        return f"SELECT {self.columns}{more} FROM {self.name} {joins} WHERE {where} {suffix}"

    def by_id(self, pk) -> tuple[str, list]:
        """The statement that reads one row by its primary key."""
        return self.select(f"{self.name}.{self.quoted[self.pk.attname]} = %s"), [pk]

    def converters(self) -> dict:
        """attname -> (the backend's and the field's converters, the column they are given)."""
        if self._converters is None:
            self._converters = {}
            for field in self.fields:
                column = field.get_col(self.model._meta.db_table)
                found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
                self._converters[field.attname] = (found, column)
        return self._converters

    def instance(self, row):
        """The model instance of the first ``len(fields)`` values of ``row``."""
        return self.model.from_db(
            connection.alias, self.attnames, self.converted(row[: len(self.fields)], self.attnames)
        )

    def value(self, obj, field, *, add: bool = False):
        value = field.pre_save(obj, add) if add else getattr(obj, field.attname)
        if isinstance(value, DatabaseDefault):  # db_default is a Value, or a plain value to wrap in one
            value = getattr(field.db_default, "value", field.db_default)
        return self.prepared(field, value)

    def prepared(self, field, value):
        """``field.get_db_prep_save(value)``, without the call where it would return the value
        unchanged (a step prepares some 300 values; most are plain strings and numbers)."""
        as_is = self.as_is[field.attname]
        if as_is is not None and (value is None or type(value) is as_is):
            if as_is is not dt.datetime or value is None or value.tzinfo is not None:
                return value
        return field.get_db_prep_save(value, connection)

    def converted(self, row, attnames: list[str]) -> list:
        """The values of ``row``, read as the columns of ``attnames``, converted as the ORM would."""
        converters = self.converters()
        values = list(row)
        for i, attname in enumerate(attnames):
            found, column = converters[attname]
            for convert in found:
                values[i] = convert(values[i], column, connection)
        return values

    def value_of(self, attname: str, value):
        """``value`` as the database takes it in the column of ``attname``."""
        return self.prepared(self.by_attname[attname], value)

    def update(self, obj, attnames: list[str]) -> tuple[str, list]:
        fields = [self.by_attname[a] for a in attnames]
        sets = ", ".join(f"{self.quoted[a]} = %s" for a in attnames)
        params = [self.value(obj, f) for f in fields] + [self.pk.get_db_prep_value(obj.pk, connection)]
        return f"UPDATE {self.name} SET {sets} WHERE {self.quoted[self.pk.attname]} = %s", params

    def insert_values(self, values: list[dict]) -> tuple[str, list]:
        """INSERT of rows given as {attname: value}, the others at their defaults, with no model
        instance made for them (a step appends a dozen events)."""
        fields = [f for f in self.fields if not (f is self.pk and isinstance(f, AutoFieldMixin))]
        params = [self.prepared(f, v[f.attname] if f.attname in v else f.get_default()) for v in values for f in fields]
        return self._insert(fields, len(values), params)

    def insert_unless(self, values: dict, exists: tuple[str, list]) -> tuple[str, list]:
        """INSERT of one row given as {attname: value}, unless the query ``exists`` finds a row
        when the statement runs: a guard that sees what other transactions committed before it."""
        insert, params = self.insert_values([values])
        head, _, _ = insert.partition(" VALUES ")
        marks = ", ".join(["%s"] * len(params))
        guard, guard_params = exists
        return f"{head} SELECT {marks} WHERE NOT EXISTS ({guard})", params + guard_params

    def insert(self, objs: list, *, with_pk: bool = False) -> tuple[str, list]:
        skip_pk = not with_pk and isinstance(self.pk, AutoFieldMixin)  # the database numbers it
        fields = [f for f in self.fields if not (skip_pk and f is self.pk)]
        return self._insert(fields, len(objs), [self.value(obj, f, add=True) for obj in objs for f in fields])

    def _insert(self, fields: list, rows: int, params: list) -> tuple[str, list]:
        columns = ", ".join(self.quoted[f.attname] for f in fields)
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        return f"INSERT INTO {self.name} ({columns}) VALUES {', '.join([row] * rows)}", params


# Field types whose values PostgreSQL's adapters take exactly as Python holds them: for a value
# of exactly this type (not a subclass, not a lazy string, not a naive datetime) Django's
# get_db_prep_save returns it unchanged.
_AS_IS = {
    "CharField": str,
    "TextField": str,
    "SlugField": str,
    "BooleanField": bool,
    "FloatField": float,
    "IntegerField": int,
    "PositiveIntegerField": int,
    "BigIntegerField": int,
    "AutoField": int,
    "BigAutoField": int,
    "UUIDField": uuid.UUID,
    "DateTimeField": dt.datetime,
}


def _passes_as_is(field) -> type | None:
    if connection.vendor != "postgresql":
        return None
    target = field.target_field if field.is_relation else field
    return _AS_IS.get(target.get_internal_type())


@cache
def table(model) -> Table:
    return Table(model)


@contextmanager
def cursor():
    """A cursor of Django's connection (its error translation, its execute wrappers); on
    PostgreSQL one that binds parameters on the server, which pipeline mode requires."""
    if not is_postgresql():
        with connection.cursor() as plain:
            yield plain
        return
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    wrapped = _server_binding_cursor()
    try:
        yield wrapped
    finally:
        wrapped.close()


def _server_binding_cursor():
    from django.db.backends.postgresql.base import ServerBindingCursor

    with connection.wrap_database_errors:
        return connection._prepare_cursor(ServerBindingCursor(connection.connection))


def execute(sql: str, params: list) -> None:
    with cursor() as c:
        c.execute(sql, params)


def fetch_one(sql: str, params: list):
    with cursor() as c:
        c.execute(sql, params)
        return c.fetchone()


def fetch_all(sql: str, params: list) -> list:
    with cursor() as c:
        c.execute(sql, params)
        return c.fetchall()


def _in_one_round_trip(statements: list[tuple[str, list]], fetch: bool) -> list:
    """Run ``statements`` in order; the first row of each (or None) if ``fetch``."""
    if not is_postgresql():
        found = []
        with connection.cursor() as c:
            for sql, params in statements:
                c.execute(sql, params)
                found.append(c.fetchone() if fetch else None)
        return found
    if len(statements) == 1:  # one statement is one round trip already
        with cursor() as c:
            c.execute(*statements[0])
            return [c.fetchone() if fetch and c.description else None]
    with cursor() as first:
        # A cursor keeps the result of its last statement only: reads need a cursor each, writes
        # can share one.
        extra = [_server_binding_cursor() for _ in statements[1:]] if fetch else []
        cursors = [first, *extra] if fetch else [first] * len(statements)
        try:
            with connection.wrap_database_errors, connection.connection.pipeline():
                for c, (sql, params) in zip(cursors, statements, strict=True):
                    c.execute(sql, params)
            return [c.fetchone() if fetch and c.description else None for c in cursors]
        finally:
            for c in extra:
                c.close()


def fetch_first_rows(statements: list[tuple[str, list]]) -> list:
    """The first row (or None) of each of ``statements``, run one after the other, each with its
    own snapshot (a read after a lock sees what the lock waited for). On PostgreSQL in one round
    trip."""
    return _in_one_round_trip(statements, fetch=True)


def new_ids(model, count: int) -> list[int] | None:
    """``count`` ids from the table's sequence (PostgreSQL), so that a step can refer to rows it
    has not written yet; None where there is no sequence to take them from."""
    if not is_postgresql() or count == 0:
        return None
    meta = model._meta
    return [
        row[0]
        for row in fetch_all(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, count],
        )
    ]


class Writes:
    """A step's writes, sent together by ``flush``: on PostgreSQL in one round trip."""

    def __init__(self):
        self.statements: list[tuple[str, list]] = []

    def add(self, statement: tuple[str, list]) -> None:
        self.statements.append(statement)

    def flush(self) -> None:
        statements, self.statements = self.statements, []
        if statements:
            _in_one_round_trip(statements, fetch=False)
