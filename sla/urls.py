from django.urls import path

from . import views

app_name = "sla"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("red-list.csv", views.red_list_csv, name="red_list_csv"),
    path("counts.csv", views.counts_csv, name="counts_csv"),
]
