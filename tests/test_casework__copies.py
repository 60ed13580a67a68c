"""抄送: a case copied for information: the recipients may read it, find it under "copied to me"
unread until they open it, and nothing of the case waits on them."""

from __future__ import annotations

import pytest

from engine.casework import do_copy_case
from engine.errors import InvalidInput
from engine.models import Event
from worklists.access import can_see_case
from worklists.models import Copy

from .casework import fan_out, work
from .test_api__cases import client_for
from .test_engine__business_registration import start


def test_a_copy_lets_the_recipient_read_the_case_unread_until_opened(
    client, reference, frontdesk, clerk_market, clerk_police, clerk_hrss
):
    case = start(reference)
    work(case, "intake", frontdesk, "accept")  # only market regulation has work in it now
    assert not can_see_case(clerk_hrss, case) and not can_see_case(clerk_police, case)
    copies = do_copy_case(
        case.number, acting_user=clerk_market, people=[clerk_hrss], departments=["police"], note="供参考"
    )
    assert {c.recipient.username for c in copies} == {"clerk_hrss", "clerk_police"}
    assert can_see_case(clerk_hrss, case) and can_see_case(clerk_police, case)
    assert do_copy_case(case.number, acting_user=clerk_market, people=[clerk_hrss]) == []  # once per person
    logged = Event.objects.filter(case=case, kind=Event.Kind.CASE_COPIED).order_by("id")
    assert logged[0].data["to"] == ["clerk_hrss", "clerk_police"] and logged[0].data["note"] == "供参考"

    client.force_login(clerk_hrss)
    listed = client.get("/copies/").content.decode()
    assert f'data-copy="{case.number}"' in listed and "is-unread" in listed
    assert 'data-badge="copies">1<' in listed
    assert client.get(f"/cases/{case.number}/").status_code == 200
    assert Copy.objects.get(case=case, recipient=clerk_hrss).read_at is not None
    assert "is-unread" not in client.get("/copies/").content.decode()


def test_copying_names_someone_and_the_api_does_it_too(
    reference, frontdesk, clerk_market, clerk_tax, supervisor, designer
):
    case = fan_out(reference, frontdesk, clerk_market)
    with pytest.raises(InvalidInput):
        do_copy_case(case.number, acting_user=clerk_market)
    api = client_for(supervisor)
    url = f"/api/v1/cases/{case.number}/copies/"
    assert api.post(url, {"people": ["nobody"]}, format="json").status_code == 400
    made = api.post(url, {"people": ["clerk_tax"], "note": "请关注"}, format="json")
    assert made.status_code == 201 and [c["recipient"] for c in made.json()] == ["clerk_tax"]
    mine = client_for(clerk_tax).get("/api/v1/copies/mine/").json()
    assert mine["results"][0]["case"] == case.number and mine["results"][0]["read_at"] is None
    assert client_for(designer).post(url, {"people": ["clerk_tax"]}, format="json").status_code == 403


def test_the_case_page_copies_to_a_department(client, reference, frontdesk, clerk_market, clerk_hrss):
    case = fan_out(reference, frontdesk, clerk_market)
    client.force_login(clerk_market)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "data-copy" in page
    assert client.post(f"/cases/{case.number}/copy/", {}).status_code == 400
    assert client.post(f"/cases/{case.number}/copy/", {"departments": ["hrss"], "note": ""}).status_code == 302
    assert Copy.objects.filter(case=case, recipient=clerk_hrss).exists()


def test_a_tampered_copy_form_is_refused_with_its_reason_not_a_crash(client, reference, frontdesk, clerk_market):
    case = fan_out(reference, frontdesk, clerk_market)
    client.force_login(clerk_market)
    answer = client.post(f"/cases/{case.number}/copy/", {"people": ["abc", "-1"], "departments": ["nowhere"]})
    assert answer.status_code == 400 and "errorlist" in answer.content.decode()
    assert not Copy.objects.filter(case=case).exists()
