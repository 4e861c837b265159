"""`{% probed_date_hierarchy cl %}`: Django's date drill-down, its queries by `admin_dates`."""

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy

from pichanaki.admin_dates import ProbedDatesList

register = template.Library()


@register.inclusion_tag("admin/date_hierarchy.html")
def probed_date_hierarchy(changelist: object) -> dict | None:
    return date_hierarchy(ProbedDatesList(changelist))
