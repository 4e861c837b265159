"""The admin of benefit sharing, per persona: who sees which lines, who approves, printing."""

import pytest
from django.test import Client

from benefits import services
from benefits.models import Distribution
from smallholders.choices import Role
from tests.base import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def preview(sold):
    return services.create_distribution(project=sold.project, actor=sold.ledger.personas.manager_a)


def test_lines_are_scoped_per_persona(preview, sold):
    p = sold.ledger.personas
    url = "/admin/benefits/distributionline/"
    dni = sold.ledger.parcels[0].smallholder.dni
    for user, sees in ((p.staff_a1, True), (p.manager_a, True), (p.verifier, True),
                       (p.staff_b1, False)):  # fmt: skip
        page = client_for(user).get(url)
        assert page.status_code == 200
        assert (dni in page.content.decode() or str(sold.ledger.parcels[0].smallholder) in
                page.content.decode()) is sees, user  # fmt: skip
    assert client_for(p.buyer).get(url).status_code in (302, 403)


def test_verifier_approves_from_the_admin_and_staff_prints_statements(preview, sold):
    p = sold.ledger.personas
    client_for(p.verifier).post(
        "/admin/benefits/distribution/", {"action": "approve", "_selected_action": [preview.pk]}
    )
    assert Distribution.objects.get().status == "approved"
    line = preview.lines.first()
    response = client_for(p.staff_a1).post(
        "/admin/benefits/distributionline/",
        {"action": "print_statements", "_selected_action": [line.pk]},
    )
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_a_policy_under_the_floor_is_refused_in_the_admin(sold):
    p = sold.ledger.personas
    page = client_for(p.manager_a).post(
        "/admin/benefits/sharingpolicy/add/",
        {"project": sold.project.pk, "basis": "gross", "costs": "[]", "producers_share": "0.5",
         "floor": "0.60", "cooperative_share": "0", "community_fund_share": "0",
         "split_method": "contribution", "mix": "{}", "survival_threshold": "0.7",
         "max_years_since_monitoring": 5, "trust_deadline_months": 24,
         "after_deadline": "return_to_pool", "advance_recovery_rate": "0.5",
         "clawback": "never"},
    )  # fmt: skip
    assert page.status_code == 200 and "50.00%" in page.content.decode()


def test_a_verifier_keeps_the_approval_but_no_other_write_action(preview, sold):
    p = sold.ledger.personas
    actions = admin_actions(client_for(p.verifier), "/admin/benefits/distribution/")
    assert "approve" in actions and not actions & {"export_csv", "export_xlsx"}, actions
    manager = admin_actions(client_for(p.manager_a), "/admin/benefits/distribution/")
    assert {"approve", "export_csv"} <= manager


def admin_actions(client: Client, url: str) -> set[str]:
    form = client.get(url).context["action_form"]  # None when the page offers no action
    return {value for value, _ in form.fields["action"].choices} if form else set()


def test_a_distribution_page_shows_totals_and_only_the_largest_lines(preview, sold, monkeypatch):
    from benefits import admin as benefits_admin

    monkeypatch.setattr(benefits_admin, "LARGEST_LINES", 1)
    p = sold.ledger.personas
    families = preview.lines.count()
    assert families > 1
    html = client_for(p.manager_a).get(f"/admin/benefits/distribution/{preview.pk}/change/")
    html = html.content.decode()
    largest = html.split('id="largest-lines"')[1].split("</table>")[0]
    assert largest.count("<tr>") == 1 + 1  # header and the largest line
    top = preview.lines.order_by("-share", "pk").first()
    assert str(top.smallholder) in largest
    totals = html.split('id="lines-by-cooperative"')[1].split("</table>")[0]
    assert p.coop_a1.name in totals
    assert f"paga a {families} familias" in html
    every = f"/admin/benefits/distributionline/?distribution__id__exact={preview.pk}"
    assert every.replace("&", "&amp;") in html
    listed = client_for(p.manager_a).get(every)
    assert listed.status_code == 200 and listed.context["cl"].result_count == families
    manager_b = make_user("manager_b", Role.MANAGER, projects=(p.project_b,))
    other = client_for(manager_b).get(f"/admin/benefits/distribution/{preview.pk}/change/")
    assert other.status_code == 404


def _family(project, cooperative, dni: str):
    from smallholders.models import Smallholder

    return Smallholder.objects.create(
        project=project, cooperative=cooperative, dni=dni, first_name="Rosa", last_name="Ccori"
    )


def test_an_advance_is_recorded_only_for_a_family_of_the_managers_projects(personas):
    """The advance form offered every project and took any family's id: a manager of project
    A recorded an advance in project B (recovered from B's families' payments)."""
    from benefits.models import Advance

    p = personas
    family_b = _family(p.project_b, p.coop_b1, "40555001")
    family_a = _family(p.project_a, p.coop_a1, "40555002")
    client = client_for(p.manager_a)
    fields = {"amount": "50.00", "paid_on": "2024-05-02", "reason": "Plantones"}
    for project, family in ((p.project_b, family_b), (p.project_a, family_b),
                            (p.project_b, family_a)):  # fmt: skip
        data = {**fields, "project": project.pk, "smallholder": family.pk}
        response = client.post("/admin/benefits/advance/add/", data)
        assert response.status_code == 200, (project, family)
        assert response.context["adminform"].form.errors
    assert not Advance.objects.exists()
    data = {**fields, "project": p.project_a.pk, "smallholder": family_a.pk}
    assert client.post("/admin/benefits/advance/add/", data).status_code == 302
    assert Advance.objects.get().smallholder == family_a


def test_a_grievance_on_a_line_outside_the_persons_scope_is_a_form_error(preview, sold):
    """The service refused it, but the form took any line's id and the admin then said "added"
    (about a grievance that does not exist), telling staff which line ids exist elsewhere."""
    from benefits.models import Grievance

    line = preview.lines.first()
    client = client_for(sold.ledger.personas.staff_b1)
    response = client.post("/admin/benefits/grievance/add/", {"line": line.pk, "description": "x"})
    assert response.status_code == 200
    assert "line" in response.context["adminform"].form.errors
    assert not Grievance.objects.exists()
