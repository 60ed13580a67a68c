"""`manage.py export_events`: what an analyst receives in XES, OCEL 2.0 and CSV, and what they never receive."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import logging

import pytest
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils import timezone, translation
from lxml import etree

from demo.driver import Driver, Rates
from engine.actions import do_claim_task, do_complete_task, do_unclaim_task
from engine.models import Case, Event
from eventlog.activities import KIND_LABELS
from licences.actions import issue_for_case
from licences.models import Licence
from worklists.models import WorkItem

from .eventlog_cases import TASK_KINDS, drive, expected_activities, export

# The answer depends on the date: make test runs these again as of hard dates (tests/as_of.py).
pytestmark = pytest.mark.dates

XES = "{http://www.xes-standard.org/}"


@pytest.fixture
def driven(reference, settings, tmp_path):
    settings.LICENCE_KEYS_DIR = tmp_path / "keys"
    drive(reference["parallel"], reference["item"], 4)
    return reference


def attributes(element) -> dict:
    return {child.get("key"): child.get("value") for child in element if child.get("key")}


def read_csv(path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def personal_data() -> list[str]:
    values = []
    for case in Case.objects.all():
        values += [case.applicant_name, case.applicant_id_number, case.enterprise_name, case.enterprise_uscc]
    actors = Event.objects.exclude(actor=None).values_list("actor__username", flat=True).distinct()
    return [v for v in values + list(actors) if v]


def test_xes_has_a_trace_per_case_holding_its_task_events_in_time_order(driven, tmp_path):
    tree = etree.parse(export(tmp_path / "log.xes", "xes"))
    traces = tree.getroot().findall(f"{XES}trace")
    assert len(traces) == Case.objects.count() == 4
    labels = expected_activities(driven["parallel"])
    for trace in traces:
        number = attributes(trace)["concept:name"]
        logged = list(Event.objects.filter(case__number=number, kind__in=TASK_KINDS).order_by("at", "id"))
        events = [attributes(e) for e in trace.findall(f"{XES}event")]
        assert [(e["kind"], e["task"], dt.datetime.fromisoformat(e["time:timestamp"])) for e in events] == [
            (e.kind, e.activity, e.at) for e in logged
        ]
        assert {e["concept:name"] for e in events} <= labels
        for event, row in zip(events, logged, strict=True):
            assert event["concept:instance"] == str(row.work_item) and event["org:group"] == row.department
            if row.kind == "task_completed":
                assert event["lifecycle:transition"] == "complete" and event.get("outcome", "") == row.outcome


def test_a_released_task_resumes_when_claimed_again(reference, tmp_path, clerk_tax):
    driver = Driver(reference["parallel"], service_item=reference["item"], seed=1, rates=Rates(notify_commit=0))
    case = driver.start()
    while not (item := WorkItem.objects.filter(case=case, task_spec="tax_review", state="open").first()):
        driver.drive(case, max_steps=1)  # one round of the open tasks, until the tax review opens
    do_claim_task(item.pk, acting_user=clerk_tax)
    do_unclaim_task(item.pk, acting_user=clerk_tax)
    do_claim_task(item.pk, acting_user=clerk_tax)
    do_complete_task(item.pk, acting_user=clerk_tax, outcome="approve", data={"opinion": "同意"})
    rows = [r for r in read_csv(export(tmp_path / "log.csv", "csv")) if r["concept:instance"] == str(item.pk)]
    assert [r["lifecycle:transition"] for r in rows] == ["schedule", "start", "suspend", "resume", "complete"]
    assert rows[-1]["org:resource"].startswith("staff:") and len({r["org:resource"] for r in rows[1:]}) == 1


def test_people_and_enterprises_are_pseudonyms_stable_under_one_key(driven, tmp_path, settings):
    first = read_csv(export(tmp_path / "a.csv", "csv"))
    again = read_csv(export(tmp_path / "b.csv", "csv"))
    unlinkable = read_csv(export(tmp_path / "c.csv", "csv", unlinkable=True))
    settings.EVENTLOG_PSEUDONYM_KEY = "another installation"
    other_key = read_csv(export(tmp_path / "d.csv", "csv"))
    for path in ("a.csv", "c.csv", "d.csv"):
        text = (tmp_path / path).read_text(encoding="utf-8")
        leaked = [value for value in personal_data() if value in text]
        assert not leaked, f"{path} shows {leaked}"
    columns = ("applicant", "enterprise", "org:resource")
    assert [[r[c] for c in columns] for r in first] == [[r[c] for c in columns] for r in again]
    for other in (unlinkable, other_key):
        assert {r["applicant"] for r in other}.isdisjoint({r["applicant"] for r in first})
        # The same structure under other names: one applicant per case, the same number of clerks.
        assert len({(r["case:concept:name"], r["applicant"]) for r in other}) == len(
            {r["case:concept:name"] for r in first}
        )
        assert len({r["org:resource"] for r in other}) == len({r["org:resource"] for r in first})
    assert all(r["applicant"].startswith("applicant:") and len(r["applicant"]) == len("applicant:") + 16 for r in first)


def test_clear_text_only_when_asked_and_the_server_log_says_so(driven, tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="eventlog.management.commands.export_events"):
        rows = read_csv(export(tmp_path / "clear.csv", "csv", no_pseudonymise=True))
    assert "personal data in clear text" in caplog.text
    case = Case.objects.get(number=rows[0]["case:concept:name"])
    assert rows[0]["applicant"] == f"applicant:{case.applicant_id_number}"
    assert rows[0]["applicant_name"] == case.applicant_name and rows[0]["enterprise_name"] == case.enterprise_name
    usernames = set(get_user_model().objects.values_list("username", flat=True))
    assert {r["org:resource"] for r in rows if r["org:resource"]} <= usernames


def test_ocel_relates_every_event_to_objects_that_exist(driven, tmp_path):
    completed = Case.objects.filter(status="completed", end_activity="end_issued").first()
    licences = issue_for_case(completed)  # through the write path, as when a case is done
    log = json.loads(open(export(tmp_path / "log.jsonocel", "ocel", all_events=True), encoding="utf-8").read())
    objects = {o["id"]: o for o in log["objects"]}
    assert len(objects) == len(log["objects"]), "an object written twice"
    assert (
        {o["type"] for o in objects.values()}
        == {t["name"] for t in log["objectTypes"]}
        == {"case", "task", "department", "applicant", "enterprise", "licence"}
    )
    assert {e["type"] for e in log["events"]} == {t["name"] for t in log["eventTypes"]}
    for event in log["events"]:
        related = {}
        for relation in event["relationships"]:
            assert relation["objectId"] in objects, f"event {event['id']} names a missing object {relation['objectId']}"
            related.setdefault(relation["qualifier"], []).append(relation["objectId"])
        assert len(related["case"]) == 1 and related.keys() >= {"applicant", "enterprise"}
        if "task" in related:  # the task object belongs to the event's case
            task = objects[related["task"][0]]
            assert {"objectId": related["case"][0], "qualifier": "case"} in task["relationships"]
    issued = [e for e in log["events"] if {"name": "kind", "value": "licence_issued"} in e["attributes"]]
    named = {r["objectId"] for e in issued for r in e["relationships"] if r["qualifier"] == "licence"}
    assert licences and len(named) == Licence.objects.count() >= len(licences)
    text = json.dumps(log, ensure_ascii=False)
    assert not [licence.number for licence in Licence.objects.all() if licence.number in text]


def test_by_default_only_user_tasks_are_activities_and_all_events_adds_the_rest(driven, tmp_path, capsysbinary):
    labels = expected_activities(driven["parallel"])
    export("-", "csv")  # to stdout, the summary to stderr
    out = capsysbinary.readouterr()
    tasks_only = list(csv.DictReader(io.StringIO(out.out.decode("utf-8"))))
    assert b"events to -" in out.err
    assert len(tasks_only) == Event.objects.filter(kind__in=TASK_KINDS).count()
    assert {r["concept:name"] for r in tasks_only} <= labels
    everything = read_csv(export(tmp_path / "b.csv", "csv", all_events=True))
    others = {r["concept:name"] for r in everything if r["kind"] not in TASK_KINDS}
    names = driven["parallel"].elements["names"]  # the diagram's names of its events
    ends = {names[end] for end in Case.objects.values_list("end_activity", flat=True)}
    # The files name events in both languages (eventlog.activities.KIND_LABELS: "受理 case started").
    assert {KIND_LABELS[Event.Kind.CASE_STARTED], *ends} <= others <= set(names.values()) | set(KIND_LABELS.values())
    assert others.isdisjoint(labels), "a case event named like a user task"
    assert len(everything) == Event.objects.exclude(case=None).count()


def test_lifecycle_complete_keeps_one_event_per_completed_task(driven, tmp_path):
    path = export(tmp_path / "log.csv.gz", "csv", lifecycle="complete")
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == WorkItem.objects.filter(state="completed").count()
    assert {r["lifecycle:transition"] for r in rows} == {"complete"}


def test_filters_by_process_version_and_start_date(driven, tmp_path):
    drive(driven["serial"], driven["item"], 2, seed=2)
    serial = read_csv(export(tmp_path / "v1.csv", "csv", process="business_registration", version=1))
    assert {r["version"] for r in serial} == {"1"}
    assert len({r["case:concept:name"] for r in serial}) == 2
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    tree = etree.parse(export(tmp_path / "none.xes", "xes", since=tomorrow))
    assert tree.getroot().findall(f"{XES}trace") == []
    with pytest.raises(CommandError, match="尚未部署"):
        export(tmp_path / "x.csv", "csv", process="no_such_process")
    with translation.override("en"), pytest.raises(CommandError, match="'no_such_process' is not deployed"):
        export(tmp_path / "x.csv", "csv", process="no_such_process")
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "x.csv.part").exists()
