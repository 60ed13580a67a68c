"""The licence PDF: Chinese as real text in an embedded CJK font, and a QR code that opens the verification page.

Needs poppler-utils (pdftotext, pdftoppm) and fonts-wqy-zenhei (`make test` installs both).
The PNG is kept as tests/artifacts/licence.png for a person to look at.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

from licences.rendering import DEFAULT_CJK_FONT, licence_pdf, verification_url
from licences.signing import short_signature
from tests.conftest import CI
from tests.test_licences__actions import ENTERPRISE, USCC, case, keys, licence  # noqa: F401

ARTIFACTS = Path(__file__).parent / "artifacts"


def _need(*tools):
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if not Path(DEFAULT_CJK_FONT).is_file():
        missing.append(DEFAULT_CJK_FONT)
    if missing:
        message = f"missing {', '.join(missing)}: apt-get install poppler-utils fonts-wqy-zenhei (make test does)"
        if CI:
            pytest.fail(message)
        pytest.skip(message)


def test_the_pdf_carries_the_chinese_as_text_and_renders_to_png(licence, tmp_path):  # noqa: F811
    _need("pdftotext", "pdftoppm")
    pdf = tmp_path / "licence.pdf"
    pdf.write_bytes(licence_pdf(licence))
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    for expected in (ENTERPRISE, "营业执照", "统一社会信用代码", USCC, licence.number):
        assert expected in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True, text=True).stdout
    assert "WenQuanYi" in fonts or "BinglianCJK" in fonts
    assert verification_url(licence) in text
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(ARTIFACTS / "licence")], check=True)
    png = ARTIFACTS / "licence.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_verification_url_carries_the_short_signature(licence):  # noqa: F811
    url = verification_url(licence)
    assert url == f"https://zwfw.example.gov.cn/verify/{licence.number}/?s={short_signature(licence.signature)}"


def test_the_qr_code_decodes_to_the_verification_url(licence, tmp_path):  # noqa: F811
    zbar = shutil.which("zbarimg")
    if zbar is None:
        pytest.skip("zbarimg (Debian zbar-tools) is not installed: the QR code is not decoded here")
    _need("pdftoppm")
    pdf = tmp_path / "licence.pdf"
    pdf.write_bytes(licence_pdf(licence))
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(pdf), str(tmp_path / "page")], check=True)
    out = subprocess.run([zbar, "--quiet", "--raw", str(tmp_path / "page.png")], capture_output=True, text=True).stdout
    assert out.strip() == verification_url(licence)
