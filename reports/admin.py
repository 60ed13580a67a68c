"""The KPI tree in the admin: each level lists and edits its children inline."""

from django.contrib import admin

from .models import KpiCategory, KpiDomain, KpiGroup, KpiIndicator

NODE_FIELDS = ["name", "name_en", "weight", "position"]


class CategoryInline(admin.TabularInline):
    model = KpiCategory
    fields = NODE_FIELDS
    extra = 0
    show_change_link = True


class GroupInline(admin.TabularInline):
    model = KpiGroup
    fields = NODE_FIELDS
    extra = 0
    show_change_link = True


class IndicatorInline(admin.TabularInline):
    model = KpiIndicator
    fields = [*NODE_FIELDS, "figure", "direction", "target"]
    extra = 1
    show_change_link = True


@admin.register(KpiDomain)
class KpiDomainAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "weight", "position"]
    list_editable = ["weight", "position"]
    inlines = [CategoryInline]


@admin.register(KpiCategory)
class KpiCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "domain", "weight", "position"]
    list_filter = ["domain"]
    inlines = [GroupInline]


@admin.register(KpiGroup)
class KpiGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "category", "weight", "position"]
    list_filter = ["category__domain"]
    inlines = [IndicatorInline]


@admin.register(KpiIndicator)
class KpiIndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "group", "figure", "direction", "target", "weight"]
    list_editable = ["target", "weight"]
    list_filter = ["group__category__domain", "figure"]
    fields = ["group", *NODE_FIELDS, "figure", "direction", "target", "description"]
