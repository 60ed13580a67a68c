from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from desk import cases

# The admin's header and the browser tab, in the reader's language (Django translates the rest).
admin.site.site_header = _("Binglian administration")
admin.site.site_title = _("Binglian administration")

urlpatterns = [
    path("", cases.home, name="home"),
    path("cases/", cases.case_list, name="case_list"),
    path("cases/<str:number>/", cases.case_detail, name="case_detail"),
    path("cases/<str:number>/suspend/", cases.case_suspend, name="case_suspend"),
    path("cases/<str:number>/resume/", cases.case_resume, name="case_resume"),
    path("cases/<str:number>/terminate/", cases.case_terminate, name="case_terminate"),
    path("cases/<str:number>/extensions/", cases.case_extension_request, name="case_extension_request"),
    path("extensions/<int:pk>/decide/", cases.extension_decide, name="extension_decide"),
    path("cases/<str:number>/copy/", cases.case_copy, name="case_copy"),
    path("copies/", cases.copies, name="copies"),
    path("copies/read/", cases.copies_read, name="copies_read"),
    path("", include("desk.urls")),  # intake/, work/, tasks/<id>/..., materials/<uuid>/
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the menu's language switch
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sla/", include("sla.urls")),
    path("reports/", include("reports.urls")),
    path("designer/", include("designer.urls")),
    path("", include("licences.urls")),  # verify/, api/verify/ (before api/ and its catch-all), licences/
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]
