"""督办: a task that runs over goes up its chain, one level at a time, each level once; the people
of each level hear of it in the app, by e-mail and by SMS, and only once the sweep has committed."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation

from demo.seed import ensure_demo_people
from engine.actions import do_claim_task, do_complete_task, do_start_case
from engine.models import Event
from processes.actions import do_deploy_version
from processes.models import ServiceItem
from sla import sms
from sla.escalation import do_sweep_escalations, red_list
from sla.models import Escalation, EscalationState, EscalationStep, Notification, NotificationPreference
from sla.notifications import do_mark_read, unread
from sla.sweeps import do_sweep_lights
from sla.texts import notification_text, overdue_text
from tests.conftest import FIXTURES
from worklists.models import WorkItem

# The answer depends on the date: make test runs these again as of hard dates (tests/as_of.py).
pytestmark = pytest.mark.dates

BEIJING = ZoneInfo("Asia/Shanghai")
# Opened Monday 2 Nov 2026 09:00 with 5 working days: due Monday 9 Nov 17:30. Level 1 (the
# department head) at the due time, level 2 (the supervisors) one working day (7 office hours) later.
STARTED = "2026-11-02 09:00"
LEVEL_2_AT = "2026-11-10 17:30"


def at(text: str) -> dt.datetime:
    """Beijing wall time, as aware UTC (the light sweep's raw SQL compares text on SQLite)."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=BEIJING).astimezone(dt.UTC)


def user(username):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def licence_review(db):
    version = do_deploy_version(
        (FIXTURES / "engine" / "review_with_correction.bpmn").read_bytes(), "review.bpmn"
    ).version
    item = ServiceItem.objects.create(
        code="licence",
        name="许可",
        process=version.definition,
        promised_limit_working_days=10,
        statutory_limit_working_days=20,
    )
    return version, item


@pytest.fixture
def people(db):
    """The demo people with e-mail addresses, and the default chain (as the data migration writes it)."""
    ensure_demo_people(password=None)
    for person in get_user_model().objects.all():
        person.email = f"{person.username}@binglian.example"
        person.save(update_fields=["email"])
    EscalationStep.objects.get_or_create(
        department=None, level=1, defaults={"who": "department_head", "after_working_hours": 0}
    )
    EscalationStep.objects.get_or_create(
        department=None, level=2, defaults={"who": "supervisors", "after_working_hours": 7}
    )


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "sla.sms.LocmemSmsBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def late_review(licence_review, people):
    """A case whose review (market regulation) is due Monday 9 Nov 17:30."""
    version, item = licence_review
    with time_machine.travel(at(STARTED), tick=False):
        case = do_start_case(version=version, service_item=item)
    review = WorkItem.objects.get(case=case, task_spec="review", state="open")
    assert review.due_at == at("2026-11-09 17:30") and review.department_id == "market"
    return case, review


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """Lights, then escalation, as beat and the embedded loop run them; after-commit callbacks run."""

    def run(when: str):
        with django_capture_on_commit_callbacks(execute=True):
            do_sweep_lights(now=at(when))
            return do_sweep_escalations(now=at(when))

    return run


def notified(level: int, review) -> list[str]:
    escalation = Escalation.objects.get(work_item=review, level=level)
    return sorted(escalation.recipients.values_list("username", flat=True))


def test_a_task_running_over_reaches_level_one_and_its_department_head_hears_in_the_app_and_by_email(
    late_review, sweep, mailoutbox
):
    case, review = late_review
    assert sweep("2026-11-09 17:29").escalated == 0  # not due yet: nothing happens
    result = sweep("2026-11-10 10:00")  # one office hour past due
    assert (result.started, result.escalated, result.notified) == (1, 1, 1)
    assert notified(1, review) == ["head_market"]
    note = Notification.objects.get(recipient=user("head_market"))
    assert note.link == f"/cases/{case.number}/" and note.kind == "escalation" and note.read_at is None
    department = review.department  # named by the BPMN lane "市场监管", in Chinese only
    # Stored, mailed and texted in the site's language (简体中文), the task named in it only.
    assert note.title == f"【督办·第1级】{case.number}「审查」已超期 1 小时"
    assert (
        f"办件 {case.number} 的「审查」（{department.name}）应于 2026-11-09 17:30 前办结，已超期 1 小时。" in note.body
    )
    assert "Review" not in note.title + note.body and "Case" not in note.body
    # The notifications page says it again in the reader's language, from the facts kept with it.
    with translation.override("en"):
        title, body = notification_text(note)
    assert title == f"Escalation level 1: {case.number} “Review” is 1 working hour overdue"
    assert body.startswith(
        f"Case {case.number}: the task “Review” ({department.name_en or department.name}) was due by 2026-11-09 17:30 "
        "and is 1 working hour overdue."
    )
    with translation.override("zh-hans"):
        assert notification_text(note) == (note.title, note.body)
    assert note.channels == ["in_app", "email"]
    [mail] = mailoutbox
    assert mail.to == ["head_market@binglian.example"] and mail.subject == note.title
    assert f"/cases/{case.number}/" in mail.body
    event = Event.objects.get(case=case, kind="escalated")
    assert (event.work_item, event.department, event.data["level"]) == (review.pk, "market", 1)
    assert event.data["recipients"] == ["head_market"]


def test_one_working_day_later_it_reaches_level_two_and_the_supervisors_hear(late_review, sweep, mailoutbox):
    case, review = late_review
    sweep("2026-11-10 10:00")
    assert sweep("2026-11-10 17:29").escalated == 0  # 6 h 59 min of office time past due
    assert sweep(LEVEL_2_AT).escalated == 1
    assert notified(2, review) == ["supervisor"]
    assert [m.to for m in mailoutbox] == [["head_market@binglian.example"], ["supervisor@binglian.example"]]
    state = EscalationState.objects.get(work_item=review)
    assert (state.level, state.next_level, state.next_at) == (2, None, None)  # the end of the chain


def test_levels_beyond_the_chain_stay_at_the_last_level(late_review, sweep):
    case, review = late_review
    sweep("2026-11-10 10:00")
    sweep(LEVEL_2_AT)
    assert sweep("2026-12-31 10:00").escalated == 0
    assert list(Escalation.objects.filter(work_item=review).values_list("level", flat=True).order_by("level")) == [1, 2]
    assert red_list(now=at("2026-12-31 10:00")).tasks[0].escalation_level == 2  # still on the list


def test_a_task_completed_meanwhile_escalates_no_further(late_review, sweep, mailoutbox):
    case, review = late_review
    sweep("2026-11-10 10:00")
    with time_machine.travel(at("2026-11-10 11:00"), tick=False):
        do_complete_task(review.pk, outcome="approve")
    result = sweep("2026-11-11 09:30")
    assert (result.escalated, result.closed) == (0, 1)
    assert Escalation.objects.filter(work_item=review).count() == 1 and len(mailoutbox) == 1
    assert EscalationState.objects.get(work_item=review).next_at is None
    assert red_list(now=at("2026-11-11 09:30")).tasks == []


def test_running_the_sweep_twice_does_nothing_more(late_review, sweep, mailoutbox):
    case, review = late_review
    first = sweep("2026-11-10 10:00")
    second = sweep("2026-11-10 10:00")
    assert first.escalated == 1 and (second.started, second.escalated, second.notified) == (0, 0, 0)
    assert Notification.objects.count() == 1 and len(mailoutbox) == 1
    assert Event.objects.filter(kind="escalated").count() == 1


def test_after_an_outage_one_sweep_reaches_every_level_now_due_in_order(late_review, sweep, mailoutbox):
    case, review = late_review
    result = sweep("2026-11-11 09:30")  # nobody swept since before the due time
    assert result.escalated == 2
    assert (notified(1, review), notified(2, review)) == (["head_market"], ["supervisor"])
    levels = list(Event.objects.filter(kind="escalated").order_by("id").values_list("data__level", flat=True))
    assert levels == [1, 2]
    head_note = Notification.objects.get(recipient=user("head_market"))
    assert "已超期 1 个工作日 0.5 小时" in head_note.title and "已超期 1 个工作日 0.5 小时。" in head_note.body
    with translation.override("en"):
        assert "is 1 working day 0.5 working hours overdue" in notification_text(head_note)[0]


def test_a_user_with_a_phone_gets_an_sms_through_the_configured_backend(late_review, sweep, sms_outbox):
    case, review = late_review
    NotificationPreference.objects.create(user=user("head_market"), phone="13800138000")
    NotificationPreference.objects.create(user=user("supervisor"), phone="13900139000", sms_enabled=False)
    sweep("2026-11-11 09:30")
    [message] = sms_outbox
    assert message.phone == "13800138000" and case.number in message.text and f"/cases/{case.number}/" in message.text
    assert Notification.objects.get(recipient=user("head_market")).channels == ["in_app", "email", "sms"]
    assert Notification.objects.get(recipient=user("supervisor")).channels == ["in_app", "email"]


def test_a_user_without_email_or_phone_gets_the_in_app_notification_only(late_review, sweep, mailoutbox, sms_outbox):
    case, review = late_review
    get_user_model().objects.filter(username="head_market").update(email="")
    sweep("2026-11-10 10:00")
    note = Notification.objects.get(recipient=user("head_market"))
    assert note.channels == ["in_app"] and mailoutbox == [] and sms_outbox == []
    assert list(unread(user("head_market"))) == [note]
    assert (
        do_mark_read(user("head_market"), now=at("2026-11-10 10:05")) == 1 and not unread(user("head_market")).exists()
    )


def test_mail_and_sms_wait_for_the_commit_and_a_rolled_back_sweep_sends_nothing(
    late_review, django_capture_on_commit_callbacks, mailoutbox, sms_outbox
):
    case, review = late_review
    NotificationPreference.objects.create(user=user("head_market"), phone="13800138000")
    do_sweep_lights(now=at("2026-11-10 10:00"))
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            assert do_sweep_escalations(now=at("2026-11-10 10:00")).escalated == 1
            raise RuntimeError("the sweep's transaction fails after escalating")
    assert callbacks == [] and mailoutbox == [] and sms_outbox == []
    assert not Escalation.objects.exists() and not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert do_sweep_escalations(now=at("2026-11-10 10:00")).escalated == 1
        assert mailoutbox == [] and sms_outbox == []  # committed yet? no: nothing is sent
    assert len(callbacks) == 1 and len(mailoutbox) == 1 and len(sms_outbox) == 1


def test_a_department_chain_replaces_the_default_and_can_name_people(late_review, sweep, mailoutbox):
    case, review = late_review
    bureau_head = get_user_model().objects.create_user("bureau_head", email="bureau_head@binglian.example")
    EscalationStep.objects.create(department_id="market", level=1, who="department_head", after_working_hours=0)
    step = EscalationStep.objects.create(department_id="market", level=2, who="users", after_working_hours=3.5)
    step.users.add(bureau_head)
    assert sweep("2026-11-10 12:29").escalated == 1  # 3 h past due (09:00–12:00)
    assert sweep("2026-11-10 14:00").escalated == 1  # 3.5 h: 09:00–12:00 and 13:30–14:00
    assert (notified(1, review), notified(2, review)) == (["head_market"], ["bureau_head"])
    assert sweep("2026-11-30 10:00").escalated == 0  # the supervisors' default level 2 does not apply


def test_the_red_list_shows_who_is_responsible_and_the_highest_level(late_review, sweep):
    case, review = late_review
    sweep("2026-11-10 10:00")
    [task] = red_list(now=at("2026-11-10 10:00")).tasks
    assert (task.case_number, task.department_code, task.escalation_level) == (case.number, "market", 1)
    assert [u.username for u in task.responsible] == ["head_market"] and task.assignee is None  # nobody claimed it
    assert task.overdue_working_hours == 1.0 and task.link == f"/cases/{case.number}/"
    do_claim_task(review.pk, acting_user=user("clerk_market"))
    sweep("2026-11-17 09:00")  # the case's 10 working days ran out on Monday 16 Nov
    listed = red_list(now=at("2026-11-17 09:00"))
    assert [u.username for u in listed.tasks[0].responsible] == ["clerk_market"]
    [red_case] = listed.cases
    assert (red_case.number, red_case.escalation_level, red_case.departments) == (case.number, 2, ("market",))
    assert [u.username for u in red_case.responsible] == ["clerk_market"]
    assert red_list(["tax"], now=at("2026-11-17 09:00")) == type(listed)(tasks=[], cases=[])
    assert len(red_list(["market"], now=at("2026-11-17 09:00")).tasks) == 1


def test_overdue_is_told_in_working_days_and_hours_in_each_language():
    hours = (0.0, 1.0, 2.5, 7.0, 15.0)
    with translation.override("zh-hans"):
        assert [overdue_text(h) for h in hours] == [
            "已超期",
            "已超期 1 小时",
            "已超期 2.5 小时",
            "已超期 1 个工作日",
            "已超期 2 个工作日 1 小时",
        ]
    with translation.override("en"):
        assert [overdue_text(h) for h in hours] == [
            "is now overdue",
            "is 1 working hour overdue",
            "is 2.5 working hours overdue",
            "is 1 working day overdue",
            "is 2 working days 1 working hour overdue",
        ]


def test_an_administrator_edits_the_chain_and_reads_escalations_and_notifications_in_the_admin(
    late_review, sweep, client
):
    sweep("2026-11-10 10:00")
    client.force_login(user("admin"))
    for page in ("escalationstep", "escalation", "escalationstate", "notification", "notificationpreference"):
        assert client.get(f"/admin/sla/{page}/").status_code == 200, page
    response = client.post(
        "/admin/sla/escalationstep/add/", {"department": "", "level": 3, "who": "supervisors", "after_working_hours": 3}
    )
    assert response.status_code == 200 and "不能早于前一级" in response.content.decode()  # before level 2 (7 h)
    assert client.get("/admin/sla/escalation/add/").status_code == 403  # written by the sweep only
    chain = client.get("/admin/sla/escalationstep/").content.decode()
    assert "默认" in chain and "部门负责人" in chain and "督办链" in chain
    client.cookies["django_language"] = "en"
    chain = client.get("/admin/sla/escalationstep/").content.decode()
    assert "default" in chain and "head of the task&#x27;s department" in chain and "Escalation chain" in chain
    assert "默认" not in chain and "部门负责人" not in chain and "督办" not in chain
    for page in ("escalation", "escalationstate"):
        html = client.get(f"/admin/sla/{page}/").content.decode()
        assert "督办" not in html and "通知" not in html, page
    # A notification is listed as it was sent (in the site's language), its channels in words.
    html = client.get("/admin/sla/notification/").content.decode()
    assert "【督办·第1级】" in html and "in the app, e-mail" in html
