"""`{% probed_date_hierarchy cl %}`: Django's date drill-down, its queries by `admin_dates`."""

from typing import cast

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.contrib.admin.views.main import ChangeList

from pichanaki.admin_dates import ProbedDatesList

register = template.Library()


@register.inclusion_tag("admin/date_hierarchy.html")
def probed_date_hierarchy(changelist: ChangeList) -> dict | None:
    # a stand-in: the changelist's own attributes, the queryset's dates by probes
    return date_hierarchy(cast(ChangeList, ProbedDatesList(changelist)))
