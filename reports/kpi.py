"""Evaluating the KPI tree against a report's figures.

Each indicator is met or missed (or has no data: no cases, no limits). A group's score is the
weighted share of its indicators that are met, among those with data; a category's and a
domain's are the weighted means of their children's scores; the tree's is the domains' mean.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from .models import KpiCategory, KpiDomain, KpiGroup, KpiIndicator
from .registry import FIGURES


@dataclass
class Result:
    node: object
    level: str  # domain, category, group, indicator
    score: float | None = None  # 0..1
    children: list[Result] = field(default_factory=list)
    value: float | None = None  # indicators only
    met: bool | None = None

    @property
    def figure(self):
        return FIGURES.get(getattr(self.node, "figure", ""))

    @property
    def value_text(self) -> str:
        return self.figure.format(self.value) if self.figure else "–"

    @property
    def target_text(self) -> str:
        return self.figure.format(self.node.target) if self.figure else str(self.node.target)


def weighted(results: list[Result]) -> float | None:
    scored = [(r.node.weight, r.score) for r in results if r.score is not None and r.node.weight > 0]
    total = sum(weight for weight, _ in scored)
    return sum(weight * score for weight, score in scored) / total if total else None


def load_tree() -> list[KpiDomain]:
    """The whole tree in four queries, in order."""
    indicators = Prefetch("indicators", queryset=KpiIndicator.objects.order_by("position", "id"))
    groups = Prefetch("groups", queryset=KpiGroup.objects.order_by("position", "id").prefetch_related(indicators))
    categories = Prefetch(
        "categories", queryset=KpiCategory.objects.order_by("position", "id").prefetch_related(groups)
    )
    return list(KpiDomain.objects.order_by("position", "id").prefetch_related(categories))


def evaluate(figures: dict, tree: list[KpiDomain] | None = None) -> Result:
    """The tree's results for one set of figures (reports.figures), root first."""
    domains = []
    for domain in load_tree() if tree is None else tree:
        categories = []
        for category in domain.categories.all():
            groups = []
            for group in category.groups.all():
                indicators = []
                for indicator in group.indicators.all():
                    value = figures.get(indicator.figure)
                    met = indicator.met_by(value)
                    score = None if met is None else float(met)
                    indicators.append(Result(indicator, "indicator", score=score, value=value, met=met))
                groups.append(Result(group, "group", weighted(indicators), indicators))
            categories.append(Result(category, "category", weighted(groups), groups))
        domains.append(Result(domain, "domain", weighted(categories), categories))
    root = Result(None, "tree", weighted(domains), domains)
    return root


def counts(root: Result) -> dict:
    """How many indicators are met, missed, or without data."""
    out = {"met": 0, "missed": 0, "no_data": 0}
    for domain in root.children:
        for category in domain.children:
            for group in category.children:
                for indicator in group.children:
                    out["no_data" if indicator.met is None else "met" if indicator.met else "missed"] += 1
    return out
