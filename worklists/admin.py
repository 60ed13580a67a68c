"""Administration of departments and staff; work items and materials are shown, never edited here
(they change only through the engine's actions and the intake)."""

from django.contrib import admin

from .models import Department, Material, StaffMember, WorkItem


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en"]
    search_fields = ["code", "name", "name_en"]


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "department"]
    list_filter = ["role", "department"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "department"]
    autocomplete_fields = ["user"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the write path only: the admin looks, it does not change them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkItem)
class WorkItemAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "case",
        "name",
        "department",
        "state",
        "assignee",
        "light",
        "due_at",
        "completed_at",
        "outcome",
    ]
    list_filter = ["state", "light", "department"]
    search_fields = ["case__number", "task_spec", "name"]
    list_select_related = ["case", "department", "assignee"]
    date_hierarchy = "opened_at"
    # Counting a table of a million rows on every admin page is what the worklist avoids too.
    show_full_result_count = False


@admin.register(Material)
class MaterialAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "original_name", "content_type", "size", "uploaded_at", "uploaded_by"]
    list_filter = ["content_type"]
    search_fields = ["case__number", "original_name", "sha256"]
    list_select_related = ["case", "uploaded_by"]
    exclude = ["storage_name"]  # where the file lies is nobody's business: downloads go through the case page
