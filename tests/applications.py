"""One valid business-registration application, as the tests of intake, pages and API enter it."""

# The smallest files that pass the content check of each accepted type.
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

# Real check digits: 11010519491231002X (resident ID), 91350100M000100Y43 (credit code).
APPLICATION = {
    "applicant_name": "王芳",
    "applicant_id_number": "11010519491231002X",
    "enterprise_name": "北京并联科技有限公司",
    "enterprise_uscc": "91350100M000100Y43",
    "registered_capital": "100",
    "business_scope": "软件开发；信息技术咨询服务",
    "address": "北京市朝阳区建国路 1 号",
}
