"""No page costs more than its page of rows: the queries of every admin list, change and add
page and every public page, for every persona, do not grow when the project grows (demo at
two scales, about three times more smallholders, parcels, plantings and plots)."""

import importlib

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.pichanaki.walker import DEMO_PERSONAS, persona, seed_site, site_pages

pytestmark = pytest.mark.django_db(transaction=True)

SMALL, LARGE = 0.1, 0.25
_GUARDS = importlib.import_module("parcels.migrations.0004_calculations")


def _queries() -> dict[str, int]:
    counts = {}
    for username in (*DEMO_PERSONAS, "anonymous"):
        user = persona(username)
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
        if not user.is_anonymous:
            client.force_login(user)
        for page in site_pages(user):
            cache.clear()  # the registry caches project facts; count a cold page
            # and the content types (the flush between the scales empties that cache, so a
            # page's count would otherwise depend on which tests ran before in this process)
            ContentType.objects.clear_cache()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(page.url)
            assert response.status_code == 200, (username, page.url, response.status_code)
            counts[f"{username}: {page.key}"] = len(queries)
    return counts


def _empty_the_database() -> None:
    """Flush between the two scales (SQLite: without the approved-run guards meanwhile)."""
    with connection.cursor() as cursor:
        if not settings.POSTGRES:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'parcels_%'"
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER "{name}"')
    call_command("flush", interactive=False, verbosity=0)
    if not settings.POSTGRES:
        with connection.cursor() as cursor:
            for statement in _GUARDS._sqlite_statements():
                cursor.execute(statement)


def test_page_queries_do_not_grow_with_the_project() -> None:
    seed_site(SMALL)
    small = _queries()
    _empty_the_database()
    seed_site(LARGE)
    large = _queries()
    grown = {
        key: f"{small[key]} → {large[key]} queries"
        for key in small.keys() & large.keys()
        if large[key] > small[key]
    }
    assert len(small.keys() & large.keys()) > 100  # the walk saw the pages
    assert not grown, "\n".join(f"{key}: {change}" for key, change in sorted(grown.items()))
