"""The dashboard shows the last scheduled check of each ledger to those who answer for the
ledger (the project's managers, verifiers, superusers), and a break as an alert at the top."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from credits.models import LedgerChainHead
from credits.tasks import check_ledgers_task
from tests.credits.conftest import ledger  # noqa: F401 (fixture)
from tests.credits.test_chain import _edit, _events, _history, superuser_bypass

pytestmark = pytest.mark.django_db


def _dashboard(user, language: str = "en") -> str:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    response = client.get(reverse("backoffice:dashboard", args=["pa"]))
    assert response.status_code == 200
    return response.content.decode()


def _row(html: str, key: str) -> str:
    found = re.search(rf'<tr data-ledger="{key}">(.*?)</tr>', html, re.S)
    assert found, key
    return found.group(1)


def test_the_manager_sees_the_last_check_of_each_ledger(ledger):  # noqa: F811
    personas = ledger.personas
    before = _dashboard(personas.manager_a)
    assert "Ledger checks" in before and "Not checked yet." in _row(before, "credits")
    _history(ledger)
    check_ledgers_task.apply()
    head = LedgerChainHead.objects.get(project_id=ledger.project_id)
    html = _dashboard(personas.manager_a)
    row = _row(html, "credits")
    assert f"<code>{head.head_hash}</code>" in row and ">Intact<" in row
    assert "Not checked yet." in _row(html, "payments")  # no payment chain: never checked
    assert 'role="alert"' not in html
    assert "Verificaciones de los registros" in _dashboard(personas.manager_a, "es")
    assert "Ledger checks" in _dashboard(personas.verifier)
    assert "Ledger checks" not in _dashboard(personas.staff_a1)


def test_a_break_is_an_alert_naming_the_event(ledger):  # noqa: F811
    _history(ledger)
    event = _events(ledger)[1]
    with superuser_bypass():
        _edit(event)
        check_ledgers_task.apply()
        html = _dashboard(ledger.personas.manager_a)
        spanish = _dashboard(ledger.personas.manager_a, "es")
    alert = re.search(
        r'<p class="ledger-alert" role="alert" data-ledger="credits">(.*?)</p>', html, re.S
    )
    assert alert, "no alert"
    assert "The credit ledger is broken" in alert.group(1)
    assert f"event #{event.pk} (position 2): its content does not match its hash" in alert.group(1)
    assert "<strong>Broken</strong>" in _row(html, "credits")
    assert "El registro de créditos está roto" in spanish
    assert f"movimiento #{event.pk} (posición 2)" in spanish
