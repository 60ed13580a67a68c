"""Yearly serial numbers (BL-2026-000123): one counter row per year, locked while a number is taken."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone


def next_yearly_number(counter_model, prefix: str, at: dt.datetime) -> str:
    """The next number of ``at``'s local year. Call inside the transaction that uses it, so a
    rolled-back case or licence gives its number back."""
    year = timezone.localtime(at).year
    counter = counter_model.objects.select_for_update().filter(year=year).first()
    if counter is None:  # the year's first number
        try:
            with transaction.atomic():
                counter_model.objects.create(year=year)
        except IntegrityError:  # another transaction created this year's counter at the same moment
            pass
        counter = counter_model.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}-{year}-{counter.last:06d}"
