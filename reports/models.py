"""The KPI tree: a supervisor's indicators as data, not code.

测评域 (domain) → 测评类目 (category) → 测评组 (group) → 测评指标 (indicator). Each indicator
names a figure of the reengineering report (reports.registry), a target and which side of the
target is met. Administrators edit the tree in the admin; the KPI page evaluates it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from processes.names import in_language

from . import registry


class Node(models.Model):
    name = models.CharField(pgettext_lazy("KPI", "name"), max_length=100)
    name_en = models.CharField(pgettext_lazy("KPI", "English name"), max_length=100, blank=True)
    weight = models.FloatField(pgettext_lazy("KPI", "weight"), default=1.0, help_text=_("weight among its siblings"))
    position = models.PositiveIntegerField(pgettext_lazy("KPI", "position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self):
        return in_language(self.name, self.name_en)


class KpiDomain(Node):
    class Meta(Node.Meta):
        verbose_name = _("KPI domain")
        verbose_name_plural = _("KPI domains")


class KpiCategory(Node):
    domain = models.ForeignKey(KpiDomain, on_delete=models.CASCADE, related_name="categories")

    class Meta(Node.Meta):
        verbose_name = _("KPI category")
        verbose_name_plural = _("KPI categories")


class KpiGroup(Node):
    category = models.ForeignKey(KpiCategory, on_delete=models.CASCADE, related_name="groups")

    class Meta(Node.Meta):
        verbose_name = _("KPI group")
        verbose_name_plural = _("KPI groups")


class KpiIndicator(Node):
    class Direction(models.TextChoices):
        AT_MOST = "at_most", _("at most")
        AT_LEAST = "at_least", _("at least")

    group = models.ForeignKey(KpiGroup, on_delete=models.CASCADE, related_name="indicators")
    figure = models.CharField(pgettext_lazy("KPI", "figure"), max_length=64, choices=registry.choices())
    direction = models.CharField(_("met when the value is"), max_length=8, choices=Direction.choices)
    target = models.FloatField(
        pgettext_lazy("KPI", "target"), help_text=_("in the figure's unit; shares as 0–1 (0.9 = 90%)")
    )
    description = models.TextField(pgettext_lazy("KPI", "description"), blank=True)

    class Meta(Node.Meta):
        verbose_name = _("KPI indicator")
        verbose_name_plural = _("KPI indicators")

    def met_by(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value <= self.target if self.direction == self.Direction.AT_MOST else value >= self.target
