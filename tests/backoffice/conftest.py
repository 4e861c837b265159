import io

import pytest
from django.core.management import call_command

from smallholders.models import Project

SCALE = 0.1  # 24 smallholders, ~80 ha: every kind of figure, fast


@pytest.fixture
def demo(db, django_db_blocker) -> Project:
    call_command("seed_demo", "--scale", str(SCALE), stdout=io.StringIO())
    call_command("ensure_demo_users", stdout=io.StringIO())
    return Project.objects.get(code="pch")
