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
