from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from processes.names import in_language

from .models import (
    Escalation,
    EscalationState,
    EscalationStep,
    Notification,
    NotificationPreference,
)

# Escalation and notifications ------------------------------------------------------------------


@admin.register(EscalationStep)
class EscalationStepAdmin(admin.ModelAdmin):
    list_display = ["chain", "level", "who", "after_working_hours", "named_users"]
    list_filter = ["who", ("department", admin.EmptyFieldListFilter)]
    ordering = ["department_id", "level"]
    filter_horizontal = ["users"]
    fields = ["department", "level", "who", "users", "after_working_hours"]

    @admin.display(description=_("escalation chain"), ordering="department_id")
    def chain(self, obj):
        if obj.department is None:
            return pgettext("escalation chain", "default")
        return in_language(obj.department.name, obj.department.name_en)

    @admin.display(description=_("named users"))
    def named_users(self, obj):
        return ", ".join(u.get_username() for u in obj.users.all()) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("department").prefetch_related("users")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the sweep only; the admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ["reached_at", "case", "work_item", "level", "who", "overdue_working_hours", "due_at"]
    list_filter = ["level", "who"]
    search_fields = ["case__number", "work_item__name"]
    date_hierarchy = "reached_at"
    list_select_related = ["case", "work_item"]
    filter_horizontal = ["recipients"]


@admin.register(EscalationState)
class EscalationStateAdmin(ReadOnlyAdmin):
    list_display = ["work_item", "level", "next_level", "next_at", "due_at", "last_error"]
    list_filter = ["level"]
    list_select_related = ["work_item"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "channels_sent", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "recipient__username"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]

    @admin.display(description=_("channels sent"))
    def channels_sent(self, obj):
        return obj.channels_text()


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "phone", "email_enabled", "sms_enabled"]
    search_fields = ["user__username", "phone"]
    list_select_related = ["user"]
