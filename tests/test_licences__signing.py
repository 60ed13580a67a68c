"""Signatures: a changed byte fails, a retired key still verifies, keys come from settings or var/keys/."""

import base64
import json

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command

from licences import signing
from licences.actions import do_issue_licence
from licences.models import Licence
from licences.rendering import licence_document, licence_json
from licences.verification import verify_document, verify_number
from tests.test_licences__actions import case, keys, licence  # noqa: F401  (shared fixtures)


def test_canonical_json_sorts_keys_drops_spaces_and_keeps_chinese():  # noqa: F811
    assert signing.canonical_json({"b": 1, "a": "营业执照"}) == '{"a":"营业执照","b":1}'.encode()


def test_one_changed_byte_in_the_stored_payload_fails_verification(licence):  # noqa: F811
    payload = bytearray(licence.payload)
    index = payload.index(b"91350100M")  # inside the credit code
    payload[index] ^= 0x01
    Licence.objects.filter(pk=licence.pk).update(payload=bytes(payload))
    assert not signing.verify(bytes(payload), licence.signature, licence.key_id)
    assert verify_number(licence.number)["status"] == "invalid"


def test_every_single_byte_change_of_the_payload_fails(licence):  # noqa: F811
    original = bytes(licence.payload)
    for index in range(len(original)):
        changed = bytearray(original)
        changed[index] ^= 0x01
        assert not signing.verify(bytes(changed), licence.signature, licence.key_id), index


def test_a_pasted_document_verifies_and_a_one_byte_tampered_copy_fails(licence):  # noqa: F811
    text = licence_json(licence).decode("utf-8")
    assert verify_document(json.loads(text)) == {"signature_valid": True, "number": licence.number, "status": "valid"}
    tampered = text.replace("北京并联科技", "北京并联科拔", 1)  # one character of the enterprise name
    assert tampered != text
    answer = verify_document(json.loads(tampered))
    assert answer["signature_valid"] is False


def test_a_tampered_signature_kid_or_url_fails(licence):  # noqa: F811
    document = licence_document(licence)
    signature = bytearray(base64.b64decode(document["signature"]))
    signature[0] ^= 0x01
    assert not verify_document({**document, "signature": base64.b64encode(signature).decode()})["signature_valid"]
    assert not verify_document({**document, "kid": "nobody"})["signature_valid"]
    assert not verify_document({**document, "verify_url": document["verify_url"] + "x"})["signature_valid"]
    assert not verify_document({"licence": document["licence"]})["signature_valid"]
    assert not verify_document(["not", "a", "document"])["signature_valid"]


def test_a_licence_signed_by_a_retired_key_still_verifies_after_rotation(case, keys, capsys):  # noqa: F811
    call_command("licence_keys", "generate")
    old_kid = capsys.readouterr().out.strip()
    old = do_issue_licence(case, kind="business_licence")
    assert old.key_id == old_kid
    call_command("licence_keys", "generate")
    new_kid = capsys.readouterr().out.strip()
    call_command("licence_keys", "retire", old_kid)
    assert not (keys / f"{old_kid}.pem").exists() and (keys / f"{old_kid}.pub.pem").exists()
    assert b"PRIVATE" not in (keys / f"{old_kid}.pub.pem").read_bytes()
    new = do_issue_licence(case, kind="company_seal")
    assert new.key_id == new_kid != old_kid
    assert verify_number(old.number)["status"] == "valid"
    assert verify_document(licence_document(old))["signature_valid"] is True
    call_command("licence_keys", "list")
    listing = capsys.readouterr().out
    assert f"{new_kid}\tsigns" in listing and f"{old_kid}\tverifies only" in listing


def test_a_key_from_the_environment_signs_before_the_directory(case, keys, settings, monkeypatch):  # noqa: F811
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    monkeypatch.setenv("TEST_LICENCE_KEY", pem)
    signing.generate_key()  # a directory key too: the configured one still wins
    settings.LICENCE_SIGNING_KEYS = [{"kid": "prod-2026-1", "private_key_env": "TEST_LICENCE_KEY"}]
    issued = do_issue_licence(case, kind="business_licence")
    assert issued.key_id == "prod-2026-1"
    # Rotated: the old key is listed as retired with its public half only, and still verifies.
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    monkeypatch.setenv("TEST_LICENCE_PUB", public_pem)
    settings.LICENCE_SIGNING_KEYS = [{"kid": "prod-2026-1", "retired": True, "public_key_env": "TEST_LICENCE_PUB"}]
    assert verify_number(issued.number)["status"] == "valid"
    assert do_issue_licence(case, kind="company_seal").key_id != "prod-2026-1"


def test_a_licence_whose_key_is_lost_does_not_verify(licence, keys):  # noqa: F811
    for path in keys.iterdir():
        path.unlink()
    assert verify_number(licence.number)["status"] == "invalid"
