"""The public verification page and API: valid, revoked with its date, unknown; no personal data; no login."""

import json
import re

from django.utils import timezone

from licences.actions import do_revoke_licence
from licences.models import CreditRecord
from licences.rendering import licence_json
from licences.signing import short_signature
from tests.test_i18n__pages import chinese_in, english_in, visible
from tests.test_licences__actions import APPLICANT, APPLICANT_ID, ENTERPRISE, USCC, case, keys, licence  # noqa: F401


def test_the_page_says_valid_and_shows_only_the_licence_face(client, licence):  # noqa: F811
    response = client.get(f"/verify/{licence.number}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-status="valid"' in page
    for shown in (licence.number, "营业执照", ENTERPRISE, USCC, timezone.localdate(licence.issued_at).isoformat()):
        assert shown in page
    assert APPLICANT not in page and APPLICANT_ID not in page and licence.case.number not in page


def test_the_api_says_valid_and_carries_no_personal_data(client, licence):  # noqa: F811
    response = client.get(f"/api/verify/{licence.number}/")
    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "valid" and answer["signature_valid"] is True
    assert set(answer) == {
        "number",
        "kind",
        "kind_name",
        "enterprise_name",
        "enterprise_uscc",
        "issued_on",
        "signature_valid",
        "kid",
        "status",
    }
    text = response.content.decode()
    assert APPLICANT not in text and APPLICANT_ID not in text


def test_revocation_makes_the_page_say_revoked_with_its_date(client, licence):  # noqa: F811
    do_revoke_licence(licence, reason="告知承诺不实")
    licence.refresh_from_db()
    page = client.get(f"/verify/{licence.number}/").content.decode()
    assert 'data-status="revoked"' in page and "已撤销" in page
    assert timezone.localdate(licence.revoked_at).isoformat() in page
    assert "告知承诺不实" not in page  # the reason is the enterprise's business, not the public's
    answer = client.get(f"/api/verify/{licence.number}/").json()
    assert answer["status"] == "revoked" and answer["revoked_on"] == timezone.localdate(licence.revoked_at).isoformat()


def test_an_unknown_number_says_unknown(client, db, keys):  # noqa: F811
    response = client.get("/verify/BL-LIC-2026-999999/")
    assert response.status_code == 404 and 'data-status="unknown"' in response.content.decode()
    response = client.get("/api/verify/BL-LIC-2026-999999/")
    assert response.status_code == 404 and response.json() == {"number": "BL-LIC-2026-999999", "status": "unknown"}


def test_the_qr_code_link_matches_and_a_foreign_one_is_flagged(client, licence):  # noqa: F811
    good = client.get(f"/verify/{licence.number}/", {"s": short_signature(licence.signature)}).content.decode()
    assert "二维码与登记的证照不一致" not in good
    bad = client.get(f"/verify/{licence.number}/", {"s": "AAAAAAAAAAAAAAAA"}).content.decode()
    assert "二维码与登记的证照不一致" in bad


def test_pasting_the_json_says_valid_and_a_byte_changed_copy_says_invalid(client, licence):  # noqa: F811
    text = licence_json(licence).decode()
    page = client.post("/verify/", {"document": text}).content.decode()
    assert 'data-signature="valid"' in page
    tampered = text.replace('"v": 1', '"v": 2')
    page = client.post("/verify/", {"document": tampered}).content.decode()
    assert 'data-signature="invalid"' in page
    assert client.post("/verify/", {"document": "{not json"}).status_code == 200


def test_the_document_api_takes_a_raw_json_body_without_csrf(licence):  # noqa: F811
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    body = licence_json(licence)
    answer = client.post("/api/verify/", body, content_type="application/json").json()
    assert answer == {"signature_valid": True, "number": licence.number, "status": "valid"}
    document = json.loads(body)
    document["licence"]["enterprise_uscc"] = USCC[:-1] + "0"
    answer = client.post("/api/verify/", json.dumps(document), content_type="application/json").json()
    assert answer["signature_valid"] is False
    assert client.post("/api/verify/", b"[", content_type="application/json").status_code == 400


def test_downloads_are_for_those_who_may_open_the_case(client, licence, frontdesk, designer):  # noqa: F811
    assert client.get(f"/licences/{licence.number}.json").status_code == 302
    client.force_login(designer)
    assert client.get(f"/licences/{licence.number}.json").status_code == 403
    client.force_login(frontdesk)
    response = client.get(f"/licences/{licence.number}.json")
    assert response.status_code == 200 and json.loads(response.content)["licence"]["number"] == licence.number
    assert client.get(f"/licences/{licence.number}.exe").status_code == 404
    response = client.get(f"/licences/{licence.number}.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def verdict_of(response) -> str:
    """The paste page without the document pasted back into its box (data)."""
    return visible(re.sub(r"<textarea.*?</textarea>", " ", response.content.decode(), flags=re.S))


def test_the_public_pages_and_answers_speak_the_reader_s_language(client, licence):  # noqa: F811
    """English from Accept-Language (or the menu's cookie), 简体中文 by default: the verdicts, the
    kind (its English name), why a pasted file fails, the credit record; the enterprise is data."""
    do_revoke_licence(licence, reason="告知承诺不实")
    CreditRecord.objects.create(
        enterprise_uscc=USCC,
        enterprise_name=ENTERPRISE,
        kind=CreditRecord.Kind.FALSE_COMMITMENT,
        case=licence.case,
        licence=licence,
        summary="告知承诺不实，整改期满未整改。",
    )
    summary = "告知承诺不实，整改期满未整改。"  # the record as written, in the site's language
    tampered = licence_json(licence).decode().replace('"v": 1', '"v": 2')
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}

    page = visible(client.get(f"/verify/{licence.number}/", **english).content.decode())
    assert "business licence" in page and "revoked" in page
    assert chinese_in(page.replace(ENTERPRISE, "")) == set()
    page = visible(client.get(f"/verify/{licence.number}/").content.decode())
    assert "营业执照" in page and "已撤销" in page and english_in(page) == set()

    page = verdict_of(client.post("/verify/", {"document": tampered}, **english))
    assert "signature invalid: the signature does not match the licence" in page and chinese_in(page) == set()
    page = verdict_of(client.post("/verify/", {"document": tampered}))
    assert "签名无效：签名与证照内容不符" in page and english_in(page) == set()
    answer = client.post("/api/verify/", tampered, content_type="application/json", **english).json()
    assert answer == {"signature_valid": False, "reason": "the signature does not match the licence"}
    answer = client.post("/api/verify/", "{", content_type="application/json").json()
    assert answer == {"signature_valid": False, "reason": "不是有效的 JSON"}

    page = visible(client.get(f"/credit/{USCC}/", **english).content.decode())
    assert "1 breach record" in page and "false commitment" in page
    assert chinese_in(page.replace(ENTERPRISE, "").replace(summary, "")) == set()
    page = visible(client.get(f"/credit/{USCC}/").content.decode())
    assert "1 条失信记录" in page and "承诺不实" in page and english_in(page) == set()
    bad = client.get("/api/credit/91350100M000100Y44/", **english).json()
    assert bad["error"].startswith("The unified social credit code is not valid")
    assert client.get("/api/credit/91350100M000100Y44/").json()["error"].startswith("统一社会信用代码不正确")
