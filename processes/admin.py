from django.contrib import admin

from .models import DecisionVersion, ProcessDefinition, ProcessVersion, ServiceItem


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "created_at"]


@admin.register(ProcessVersion)
class ProcessVersionAdmin(admin.ModelAdmin):
    list_display = ["definition", "number", "dialect", "filename", "deployed_at", "deployed_by"]
    list_filter = ["definition", "dialect"]
    # Deployed versions never change: deploy a new file instead.
    readonly_fields = [f.name for f in ProcessVersion._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "process",
        "promised_limit_working_days",
        "statutory_limit_working_days",
        "notify_commit_allowed",
    ]


@admin.register(DecisionVersion)
class DecisionVersionAdmin(admin.ModelAdmin):
    """DMN decisions are deployed with ``manage.py deploy FILE.dmn``, like processes; never edited here."""

    list_display = ["key", "number", "name", "filename", "deployed_at", "deployed_by"]
    list_filter = ["key"]
    readonly_fields = [f.name for f in DecisionVersion._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
