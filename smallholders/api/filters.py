import django_filters

from pichanaki.api import IdsFilter
from smallholders.models import Cooperative, Project


class CooperativeFilter(django_filters.FilterSet):
    projects = IdsFilter(queryset=Project.objects.all())

    class Meta:
        model = Cooperative
        fields = ["region", "projects"]
