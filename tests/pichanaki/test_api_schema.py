"""Schemathesis against our own OpenAPI schema (`/api/schema/`), as buyer, staff and manager.

Every operation of the schema gets its explicit examples, the coverage phase's boundary and
negative cases and a bounded, derandomized fuzzing run, sent to the WSGI app inside the test's
transaction (demo data at scale 0.1). The cases take turns among the personas: the demo buyer's
key, a cooperative staff key, the manager's key and the verifier's session. The checks: no 5xx,
every status code and content type is one documented for the operation, negative data is
refused, and methods the schema does not list answer 405. The run's figures are printed.
"""

import time
from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from schemathesis.config import SchemathesisConfig

from credits.api.keys import create_api_key
from credits.models import BuyerOrganisation
from demo.logins import MANAGER, VERIFIER, ensure_login
from smallholders.choices import Role
from smallholders.models import Cooperative

SEED = 20261203
MAX_EXAMPLES = 6  # fuzzing cases per read, on top of its examples and coverage cases
MAX_WRITE_EXAMPLES = 12  # fuzzing cases per write (their coverage phase is thousands of cases)
CHECKS = {
    "not_a_server_error": {"enabled": True},
    "status_code_conformance": {"enabled": True},
    "content_type_conformance": {"enabled": True},
    "negative_data_rejection": {"enabled": True},
    "unsupported_method": {"enabled": True},
}
CONFIG = {
    "seed": SEED,
    "generation": {
        "mode": "all",
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,
        "database": "none",
        "no-shrink": True,
    },
    "phases": {
        "examples": {"enabled": True},
        "coverage": {"enabled": True},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": False},
    },
    "operations": [
        {
            "include-method-regex": "POST|PUT|PATCH|DELETE",
            "phases": {"coverage": {"enabled": False}},
            "generation": {"max-examples": MAX_WRITE_EXAMPLES},
        }
    ],
    "checks": {"enabled": False, **CHECKS},
    "suppress-health-check": ["all"],
}
STATS: Counter = Counter()


@pytest.fixture
def personas(db) -> dict[str, dict[str, str]]:
    """The demo (scale 0.1) and the Authorization header of each persona."""
    call_command("seed_demo", scale=0.1, verbosity=0)
    manager, _login = ensure_login(username=MANAGER, role=Role.MANAGER, password=None)
    cooperative = Cooperative.objects.order_by("pk").first()
    staff, _login = ensure_login(
        username="tecnico-schema", role=Role.STAFF, password=None, cooperative=cooperative
    )
    organisation = BuyerOrganisation.objects.order_by("pk").first()
    keys = {
        "buyer": create_api_key(name="schema buyer", organisation=organisation)[1],
        "staff": create_api_key(name="schema staff", user=staff)[1],
        "manager": create_api_key(name="schema manager", user=manager)[1],
    }
    headers = {name: {"Authorization": f"Api-Key {key}"} for name, key in keys.items()}
    verifier, _login = ensure_login(username=VERIFIER, role=Role.VERIFIER, password=None)
    browser = Client()
    browser.force_login(verifier)
    return {**headers, "verifier": {"Cookie": f"sessionid={browser.cookies['sessionid'].value}"}}


@pytest.fixture
def wsgi_app() -> Iterator[object]:
    """Django's WSGI app sharing the test's connection: like Django's test client, requests
    must not close the connection that holds the test transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(request: pytest.FixtureRequest, wsgi_app, personas):
    # schemathesis 4.32 renames the test node per operation through `_nodeid`, which pytest 9
    # no longer has: give it one (reporting only).
    request.node._nodeid = request.node.nodeid
    config = SchemathesisConfig.from_dict(CONFIG)
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app, config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Iterator[Counter]:
    STATS.clear()
    started = time.perf_counter()
    yield STATS
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    statuses = ", ".join(
        f"{key}: {STATS[key]}"
        for key in sorted(STATS)
        if key.endswith("xx") or key.startswith("phase")
    )
    with capture.global_and_fixture_disabled():
        print(
            f"\nschemathesis: {STATS['operations']} operations, {STATS['cases']} cases"
            f" ({statuses}), {time.perf_counter() - started:.0f} s"
        )


@schema.parametrize()
def test_api_answers_as_its_schema_says(case, personas, figures) -> None:
    names = sorted(personas)
    name = names[figures["cases"] % len(names)]
    figures["cases"] += 1
    if case.operation.label not in figures:
        figures[case.operation.label] = 1
        figures["operations"] += 1
    response = case.call(headers=personas[name])
    figures[f"{response.status_code // 100}xx"] += 1
    figures[f"phase {case.meta.phase.name}"] += 1
    try:
        case.validate_response(response, headers=personas[name])
    except Exception as exc:
        exc.add_note(f"persona: {name}")
        raise
