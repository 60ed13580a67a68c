from django.contrib import admin

from .models import CreditRecord, Licence, LicenceKind


@admin.register(LicenceKind)
class LicenceKindAdmin(admin.ModelAdmin):
    """The kinds of licence processes may issue (``issues=<code>``): configuration. A licence keeps
    the name it was signed with when a kind is renamed; a kind that licences name cannot be deleted."""

    list_display = ["code", "name", "name_en", "department"]
    search_fields = ["code", "name", "name_en"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return obj is None or not Licence.objects.filter(kind=obj.code).exists()


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin):
    """Licences are signed by the engine; the admin only reads them (revocation is a process step)."""

    list_display = ["number", "kind", "enterprise_name", "enterprise_uscc", "issued_at", "status", "flagged_at"]
    list_filter = ["kind", "status"]
    search_fields = ["number", "enterprise_uscc", "enterprise_name"]
    readonly_fields = [f.name for f in Licence._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CreditRecord)
class CreditRecordAdmin(admin.ModelAdmin):
    list_display = ["enterprise_uscc", "enterprise_name", "kind", "department", "recorded_at", "licence"]
    list_filter = ["kind", "department"]
    search_fields = ["enterprise_uscc", "enterprise_name"]
    readonly_fields = [f.name for f in CreditRecord._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
