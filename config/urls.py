from django.contrib import admin
from django.urls import path

from engine import views as engine_views

urlpatterns = [
    path("", engine_views.home, name="home"),
    path("cases/<str:number>/", engine_views.case_detail, name="case_detail"),
    path("admin/", admin.site.urls),
]
