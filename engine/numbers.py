"""Yearly serial numbers (BL-2026-000123): one counter row per year, locked while a number is taken."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.utils import timezone


def next_yearly_number(counter_model, prefix: str, at: dt.datetime) -> str:
    """The next number of ``at``'s local year. Call inside the transaction that uses it, so a
    rolled-back case or licence gives its number back."""
    year = timezone.localtime(at).year
    table = connection.ops.quote_name(counter_model._meta.db_table)
    # One statement takes the number and holds the year's row locked until the transaction ends.
    take = f"UPDATE {table} SET last = last + 1 WHERE year = %s RETURNING last"
    with connection.cursor() as cursor:
        cursor.execute(take, [year])
        row = cursor.fetchone()
        if row is None:  # the year's first number
            try:
                with transaction.atomic():
                    counter_model.objects.create(year=year)
            except IntegrityError:  # another transaction created this year's counter at the same moment
                pass
            cursor.execute(take, [year])
            row = cursor.fetchone()
    return f"{prefix}-{year}-{row[0]:06d}"
