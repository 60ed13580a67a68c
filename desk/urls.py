"""The clerks' pages: intake, the worklist, tasks and their actions, material downloads."""

from django.urls import path

from . import views

app_name = "desk"
urlpatterns = [
    path("intake/", views.intake, name="intake"),
    path("work/", views.worklist, name="worklist"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/claim/", views.task_claim, name="task_claim"),
    path("tasks/<int:pk>/release/", views.task_release, name="task_release"),
    path("tasks/<int:pk>/reassign/", views.task_reassign, name="task_reassign"),
    path("tasks/<int:pk>/complete/", views.task_complete, name="task_complete"),
    path("tasks/<int:pk>/send-back/", views.task_send_back, name="task_send_back"),
    path("tasks/<int:pk>/withdraw/", views.task_withdraw, name="task_withdraw"),
    path("tasks/<int:pk>/urge/", views.task_urge, name="task_urge"),
    path("tasks/<int:pk>/refuse/", views.task_refuse, name="task_refuse"),
    path("tasks/<int:pk>/transfer/", views.task_transfer, name="task_transfer"),
    path("tasks/<int:pk>/transfer/decide/", views.task_transfer_decide, name="task_transfer_decide"),
    path("tasks/<int:pk>/delegate/", views.task_delegate, name="task_delegate"),
    path("tasks/<int:pk>/delegate/return/", views.task_delegation_return, name="task_delegation_return"),
    path("tasks/<int:pk>/opinions/", views.task_ask_opinion, name="task_ask_opinion"),
    path("tasks/<int:pk>/opinion/", views.task_give_opinion, name="task_give_opinion"),
    path("tasks/<int:pk>/opinion/withdraw/", views.task_withdraw_opinion, name="task_withdraw_opinion"),
    path("materials/<uuid:pk>/", views.material_download, name="material"),
]
