"""manage.py migrate_cases: the dry run, the move with a mapping, and the way back by batch."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from engine.models import Case
from tests.permits import case_at, deploy_versions


@pytest.fixture
def versions(db):
    return deploy_versions()


def run(*args) -> str:
    out = io.StringIO()
    call_command("migrate_cases", "permit_change", *args, "--no-progress", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_command_dry_runs_migrates_with_a_mapping_and_moves_the_batch_back(versions):
    v1, v2 = versions
    receive, check = case_at(v1, "receive"), case_at(v1, "check_old")
    out = run("--from", "1", "--to", "2", "--dry-run")
    assert f"{receive.number}  at 收件: can move" in out
    assert (
        f"{check.number}  at 旧式核对: cannot move: 停在“旧式核对”（check_old），新版本（v2）删除了这一步" in out
        and "1 of 2 running cases can move; nothing changed" in out
    )
    assert Case.objects.filter(version=v2).count() == 0

    out = run("--from", "1", "--to", "2", "--map", "check_old=receive")
    assert "step check_old -> receive (mapped)" in out and "2 migrated, 0 refused, 0 failed" in out
    assert Case.objects.filter(version=v2).count() == 2
    batch = re.search(r"--back ([0-9a-f]{32})", out).group(1)

    out = run("--back", batch)
    assert "2 migrated, 0 refused, 0 failed" in out
    assert Case.objects.filter(version=v1).count() == 2


def test_the_command_says_what_is_wrong_with_its_arguments(versions):
    with pytest.raises(CommandError, match="has no version 7; it has: 1, 2"):
        run("--from", "1", "--to", "7")
    with pytest.raises(CommandError, match="nope"):
        run("--from", "1", "--to", "2", "--map", "nope=receive")
    with pytest.raises(CommandError, match="no migration batch"):
        run("--back", "0" * 32)
