"""``{{ item.name|one_language }}``, ``{{ department.name|one_language:department.name_en }}``:
a name in the reader's language (processes.names)."""

from django import template

from processes.names import in_language

register = template.Library()


@register.filter
def one_language(label, name_en=""):
    return in_language(str(label or ""), str(name_en or ""))
