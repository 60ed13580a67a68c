"""Throughput: business-registration cases end to end through the write path, beside its floors and its peer.

Each client is a separate OS process (bench/clients.py) that drives whole cases: start, intake,
market review, the fan-out, every department's claim and completion, the bank's message, the
join, the licences, the rating, the end. Measured with 1 and 2 clients at once, interleaved with
the same runs of
  (a) the same case in SpiffWorkflow alone, in memory, with serialisation (the engine's floor),
  (b) the same transactions in bare PostgreSQL (the database's floor),
  (c) the same flow in django-viewflow's workflow engine on the same database (the peer),
in rounds, so that the machine's noise falls on all of them alike; each figure is the median
of the rounds.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

from django.db import connection

from bench.fill import empty_tables, reference_ids
from bench.report import Row, target

KINDS = ["engine", "spiff", "sql", "viewflow"]


def viewflow_available() -> bool:
    try:
        import viewflow  # noqa: F401
    except ImportError:
        return False
    return True


def database_url() -> str:
    return os.environ["DATABASE_URL"]


def prepare_peer() -> None:
    """viewflow's tables in the bench database, through its own migrations."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.viewflow_peer.settings"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], env=env, check=True)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE viewflow_task, viewflow_process RESTART IDENTITY CASCADE")


class Pool:
    """Client processes of one kind, started once and kept for every round."""

    def __init__(self, kind: str, size: int, cases: int):
        command = [sys.executable, "-m", "bench.clients", kind, "--cases", str(cases), "--database-url", database_url()]
        self.kind = kind
        self.processes = [
            subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for _ in range(size)
        ]

    def wait_ready(self) -> None:
        for process in self.processes:
            line = process.stdout.readline().strip()
            if line != "ready":
                raise RuntimeError(f"bench client {self.kind} failed to start: {line!r}")

    def run(self, clients: int) -> dict:
        """The first ``clients`` processes go together; wall time until the last has finished."""
        chosen = self.processes[:clients]
        started = time.perf_counter()
        for process in chosen:
            process.stdin.write("go\n")
            process.stdin.flush()
        results = []
        for process in chosen:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError(f"bench client {self.kind} failed (exit {process.wait(30)})")
            results.append(json.loads(line))
        return {"wall": time.perf_counter() - started, "clients": results}

    def close(self) -> None:
        for process in self.processes:
            process.stdin.close()
            process.wait(60)


def summary(run: dict) -> dict:
    clients = run["clients"]
    cases = sum(c["cases"] for c in clients)

    def total(key: str, phase: str) -> float:
        return sum(c[key].get(phase, 0) for c in clients)

    return {
        "cases_per_s": cases / run["wall"],
        "ms_per_case": run["wall"] * 1000 * len(clients) / cases,
        "completions": total("actions", "complete"),
        "statements_per_completion": total("statements", "complete") / (total("actions", "complete") or 1),
        "ms_per_completion": total("phase_seconds", "complete") * 1000 / (total("actions", "complete") or 1),
        "statements_per_case": sum(sum(c["statements"].values()) for c in clients) / cases,
        "cpu_ms_per_case": sum(c["cpu_seconds"] for c in clients) * 1000 / cases,
        "rss_mb": max(c["rss_kb"] for c in clients) / 1024,
    }


def run(quick: bool) -> list[Row]:
    rounds, cases = (3, 8) if quick else (5, 30)
    empty_tables()
    reference_ids()
    kinds = list(KINDS)
    if viewflow_available():
        prepare_peer()
    else:
        kinds.remove("viewflow")
    pools = {kind: Pool(kind, 2, cases) for kind in kinds}
    figures: dict[tuple[str, int], list[dict]] = {}
    try:
        for pool in pools.values():
            pool.wait_ready()
        for number in range(rounds):
            for clients in (1, 2):
                for kind in kinds:
                    figures.setdefault((kind, clients), []).append(summary(pools[kind].run(clients)))
            print(f"    round {number + 1}/{rounds} done", flush=True)
    finally:
        for pool in pools.values():
            pool.close()

    def median(kind: str, clients: int, key: str) -> float | None:
        values = [f[key] for f in figures.get((kind, clients), [])]
        return statistics.median(values) if values else None

    def peak(kind: str) -> float:
        return max(f["rss_mb"] for clients in (1, 2) for f in figures[(kind, clients)])

    peer = "viewflow" if "viewflow" in kinds else None
    peer_note = "" if peer else "django-viewflow not installed: make bench installs the bench extra"
    rows = []
    for clients in (1, 2):
        floor = median("spiff", clients, "ms_per_case") + median("sql", clients, "ms_per_case")
        engine_rate, engine_cost = median("engine", clients, "cases_per_s"), median("engine", clients, "ms_per_case")
        peer_rate = median(peer, clients, "cases_per_s") if peer else None
        per = f"{clients} client{'s' if clients > 1 else ''}"
        rows += [
            Row(
                f"cases per second, {per}",
                median("engine", clients, "cases_per_s"),
                "cases/s",
                reference=f"(c) django-viewflow, {per}",
                reference_value=median(peer, clients, "cases_per_s") if peer else None,
                note=peer_note or target("at least 5x the peer", engine_rate >= 5 * peer_rate),
            ),
            Row(
                f"cost per case, {per}",
                median("engine", clients, "ms_per_case"),
                "ms",
                reference="floor (a) + (b)",
                reference_value=floor,
                note=f"(a) SpiffWorkflow alone {median('spiff', clients, 'ms_per_case'):.1f} ms + (b) bare PostgreSQL "
                f"{median('sql', clients, 'ms_per_case'):.1f} ms; "
                + target("at most 1.5x", engine_cost <= 1.5 * floor),
            ),
        ]
    rows += [
        Row(
            "SQL statements per task completion",
            median("engine", 1, "statements_per_completion"),
            "statements",
            reference="(c) django-viewflow",
            reference_value=median(peer, 1, "statements_per_completion") if peer else None,
            note=peer_note,
        ),
        Row(
            "SQL statements per case",
            median("engine", 1, "statements_per_case"),
            "statements",
            reference="(b) bare PostgreSQL",
            reference_value=median("sql", 1, "statements_per_case"),
            note="start, 6 claims and completions, 2 messages, the clerks' lists"
            + (f"; django-viewflow {median(peer, 1, 'statements_per_case'):.0f}" if peer else ""),
        ),
        Row(
            "ms per task completion, 1 client",
            median("engine", 1, "ms_per_completion"),
            "ms",
            reference="(c) django-viewflow",
            reference_value=median(peer, 1, "ms_per_completion") if peer else None,
            note=peer_note,
        ),
        Row(
            "CPU of the client process per case, 1 client",
            median("engine", 1, "cpu_ms_per_case"),
            "ms",
            reference="(c) django-viewflow",
            reference_value=median(peer, 1, "cpu_ms_per_case") if peer else None,
            note=f"less noisy than wall time; (a) SpiffWorkflow alone {median('spiff', 1, 'cpu_ms_per_case'):.1f} ms, "
            f"(b) bare PostgreSQL client {median('sql', 1, 'cpu_ms_per_case'):.1f} ms",
        ),
        Row(
            "peak memory of a worker (max RSS)",
            peak("engine"),
            "MB",
            reference="(c) django-viewflow worker",
            reference_value=peak(peer) if peer else None,
            note=f"over {2 + 2 * rounds * cases} cases; (a) SpiffWorkflow alone {peak('spiff'):.0f} MB",
        ),
    ]
    return rows
