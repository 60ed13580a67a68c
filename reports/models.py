"""The KPI tree: a supervisor's indicators as data, not code.

测评域 (domain) → 测评类目 (category) → 测评组 (group) → 测评指标 (indicator). Each indicator
names a figure of the reengineering report (reports.registry), a target and which side of the
target is met. Administrators edit the tree in the admin; the KPI page evaluates it.
"""

from django.db import models

from . import registry


class Node(models.Model):
    name = models.CharField("名称 name", max_length=100)
    name_en = models.CharField("英文名 English name", max_length=100, blank=True)
    weight = models.FloatField("权重 weight", default=1.0, help_text="相对同级的权重 weight among its siblings")
    position = models.PositiveIntegerField("顺序 position", default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self):
        return f"{self.name} {self.name_en}".strip()


class KpiDomain(Node):
    class Meta(Node.Meta):
        verbose_name = verbose_name_plural = "测评域 KPI domain"


class KpiCategory(Node):
    domain = models.ForeignKey(KpiDomain, on_delete=models.CASCADE, related_name="categories")

    class Meta(Node.Meta):
        verbose_name = verbose_name_plural = "测评类目 KPI category"


class KpiGroup(Node):
    category = models.ForeignKey(KpiCategory, on_delete=models.CASCADE, related_name="groups")

    class Meta(Node.Meta):
        verbose_name = verbose_name_plural = "测评组 KPI group"


class KpiIndicator(Node):
    class Direction(models.TextChoices):
        AT_MOST = "at_most", "不高于 at most"
        AT_LEAST = "at_least", "不低于 at least"

    group = models.ForeignKey(KpiGroup, on_delete=models.CASCADE, related_name="indicators")
    figure = models.CharField("指标数据 figure", max_length=64, choices=registry.choices())
    direction = models.CharField("达标方向 met when the value is", max_length=8, choices=Direction.choices)
    target = models.FloatField(
        "目标值 target",
        help_text="按该数据的单位；占比写 0–1（0.9 即 90%） in the figure's unit; shares as 0–1 (0.9 = 90%)",
    )
    description = models.TextField("说明 description", blank=True)

    class Meta(Node.Meta):
        verbose_name = verbose_name_plural = "测评指标 KPI indicator"

    def met_by(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value <= self.target if self.direction == self.Direction.AT_MOST else value >= self.target
