"""The notifications page: a person reads what escalation told them, and marks it read."""

import pytest
from django.contrib.auth import get_user_model

from sla.notifications import do_notify, unread

# The answer depends on the date: make test runs these again as of hard dates (tests/as_of.py).
pytestmark = pytest.mark.dates


def test_a_head_sees_their_escalation_notices_and_marks_them_read(client, reference, head_market, clerk_tax):
    do_notify(
        [head_market],
        kind="escalation",
        title="督办：BL-2026-000001 营业执照审查超期",
        body="已超期 1 个工作日。",
        link="/cases/BL-2026-000001/",
    )
    do_notify([clerk_tax], kind="escalation", title="not yours", body="-")
    client.force_login(head_market)
    page = client.get("/sla/notifications/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "督办：BL-2026-000001 营业执照审查超期" in html and "not yours" not in html
    assert 'href="/cases/BL-2026-000001/"' in html
    other = get_user_model().objects.get(username="clerk_tax").notifications.get()
    client.post("/sla/notifications/read/", {"id": other.pk})  # someone else's: untouched
    assert unread(clerk_tax).count() == 1
    client.post("/sla/notifications/read/")
    assert unread(head_market).count() == 0


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get("/sla/notifications/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


ESCALATION_FACTS = {
    "level": 2,
    "case": "BL-2026-000001",
    "task": "营业执照审查 Business licence review",
    "department": "市场监管局",
    "department_en": "Market regulation",
    "due": "2026-11-09 17:30",
    "overdue_hours": 8.5,
}


def test_an_escalation_notice_reads_in_the_reader_s_language(client, reference, head_market):
    """Stored in the site's language (the e-mail's and the SMS's words), shown in the reader's: the
    page says it again from the facts kept with it; the channels in words too."""
    from django.utils import translation

    from sla.texts import escalation_notice

    with translation.override("zh-hans"):
        title, body = escalation_notice(ESCALATION_FACTS)
    [note] = do_notify([head_market], kind="escalation", title=title, body=body, data=ESCALATION_FACTS)
    note.channels = ["in_app", "email"]
    note.save(update_fields=["channels"])
    client.force_login(head_market)

    html = client.get("/sla/notifications/").content.decode()
    assert "【督办·第2级】BL-2026-000001「营业执照审查」已超期 1 个工作日 1.5 小时" in html
    assert "（市场监管局）应于 2026-11-09 17:30 前办结" in html and "站内、邮件" in html
    assert "Business licence review" not in html and "Market regulation" not in html

    client.cookies["django_language"] = "en"
    html = client.get("/sla/notifications/").content.decode()
    assert (
        "Escalation level 2: BL-2026-000001 “Business licence review” is 1 working day 1.5 working hours overdue"
        in html
    )
    assert "(Market regulation) was due by 2026-11-09 17:30" in html and "in the app, e-mail" in html
    assert "营业执照审查" not in html and "市场监管局" not in html and "督办" not in html


def test_a_notice_stored_as_text_only_is_shown_as_stored(client, reference, head_market):
    """Rows written before the facts were kept, or by a writer that keeps none, read as they were written."""
    do_notify([head_market], kind="result_flagged", title="证照待复核 L-1", body="复核原因", data={})
    client.force_login(head_market)
    client.cookies["django_language"] = "en"
    html = client.get("/sla/notifications/").content.decode()
    assert "证照待复核 L-1" in html and "复核原因" in html
