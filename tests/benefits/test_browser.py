"""The public benefit pages in a real browser: Spanish by default, no sideways scroll at
390 px and 1280 px, and no personal data."""

import pytest

from benefits import services
from benefits.statements import issue_statement
from credits.models import ProjectRegistry


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_transparency_and_statement_pages_fit_phone_and_desktop(live_server, page, sold):
    p = sold.ledger.personas
    d = services.create_distribution(project=sold.project, actor=p.manager_a)
    services.approve_distribution(distribution_id=d.pk, actor=p.verifier)
    ProjectRegistry.objects.get_or_create(project=sold.project, defaults={"number": 1})
    holder = sold.ledger.parcels[1].smallholder
    statement, _facts = issue_statement(smallholder=holder, project=sold.project, period=None)
    urls = [
        f"{live_server.url}/registry/projects/{sold.project.code}/benefits/",
        f"{live_server.url}/registry/statements/{statement.code}/",
    ]
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        for url in urls:
            page.goto(url)
            text = page.locator("main").inner_text()
            assert "A dónde fue el dinero" in text or "Verificación del estado de cuenta" in text
            assert holder.dni not in page.content() and holder.last_name not in text
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, (url, width, overflow)
