"""Personas and builders shared by the tests. Data is built through models and services."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.contrib.gis.geos import MultiPolygon, Polygon

from smallholders.choices import Role, Standard
from smallholders.models import Cooperative, Profile, Project, ProjectCooperative
from smallholders.validators import ruc_check_digit

PASSWORD = "correct-horse-battery-staple"

# Around Pichanaki (Junín): lon -74.9, lat -10.9.
PROJECT_AREA = MultiPolygon(Polygon.from_bbox((-75.10, -11.10, -74.60, -10.70)), srid=4326)


def make_ruc(seed: int) -> str:
    first_ten = f"20{seed:08d}"
    return first_ten + str(ruc_check_digit(first_ten))


def make_project(code: str, **fields: object) -> Project:
    defaults = {
        "name": f"Proyecto {code}",
        "standard": Standard.GOLD_STANDARD,
        "methodology": "CarbonFix v3.2 / AR-AMS0007",
        "crediting_start": dt.date(2010, 1, 1),
        "crediting_end": dt.date(2039, 12, 31),
        "area": PROJECT_AREA,
    }
    return Project.objects.create(code=code, **{**defaults, **fields})


def make_cooperative(code: str, *projects: Project, seed: int = 1) -> Cooperative:
    cooperative = Cooperative.objects.create(
        code=code, name=f"Cooperativa {code}", ruc=make_ruc(seed), region="Junín"
    )
    for project in projects:
        ProjectCooperative.objects.create(
            project=project, cooperative=cooperative, joined_on=dt.date(2010, 1, 1)
        )
    return cooperative


def make_user(
    username: str,
    role: str | None,
    *,
    cooperative: Cooperative | None = None,
    projects: tuple[Project, ...] = (),
    superuser: bool = False,
) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, is_staff=role != Role.BUYER, is_superuser=superuser
    )
    if role is not None:
        profile = Profile.objects.create(user=user, role=role, cooperative=cooperative)
        profile.projects.set(projects)
    return user


@dataclass
class Personas:
    """Two projects; cooperative A1 in project A, B1 in project B. One person per role."""

    project_a: Project
    project_b: Project
    coop_a1: Cooperative
    coop_b1: Cooperative
    superuser: User
    manager_a: User
    staff_a1: User
    staff_b1: User
    verifier: User
    buyer: User
    nobody: User


def build_personas() -> Personas:
    project_a = make_project("pa")
    project_b = make_project("pb")
    coop_a1 = make_cooperative("a1", project_a, seed=1)
    coop_b1 = make_cooperative("b1", project_b, seed=2)
    return Personas(
        project_a=project_a,
        project_b=project_b,
        coop_a1=coop_a1,
        coop_b1=coop_b1,
        superuser=make_user("root", None, superuser=True),
        manager_a=make_user("manager_a", Role.MANAGER, projects=(project_a,)),
        staff_a1=make_user("staff_a1", Role.STAFF, cooperative=coop_a1),
        staff_b1=make_user("staff_b1", Role.STAFF, cooperative=coop_b1),
        verifier=make_user("verifier", Role.VERIFIER),
        buyer=make_user("buyer", Role.BUYER),
        nobody=make_user("nobody", None),
    )
