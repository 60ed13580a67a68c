"""``{% prediction_beside version figures %}``: the report page's prediction-beside-reality card."""

from django import template

from ..predictions import side_by_side

register = template.Library()


@register.inclusion_tag("reports/prediction.html")
def prediction_beside(version, figures=None):
    return {"version": version, "comparison": side_by_side(version, figures)}
