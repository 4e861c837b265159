"""The public benefit pages in a real browser: Spanish by default, no sideways scroll at
390 px and 1280 px, and no personal data."""

import pytest

from benefits import services
from benefits.statements import issue_statement
from credits.models import ProjectRegistry
from tests.credits.public.test_browser import check_kept_head_in_browser


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


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_outsider_checks_a_kept_payment_head(live_server, page, sold):
    p = sold.ledger.personas
    d = services.create_distribution(project=sold.project, actor=p.manager_a)
    services.approve_distribution(distribution_id=d.pk, actor=p.verifier)
    ProjectRegistry.objects.get_or_create(project=sold.project, defaults={"number": 1})
    url = f"{live_server.url}/registry/projects/{sold.project.code}/benefits/"
    check_kept_head_in_browser(page, url, "payment-ledger-head")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_large_distribution_shows_its_bar_at_390_px_then_the_distribution(
    live_server, page, sold, settings, celery_worker_on_redis
):
    from benefits.models import Distribution
    from tests.base import PASSWORD

    settings.DISTRIBUTION_ASYNC_FAMILIES = 0
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/admin/login/?next=/admin/benefits/distribution/new/")
    page.fill("#id_username", sold.ledger.personas.manager_a.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.select_option("#id_project", str(sold.project.pk))
    page.click("input[type=submit]")
    page.wait_for_url("**/distribution/jobs/*/")
    assert page.locator("#job-progress").is_visible()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, overflow
    page.wait_for_url("**/distribution/*/change/", timeout=60_000)  # the job ended: its preview
    assert page.url.endswith(f"/distribution/{Distribution.objects.get().pk}/change/")
