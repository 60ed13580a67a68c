"""Included at the site root, before api/ (whose catch-all would answer /api/verify/ and /api/credit/ with 404)."""

from django.urls import path, register_converter

from . import credit, views, views_commitment


class LicenceNumberConverter:
    """Licence numbers (BL-LIC-2026-000001): letters, digits, '-' and '_', so nothing odd reaches a query."""

    regex = "[A-Za-z0-9_-]{1,32}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(LicenceNumberConverter, "licence_number")

app_name = "licences"
urlpatterns = [
    path("verify/", views.verify_paste_page, name="verify_paste"),
    path("verify/<licence_number:number>/", views.verify_page, name="verify_page"),
    path("api/verify/", views.verify_document_api, name="verify_document_api"),
    path("api/verify/<licence_number:number>/", views.verify_api, name="verify_api"),
    path("licences/<licence_number:number>.<str:fmt>", views.licence_download, name="download"),
    path("credit/<licence_number:code>/", credit.credit_page, name="credit_page"),
    path("api/credit/<licence_number:code>/", credit.credit_api, name="credit_api"),
    path("commitment/", views_commitment.commitment_page, name="commitment"),
]
