"""The event-log export: `manage.py export_events` at 1,000,000 events, in constant memory.

Measured: each format (XES, OCEL 2.0, CSV) exported by the real command in a process of its
own, from 100,000 and from 1,000,000 events (`--quick`: 300,000) made with bulk SQL: the rate,
and the peak resident memory of that process (os.wait4's ru_maxrss). Constant memory means the
peak at 1,000,000 is the peak at 100,000 (ratio near 1). The reference for what streaming saves
is the same CSV export with the events first read into a list.

Also measured: PM4Py (a test and bench extra, AGPL, never imported by product code) reads the
XES and the OCEL export of 1,000 cases driven through the engine (`--quick`: 200) and discovers
a model; the figure is how many of its activities match the BPMN's user tasks.

A full run (2 cores, shared): peak 115 MB at 100,000 and at 1,000,000 events in every format
(ratio 1.00), against 571 MB for the list-holding export; 24,000-35,000 events/s in XES, 35,000
in OCEL, 65,000 in CSV; PM4Py found the 13 user tasks, no more, in both exports of 1,000 cases.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from django.db import connection

from bench.fill import empty_tables, reference_ids
from bench.report import Row
from demo.driver import Driver
from processes.models import ProcessVersion, ServiceItem
from worklists.people import clerk_for

ROOT = Path(__file__).resolve().parent.parent.parent
# manage.py with its arguments, writing the process's peak resident set (kB) to PEAK_FILE at exit.
MEASURED = """
import atexit, os, runpy, sys

def peak():
    hwm = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    open(os.environ["PEAK_FILE"], "w").write(hwm)

atexit.register(peak)
sys.argv = ["manage.py", *sys.argv[1:]]
runpy.run_path("manage.py", run_name="__main__")
"""
FORMATS = ("xes", "ocel", "csv")
TASKS = ["intake", "market_review", "police_review", "tax_review", "hrss_review", "fund_review"]
EVENTS_PER_CASE = 2 + 3 * len(TASKS)  # case started and ended; each task opened, claimed, completed
# The same CSV export, holding the events in a list first; it runs the system checks as
# export_events does, so that both processes start from the same resident baseline.
NAIVE = """
import os
from django.core.management import call_command
call_command("check")
from eventlog import csvlog
from eventlog.pseudonyms import Pseudonyms
from eventlog.scope import Scope
from eventlog.stream import read_events
scope = Scope(all_events=True).freeze()
events = list(read_events(scope, Pseudonyms.configured()))
with open(os.environ["NAIVE_TARGET"], "w", encoding="utf-8", newline="") as out:
    csvlog.write(events, out, pseudonymised=True)
"""


def fill_log(events: int) -> int:
    """``events`` events of completed cases, as the engine writes them: 20 per case. Returns the cases."""
    version_id, item_id = reference_ids()
    version = ProcessVersion.objects.get(pk=version_id)
    tasks = [(spec, version.user_task(spec)["name"], version.user_task(spec)["department"]) for spec in TASKS]
    values = ", ".join(f"('{s}', '{n}', '{d}', {i}, {clerk_for(d).pk})" for i, (s, n, d) in enumerate(tasks))
    cases = events // EVENTS_PER_CASE
    empty_tables()
    params = {"cases": cases, "version": version_id, "item": item_id}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO engine_case (number, service_item_id, version_id, applicant_name, applicant_id_number,
                   enterprise_name, enterprise_uscc, notify_commit, status, end_activity, failure, started_at,
                   ended_at, steps, light, clock_used_working_days)
            SELECT 'EX-' || lpad(g::text, 8, '0'), %(item)s, %(version)s, '申请人' || g, lpad(g::text, 18, '1'),
                   '企业' || g, '91' || lpad(g::text, 16, '0'), false, 'completed', 'end_issued', '',
                   timestamptz '2026-01-05 01:00+00' + g * interval '1 minute',
                   timestamptz '2026-01-05 01:00+00' + g * interval '1 minute' + interval '7 hours', 20, 'green', 0
            FROM generate_series(1, %(cases)s) AS g
            """,
            params,
        )
        cursor.execute(
            f"""
            INSERT INTO worklists_workitem (task_id, task_spec, name, candidate_group, state, opened_at, claimed_at,
                   completed_at, light, outcome, case_id, department_id, service_item_id, version_id, assignee_id,
                   completed_by_id)
            SELECT gen_random_uuid(), t.spec, t.name, t.department, 'completed', c.started_at + t.n * interval '1 hour',
                   c.started_at + t.n * interval '1 hour' + interval '10 minutes',
                   c.started_at + t.n * interval '1 hour' + interval '40 minutes', 'green', 'approve', c.id,
                   t.department, %(item)s, %(version)s, t.clerk, t.clerk
            FROM engine_case AS c CROSS JOIN (VALUES {values}) AS t(spec, name, department, n, clerk)
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO engine_event (case_id, version_id, kind, at, activity, activity_name, department, actor_id,
                   task_id, work_item, outcome, data)
            SELECT w.case_id, w.version_id, k.kind, w.opened_at + k.n * interval '10 minutes', w.task_spec, w.name,
                   w.department_id, CASE WHEN k.n > 0 THEN w.assignee_id END, w.task_id, w.id,
                   CASE WHEN k.n = 4 THEN 'approve' ELSE '' END, '{}'::jsonb
            FROM worklists_workitem AS w
            CROSS JOIN (VALUES ('task_opened', 0), ('task_claimed', 1), ('task_completed', 4)) AS k(kind, n)
            UNION ALL
            SELECT c.id, c.version_id, k.kind, k.at, k.activity, k.name, '', NULL, NULL, NULL, '', '{}'::jsonb
            FROM engine_case AS c CROSS JOIN LATERAL (VALUES ('case_started', c.started_at, '', ''),
                 ('case_ended', c.ended_at, 'end_issued', '办结 Issued')) AS k(kind, at, activity, name)
            """
        )
        for table in ("engine_case", "worklists_workitem", "engine_event"):
            cursor.execute(f"ANALYZE {table}")
    return cases


def run_measured(command: list[str], output: Path, **env) -> tuple[float, float, str]:
    """Run manage.py ``command`` in a process of its own: (seconds, peak resident MB, its stdout).

    The peak is the process's own VmHWM, read as it exits: ru_maxrss would count the memory of the
    benchmark process it was forked from (with PM4Py loaded, 280 MB), as Linux carries it over exec."""
    with tempfile.TemporaryFile() as stdout, tempfile.NamedTemporaryFile("r") as peak:
        env = {**os.environ, "DEBUG": "false", "PEAK_FILE": peak.name, **env}
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", MEASURED, *command], cwd=ROOT, env=env, stdout=stdout, stderr=subprocess.PIPE
        )
        seconds = time.perf_counter() - started
        if done.returncode:
            raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.decode()[-2000:]}")
        stdout.seek(0)
        output.unlink(missing_ok=True)
        return seconds, int(peak.read()) / 1024, stdout.read().decode()


def export_rate(fmt: str, workdir: Path) -> tuple[float, float, int]:
    """(events/s as the command reports it, peak MB, events) of one export to a file."""
    target = workdir / f"log.{fmt}"
    command = ["export_events", "--format", fmt, "--all-events", "--no-progress", "-o", str(target)]
    _, peak, out = run_measured(command, target)
    events = int(re.search(r"([\d,]+) events", out).group(1).replace(",", ""))
    rate = float(re.search(r"\(([\d,]+) events/s\)", out).group(1).replace(",", ""))
    return rate, peak, events


def naive_peak(workdir: Path) -> float:
    target = workdir / "naive.csv"
    _, peak, _ = run_measured(["shell", "-c", NAIVE], target, NAIVE_TARGET=str(target))
    return peak


def expected_activities(version) -> set[str]:
    tasks = version.elements["user_tasks"]
    names = [meta["name"] for meta in tasks.values()]
    return {m["name"] if names.count(m["name"]) == 1 else f"{m['name']} ({t})" for t, m in tasks.items()}


def discovery(cases: int, workdir: Path) -> list[Row]:
    """PM4Py on the exports of ``cases`` cases driven through the engine with the default rates."""
    from eventlog.export import export
    from eventlog.pseudonyms import Pseudonyms
    from eventlog.scope import Scope

    os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "false")  # read at import: keep the bench's output a table
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py

    empty_tables()
    version_id, item_id = reference_ids()
    version = ProcessVersion.objects.get(pk=version_id)
    driver = Driver(version, service_item=ServiceItem.objects.get(pk=item_id), seed=1)
    started = time.perf_counter()
    for _ in range(cases):
        driver.drive(driver.start())
    drove = time.perf_counter() - started
    wanted = expected_activities(version)
    export("xes", Scope(), Pseudonyms.configured(), str(workdir / "log.xes"))
    export("ocel", Scope(), Pseudonyms.configured(), str(workdir / "log.jsonocel"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net, _, _ = pm4py.discover_petri_net_inductive(pm4py.read_xes(str(workdir / "log.xes")))
        from_xes = {t.label for t in net.transitions if t.label}
        from_ocel = set(pm4py.discover_ocdfg(pm4py.read_ocel2_json(str(workdir / "log.jsonocel")))["activities"])
    rows = []
    for name, found in (("XES", from_xes), ("OCEL 2.0", from_ocel)):
        verdict = (
            "exactly the user tasks"
            if found == wanted
            else f"missing {sorted(wanted - found)}, extra {sorted(found - wanted)}"
        )
        rows.append(
            Row(
                f"PM4Py activities discovered from the {name} export of {cases:,} driven cases",
                len(found & wanted),
                "activities",
                reference="user tasks in the BPMN",
                reference_value=len(wanted),
                note=f"{verdict}; driving took {drove:.0f} s",
            )
        )
    return rows


def run(quick: bool) -> list[Row]:
    sizes = (100_000, 300_000) if quick else (100_000, 1_000_000)
    rows = []
    with tempfile.TemporaryDirectory(prefix="binglian-export-") as tmp:
        workdir = Path(tmp)
        rows += discovery(200 if quick else 1000, workdir)
        measured = {}
        for size in sizes:
            fill_log(size)
            measured[size] = {fmt: export_rate(fmt, workdir) for fmt in FORMATS}
            measured[size]["naive"] = (0.0, naive_peak(workdir), size)
    small, large = sizes
    for fmt in FORMATS:
        rate, peak, events = measured[large][fmt]
        _, small_peak, small_events = measured[small][fmt]
        assert events == large and small_events == small, (fmt, events, small_events)
        rows.append(
            Row(
                f"export {fmt}, {large:,} events: rate",
                rate,
                "events/s",
                reference=f"rate at {small:,} events",
                reference_value=measured[small][fmt][0],
            )
        )
        rows.append(
            Row(
                f"export {fmt}, {large:,} events: peak memory",
                peak,
                "MB",
                reference=f"peak exporting {small:,} events",
                reference_value=small_peak,
                note="resident set of the whole command; near 1 means constant memory",
            )
        )
    rows.append(
        Row(
            f"export csv, {large:,} events: peak memory",
            measured[large]["csv"][1],
            "MB",
            reference="same export holding the events in a list",
            reference_value=measured[large]["naive"][1],
            note=f"the list at {small:,} events: {measured[small]['naive'][1]:,.0f} MB",
        )
    )
    return rows
