"""Ed25519 signing of licences: canonical JSON, the keyring, key generation and rotation.

Keys come from settings.LICENCE_SIGNING_KEYS (production: PEM text in environment variables or
PEM files) and from the keys directory settings.LICENCE_KEYS_DIR (var/keys/, gitignored). In the
directory a private key is ``<kid>.pem``; a retired key keeps only its public half, ``<kid>.pub.pem``.
The first configured key with a private half signs; failing that, the newest private key in the
directory; failing that (the embedded demo, first use) a new key is generated there.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

logger = logging.getLogger(__name__)

PRIVATE_SUFFIX = ".pem"
PUBLIC_SUFFIX = ".pub.pem"


def canonical_json(obj) -> bytes:
    """The bytes that are signed: sorted keys, no spaces, UTF-8 (Chinese kept as is, not \\u escapes)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class Key:
    kid: str
    public: Ed25519PublicKey
    private: Ed25519PrivateKey | None = None
    source: str = ""


def keys_dir() -> Path:
    return Path(getattr(settings, "LICENCE_KEYS_DIR", Path(settings.VAR_DIR) / "keys"))


def _pem_text(entry: dict, which: str) -> bytes | None:
    """PEM bytes of an entry's private or public half, from ``<which>_key_pem_env`` or ``<which>_key_path``."""
    env = entry.get(f"{which}_key_env")
    if env:
        text = os.getenv(env, "")
        if not text.strip():
            raise ImproperlyConfigured(f"LICENCE_SIGNING_KEYS: {entry.get('kid')}: environment variable {env} is empty")
        return text.replace("\\n", "\n").encode()
    path = entry.get(f"{which}_key_path")
    if path:
        return Path(path).read_bytes()
    return None


def _load_private(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured("licence signing keys must be Ed25519")
    return key


def _load_public(pem: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ImproperlyConfigured("licence verification keys must be Ed25519")
    return key


def _configured_keys() -> list[Key]:
    keys = []
    for entry in getattr(settings, "LICENCE_SIGNING_KEYS", []) or []:
        kid = entry.get("kid")
        if not kid:
            raise ImproperlyConfigured("LICENCE_SIGNING_KEYS: every entry needs a kid")
        private_pem = None if entry.get("retired") else _pem_text(entry, "private")
        if private_pem:
            private = _load_private(private_pem)
            keys.append(Key(kid, private.public_key(), private, source="settings"))
            continue
        public_pem = _pem_text(entry, "public")
        if public_pem is None and entry.get("retired"):
            private_pem = _pem_text(entry, "private")  # a retired entry may still name its old private file
            public = _load_private(private_pem).public_key() if private_pem else None
        else:
            public = _load_public(public_pem) if public_pem else None
        if public is None:
            raise ImproperlyConfigured(f"LICENCE_SIGNING_KEYS: {kid}: no private or public key given")
        keys.append(Key(kid, public, None, source="settings"))
    return keys


def _directory_keys() -> list[Key]:
    """Keys in the keys directory, newest first (a kid starts with its UTC creation time)."""
    directory = keys_dir()
    if not directory.is_dir():
        return []
    found: dict[str, Key] = {}
    for path in directory.glob("*" + PUBLIC_SUFFIX):
        kid = path.name[: -len(PUBLIC_SUFFIX)]
        found[kid] = Key(kid, _load_public(path.read_bytes()), None, source=str(path))
    for path in directory.glob("*" + PRIVATE_SUFFIX):
        if path.name.endswith(PUBLIC_SUFFIX):
            continue
        kid = path.name[: -len(PRIVATE_SUFFIX)]
        private = _load_private(path.read_bytes())
        found[kid] = Key(kid, private.public_key(), private, source=str(path))  # the private half wins
    return [found[kid] for kid in sorted(found, reverse=True)]


def keyring() -> list[Key]:
    """Every known key, signing candidates in order: configured keys first, then the directory's."""
    configured = _configured_keys()
    seen = {key.kid for key in configured}
    return configured + [key for key in _directory_keys() if key.kid not in seen]


def find_key(kid: str) -> Key | None:
    return next((key for key in keyring() if key.kid == kid), None)


def new_kid(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return f"{timezone.now():%Y%m%dT%H%M%S%fZ}-{hashlib.sha256(raw).hexdigest()[:8]}"


def generate_key() -> Key:
    """A new Ed25519 key written as ``<kid>.pem`` (mode 0600) in the keys directory; it becomes the signer."""
    private = Ed25519PrivateKey.generate()
    kid = new_kid(private.public_key())
    directory = keys_dir()
    directory.mkdir(parents=True, exist_ok=True)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path = directory / f"{kid}{PRIVATE_SUFFIX}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return Key(kid, private.public_key(), private, source=str(path))


def retire_key(kid: str) -> Path:
    """Keep only the public half of a directory key: it verifies what it signed, it signs no more."""
    directory = keys_dir()
    private_path = directory / f"{kid}{PRIVATE_SUFFIX}"
    public_path = directory / f"{kid}{PUBLIC_SUFFIX}"
    if not private_path.exists():
        if public_path.exists():
            return public_path
        raise FileNotFoundError(f"no key {kid} in {directory}")
    private = _load_private(private_path.read_bytes())
    public_path.write_bytes(
        private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    private_path.unlink()
    return public_path


def signing_key() -> Key:
    key = next((key for key in keyring() if key.private is not None), None)
    if key is None:
        key = generate_key()
        logger.warning(
            "No licence signing key configured: generated %s at %s. Production sets LICENCE_SIGNING_KEYS; "
            "see docs/licences.md.",
            key.kid,
            key.source,
        )
    return key


def sign(payload: bytes) -> tuple[str, str]:
    """Sign canonical bytes; returns (base64 signature, kid)."""
    return sign_with(signing_key(), payload)


def verify(payload: bytes, signature_b64: str, kid: str) -> bool:
    """True when the signature over exactly these bytes is good under the named key's public half."""
    key = find_key(kid)
    if key is None:
        return False
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        key.public.verify(signature, payload)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def short_signature(signature_b64: str) -> str:
    """The part of the signature printed in the QR code's URL: enough to tell a forged printout."""
    raw = base64.b64decode(signature_b64)
    return base64.urlsafe_b64encode(raw).decode("ascii")[:16]


def sign_with(key: Key, payload: bytes) -> tuple[str, str]:
    return base64.b64encode(key.private.sign(payload)).decode("ascii"), key.kid
