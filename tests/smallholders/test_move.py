"""Moving a family to another cooperative: one door (move_smallholder) with its history rows,
its checks by field, and the admin page that calls it, scoped like every admin page."""

import datetime as dt

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation
from simple_history.models import HistoricalRecords

from smallholders.models import CooperativeMembership, Smallholder
from smallholders.services import move_smallholder, register_smallholder
from smallholders.signals import field_data_written
from tests.base import PASSWORD, make_cooperative
from tests.pichanaki.matrix_checks import form_payload

pytestmark = pytest.mark.django_db

JOINED = dt.date(2020, 3, 1)
MOVED = dt.date(2024, 6, 15)


@pytest.fixture
def family(personas) -> Smallholder:
    return register_smallholder(
        project=personas.project_a,
        cooperative=personas.coop_a1,
        dni="45000001",
        first_name="Rosa",
        last_name="Huamán",
        joined_on=JOINED,
    )


@pytest.fixture
def coop_a2(personas):
    return make_cooperative("a2", personas.project_a, seed=5)


def _written() -> tuple:
    """Every membership and smallholder row and the size of their audit trails."""
    return (
        list(CooperativeMembership.objects.order_by("pk").values()),
        list(Smallholder.objects.order_by("pk").values("pk", "cooperative_id", "updated_at")),
        CooperativeMembership.history.count(),
        Smallholder.history.count(),
    )


def _memberships(family) -> list[tuple]:
    return list(
        family.memberships.order_by("joined_on").values_list(
            "cooperative_id", "joined_on", "left_on"
        )
    )


# The service -------------------------------------------------------------------------------


def test_a_move_closes_the_membership_opens_one_and_records_history(
    personas, family, coop_a2, django_capture_on_commit_callbacks
):
    told = []

    def listen(sender, project_id: int, **kwargs) -> None:
        told.append(project_id)

    field_data_written.connect(listen, dispatch_uid="test-move")
    HistoricalRecords.context.request = type("Request", (), {"user": personas.manager_a})()
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            move_smallholder(smallholder=family, cooperative=coop_a2, moved_on=MOVED)
            assert told == []  # not before the commit
    finally:
        del HistoricalRecords.context.request
        field_data_written.disconnect(dispatch_uid="test-move")
    assert told == [personas.project_a.pk]
    assert _memberships(family) == [
        (personas.coop_a1.pk, JOINED, MOVED),
        (coop_a2.pk, MOVED, None),
    ]
    family.refresh_from_db()
    assert family.cooperative_id == coop_a2.pk
    kinds = sorted(
        CooperativeMembership.history.filter(smallholder_id=family.pk).values_list(
            "history_type", "cooperative_id", "left_on"
        )
    )
    assert kinds == [
        ("+", personas.coop_a1.pk, None),  # registration
        ("+", coop_a2.pk, None),  # the new membership
        ("~", personas.coop_a1.pk, MOVED),  # the closed one
    ]
    latest = Smallholder.history.filter(id=family.pk).latest("history_id")
    assert (latest.history_type, latest.cooperative_id) == ("~", coop_a2.pk)
    assert latest.history_user_id == personas.manager_a.pk


@pytest.mark.parametrize(
    ("case", "field", "code"),
    [
        ("same", "cooperative", "same_cooperative"),
        ("other_project", "cooperative", None),
        ("before_joined", "moved_on", "before_joined"),
    ],
)
def test_a_wrong_move_is_refused_by_field_and_writes_nothing(
    personas, family, coop_a2, case, field, code
):
    cooperative = {"same": personas.coop_a1, "other_project": personas.coop_b1}.get(case, coop_a2)
    moved_on = JOINED - dt.timedelta(days=1) if case == "before_joined" else MOVED
    before = _written()
    with pytest.raises(ValidationError) as refused:
        move_smallholder(smallholder=family, cooperative=cooperative, moved_on=moved_on)
    assert set(refused.value.error_dict) == {field}
    if code:
        assert refused.value.error_dict[field][0].code == code
    assert _written() == before


def test_a_move_on_the_day_the_membership_began_is_allowed(personas, family, coop_a2):
    move_smallholder(smallholder=family, cooperative=coop_a2, moved_on=JOINED)
    assert _memberships(family) == [
        (personas.coop_a1.pk, JOINED, JOINED),
        (coop_a2.pk, JOINED, None),
    ]


# The admin page ----------------------------------------------------------------------------


def _client(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    assert client.login(username=username, password=PASSWORD)
    return client


def _url(family) -> str:
    return reverse("admin:smallholders_smallholder_move", args=[family.pk])


def test_a_manager_moves_a_family_and_is_told_in_spanish(personas, family, coop_a2):
    client = _client("manager_a")
    shown = client.get(_url(family))
    assert shown.status_code == 200
    offered = {c.pk for c in shown.context["form"].fields["cooperative"].queryset}
    assert offered == {personas.coop_a1.pk, coop_a2.pk}  # the project's, not b1
    response = client.post(
        _url(family), {"cooperative": coop_a2.pk, "moved_on": "15/06/2024"}, follow=True
    )
    change = reverse("admin:smallholders_smallholder_change", args=[family.pk])
    assert response.redirect_chain == [(change, 302)]
    assert "fue trasladada a Cooperativa a2 desde el 15/06/2024" in response.text
    assert _memberships(family)[-1] == (coop_a2.pk, MOVED, None)
    latest = Smallholder.history.filter(id=family.pk).latest("history_id")
    assert latest.history_user_id == personas.manager_a.pk
    logged = LogEntry.objects.get(object_id=str(family.pk))
    assert (logged.user_id, logged.action_flag) == (personas.manager_a.pk, CHANGE)
    with translation.override("es"):
        assert logged.get_change_message() == "Modificado cooperativa."
    with translation.override("en"):
        assert logged.get_change_message() == "Changed cooperative."


@pytest.mark.parametrize(
    ("case", "field"),
    [("same", "cooperative"), ("other_project", "cooperative"), ("before_joined", "moved_on")],
)
def test_the_page_shows_a_refused_move_on_its_field(personas, family, coop_a2, case, field):
    cooperative = {"same": personas.coop_a1, "other_project": personas.coop_b1}.get(case, coop_a2)
    moved_on = "29/02/2020" if case == "before_joined" else "15/06/2024"
    before = _written()
    response = _client("manager_a").post(
        _url(family), {"cooperative": cooperative.pk, "moved_on": moved_on}
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert _written() == before


def test_the_page_is_not_found_out_of_scope_and_forbidden_to_readers(personas, family, coop_a2):
    before = _written()
    data = {"cooperative": coop_a2.pk, "moved_on": "15/06/2024"}
    for username, status in (("staff_b1", 404), ("verifier", 403)):
        client = _client(username)
        assert client.get(_url(family)).status_code == status, username
        assert client.post(_url(family), data).status_code == status, username
    assert _written() == before


def test_the_change_page_links_the_move_only_where_it_can_be_made(personas, family, request):
    change = reverse("admin:smallholders_smallholder_change", args=[family.pk])
    # The project has one cooperative: nowhere to move the family, no link.
    assert _url(family) not in _client("manager_a").get(change).text
    request.getfixturevalue("coop_a2")  # a second cooperative joins the project
    # The cooperative's staff see no other cooperative to move the family to: no link.
    assert _url(family) not in _client("staff_a1").get(change).text
    assert _url(family) in _client("manager_a").get(change).text
    assert _url(family) not in _client("verifier").get(change).text


def test_the_membership_inline_only_shows_the_history(personas, family, coop_a2):
    move_smallholder(smallholder=family, cooperative=coop_a2, moved_on=MOVED)
    change = reverse("admin:smallholders_smallholder_change", args=[family.pk])
    client = _client("manager_a")
    shown = client.get(change)
    (inline,) = [
        f for f in shown.context["inline_admin_formsets"] if f.opts.model is CooperativeMembership
    ]
    assert (inline.has_add_permission, inline.has_change_permission) == (False, False)
    assert inline.has_delete_permission is False
    assert "Cooperativa a2</a>" in shown.text and "<p>15 de junio de 2024</p>" in shown.text
    assert 'name="memberships-0-cooperative"' not in shown.text
    # A forged post of the inline changes nothing.
    before = _written()[0]
    forged = {
        "memberships-TOTAL_FORMS": "3",
        "memberships-INITIAL_FORMS": "2",
        "memberships-0-id": str(family.memberships.order_by("joined_on")[0].pk),
        "memberships-0-cooperative": str(personas.coop_b1.pk),
        "memberships-0-left_on": "",
        "memberships-0-DELETE": "on",
        "memberships-2-cooperative": str(personas.coop_b1.pk),
        "memberships-2-joined_on": "01/01/2025",
    }
    client.post(change, {**form_payload(shown), **forged})
    assert _written()[0] == before
