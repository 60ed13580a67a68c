"""Timers through real Celery workers and beat over Redis, on PostgreSQL: all fire, each once,
whatever happens to a worker or to the broker in the middle.

Each test starts its own redis-server, a beat that sweeps every second and worker processes,
and watches the database, which is the only place a timer lives.
"""

from __future__ import annotations

import time

import pytest
from django.db.models import Count
from django.utils import timezone

from engine.actions import do_start_case
from engine.models import Case, Event, WaitingTimer
from processes.actions import do_deploy_version
from tests.celery_harness import CeleryProcess, RedisServer
from tests.conftest import FIXTURES, needs_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FAST_SWEEP = {"TIMER_SWEEP_SECONDS": "1"}


@pytest.fixture
def redis_server():
    needs_postgres()
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def celery_processes():
    started: list[CeleryProcess] = []
    yield started
    for process in started:
        process.stop()


def start(celery_processes, kind, redis_server, name, args=()):
    process = CeleryProcess(kind, redis_server.url, name, extra_env=FAST_SWEEP, args=args)
    celery_processes.append(process)
    process.wait_ready()
    return process


def cases_with_due_timers(count: int) -> list[int]:
    version = do_deploy_version((FIXTURES / "engine" / "timer_wait.bpmn").read_bytes(), "timer_wait.bpmn").version
    ids = [do_start_case(version=version).pk for _ in range(count)]
    # All due at the same moment, a second ago.
    assert WaitingTimer.objects.update(due_at=timezone.now() - timezone.timedelta(seconds=1)) == count
    return ids


def fired_count() -> int:
    return WaitingTimer.objects.exclude(fired_at=None).count()


def wait_until_fired(count: int, timeout: float, during=None) -> float:
    """Seconds until ``count`` timers have fired; ``during(fired)`` is called while waiting."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        fired = fired_count()
        if fired >= count:
            return time.monotonic() - started
        if during is not None:
            during(fired)
        time.sleep(0.1)
    pytest.fail(f"only {fired_count()} of {count} timers fired within {timeout}s")


def assert_each_fired_once(case_ids: list[int]) -> None:
    fired_events = Event.objects.filter(kind="timer_fired", case_id__in=case_ids)
    assert fired_events.count() == len(case_ids)
    assert not fired_events.values("case").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert Case.objects.filter(pk__in=case_ids, status="completed").count() == len(case_ids)
    assert Event.objects.filter(kind="case_ended", case_id__in=case_ids).count() == len(case_ids)
    assert not WaitingTimer.objects.filter(fired_at=None, cancelled_at=None).exists()


def test_a_thousand_timers_due_at_once_all_fire_once_on_two_workers(redis_server, celery_processes):
    case_ids = cases_with_due_timers(1000)
    start(celery_processes, "worker", redis_server, "w1", ["--concurrency", "1"])
    start(celery_processes, "worker", redis_server, "w2", ["--concurrency", "1"])
    start(celery_processes, "beat", redis_server, "beat")
    seconds = wait_until_fired(1000, timeout=240)
    print(f"\n1000 simultaneous timers fired by 2 workers in {seconds:.1f} s")
    assert_each_fired_once(case_ids)


def test_a_worker_killed_in_the_middle_of_a_sweep_loses_nothing_and_fires_nothing_twice(redis_server, celery_processes):
    case_ids = cases_with_due_timers(400)
    worker = start(celery_processes, "worker", redis_server, "doomed", ["--concurrency", "1"])
    start(celery_processes, "beat", redis_server, "beat")
    killed = []

    def kill_when_busy(fired):
        if not killed and fired >= 40:
            worker.kill()  # SIGKILL: no shutdown, the open transaction dies with the connection
            killed.append(fired)

    wait_until_fired(40, timeout=120, during=kill_when_busy)
    if not killed:
        kill_when_busy(fired_count())
    assert killed and killed[0] < 400, "the worker finished before it could be killed"
    start(celery_processes, "worker", redis_server, "replacement", ["--concurrency", "1"])
    wait_until_fired(400, timeout=240)
    assert_each_fired_once(case_ids)


def test_a_redis_restart_during_the_run_loses_nothing(redis_server, celery_processes):
    case_ids = cases_with_due_timers(400)
    start(celery_processes, "worker", redis_server, "w1", ["--concurrency", "1"])
    start(celery_processes, "beat", redis_server, "beat")
    restarted = []

    def restart_redis_when_busy(fired):
        if not restarted and fired >= 40:
            redis_server.stop()  # everything queued in the broker is gone
            time.sleep(2)
            redis_server.start()
            restarted.append(fired)

    wait_until_fired(400, timeout=300, during=restart_redis_when_busy)
    assert restarted and restarted[0] < 400, "the run finished before Redis could be restarted"
    assert_each_fired_once(case_ids)
