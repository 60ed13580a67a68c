from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("kpi/", views.kpi_tree, name="kpi"),  # before <slug:key>/: "kpi" is not a process
    path("<slug:key>/", views.process_report, name="process"),
]
