from django.urls import path

from . import notification_views, views

app_name = "sla"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("red-list.csv", views.red_list_csv, name="red_list_csv"),
    path("counts.csv", views.counts_csv, name="counts_csv"),
    path("notifications/", notification_views.notifications, name="notifications"),
    path("notifications/read/", notification_views.mark_read, name="mark_read"),
]
