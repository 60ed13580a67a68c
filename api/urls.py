"""/api/: the OpenAPI schema and version 1 of the REST API. Every path ends with a slash."""

from django.urls import include, path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView

from . import views_cases as cases
from . import views_migration as migration
from . import views_tasks as tasks
from . import views_versions as versions
from .errors import not_found


class CaseNumberConverter:
    """Case numbers (BL-2026-000001): letters, digits, '-' and '_', so nothing odd reaches a query."""

    regex = "[A-Za-z0-9_-]{1,32}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(CaseNumberConverter, "case_number")

v1 = [
    path("service-items/", cases.ServiceItemList.as_view(), name="service_items"),
    path("cases/", cases.CaseIntake.as_view(), name="cases"),
    path("cases/<case_number:number>/", cases.CaseDetail.as_view(), name="case"),
    path("cases/<case_number:number>/timeline/", cases.CaseTimeline.as_view(), name="case_timeline"),
    path("cases/<case_number:number>/messages/", cases.CaseMessages.as_view(), name="case_messages"),
    path("cases/<case_number:number>/suspend/", cases.CaseSuspend.as_view(), name="case_suspend"),
    path("cases/<case_number:number>/resume/", cases.CaseResume.as_view(), name="case_resume"),
    path("cases/<case_number:number>/terminate/", cases.CaseTerminate.as_view(), name="case_terminate"),
    path("cases/<case_number:number>/extensions/", cases.CaseExtensions.as_view(), name="case_extensions"),
    path("extensions/<int:pk>/decision/", cases.ExtensionDecision.as_view(), name="extension_decision"),
    path("cases/<case_number:number>/copies/", cases.CaseCopies.as_view(), name="case_copies"),
    path("copies/mine/", cases.MyCopies.as_view(), name="copies_mine"),
    path("tasks/mine/", tasks.MyTasks.as_view(), name="tasks_mine"),
    path("departments/<slug:code>/queue/", tasks.DepartmentQueue.as_view(), name="department_queue"),
    path("tasks/<int:pk>/", tasks.TaskDetail.as_view(), name="task"),
    path("tasks/<int:pk>/claim/", tasks.TaskClaim.as_view(), name="task_claim"),
    path("tasks/<int:pk>/unclaim/", tasks.TaskUnclaim.as_view(), name="task_unclaim"),
    path("tasks/<int:pk>/reassign/", tasks.TaskReassign.as_view(), name="task_reassign"),
    path("tasks/<int:pk>/complete/", tasks.TaskComplete.as_view(), name="task_complete"),
    path("tasks/<int:pk>/correction/", tasks.TaskCorrection.as_view(), name="task_correction"),
    path("tasks/<int:pk>/send-back/", tasks.TaskSendBack.as_view(), name="task_send_back"),
    path("tasks/<int:pk>/withdraw/", tasks.TaskWithdraw.as_view(), name="task_withdraw"),
    path("tasks/<int:pk>/urge/", tasks.TaskUrge.as_view(), name="task_urge"),
    path("tasks/<int:pk>/refuse/", tasks.TaskRefuse.as_view(), name="task_refuse"),
    path("tasks/<int:pk>/transfer/", tasks.TaskTransfer.as_view(), name="task_transfer"),
    path("tasks/<int:pk>/transfer/decision/", tasks.TaskTransferDecision.as_view(), name="task_transfer_decision"),
    path("tasks/<int:pk>/delegate/", tasks.TaskDelegate.as_view(), name="task_delegate"),
    path("tasks/<int:pk>/delegate/return/", tasks.TaskDelegationReturn.as_view(), name="task_delegation_return"),
    path("tasks/<int:pk>/opinions/", tasks.TaskOpinions.as_view(), name="task_opinions"),
    path("tasks/<int:pk>/opinion/", tasks.TaskOpinionAnswer.as_view(), name="task_opinion"),
    path("tasks/<int:pk>/opinion/withdraw/", tasks.TaskOpinionWithdraw.as_view(), name="task_opinion_withdraw"),
    path("versions/", versions.VersionDeploy.as_view(), name="versions"),
    path("processes/<slug:key>/versions/", migration.ProcessVersions.as_view(), name="process_versions"),
    path("processes/<slug:key>/diff/", migration.ProcessDiff.as_view(), name="process_diff"),
    path("processes/<slug:key>/migrations/dry-run/", migration.MigrationDryRun.as_view(), name="migrations_dry_run"),
    path("processes/<slug:key>/migrations/", migration.Migrations.as_view(), name="migrations"),
    path("processes/<slug:key>/migrations/back/", migration.MigrationBack.as_view(), name="migrations_back"),
]

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("v1/", include(v1)),
    re_path(r"^.*$", not_found),
]
