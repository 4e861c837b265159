"""`manage.py ensure_demo_users`: the demo logins, printed in Spanish and English."""

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from demo import services
from demo.exceptions import DemoError, DemoNotLoaded
from demo.logins import DemoLogin
from pichanaki.commands import TranslatedHelpCommand
from smallholders.choices import Role

# Printed as it is typed in the project folder (the key is stored only as a hash).
NEW_KEY_COMMAND = ".venv/bin/python manage.py ensure_demo_users --new-api-key"


class Command(TranslatedHelpCommand):
    help = gettext_lazy(  # type: ignore[assignment]  # lazy: translated when printed
        "Create, if missing, the demo logins (manager “gestor”, one cooperative staff login per "
        "cooperative, a verifier) and the demo buyer's API key, and print them (the key only "
        "when it is created). Password: $DEMO_PASSWORD or “pichanaki-demo”."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help=_("set the demo password again on logins that already exist"),
        )
        parser.add_argument(
            "--new-api-key",
            action="store_true",
            help=_("revoke the demo buyer's API key and print a new one"),
        )
        parser.add_argument("--force", action="store_true", help=_("run even in production mode"))

    def handle(self, *args: object, **options: Any) -> None:  # argparse values
        password = services.demo_password()
        try:
            services.refuse_in_production(force=options["force"])
            logins = services.ensure_demo_users(
                password=password, reset_passwords=options["reset_passwords"]
            )
            key = services.ensure_demo_buyer_key(renew=options["new_api_key"])
        except DemoNotLoaded as exc:
            # Not an error: `make run` calls this after `seed_demo --if-empty`, which loads
            # nothing into a database that already holds other projects.
            self.stderr.write(self.style.WARNING(str(exc)))
            return
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        url = settings.PUBLIC_BASE_URL + reverse("admin:login")
        for language in ("es", "en"):
            with translation.override(language):
                self.stdout.write(self._report(url, logins, password))
                self.stdout.write(self._key_report(key))
        headings = []
        for language in ("es", "en"):
            with translation.override(language):
                headings.append(_("Try the buyer API with curl:"))
        self.stdout.write(" / ".join(headings))
        self.stdout.write(curl_examples(key.raw or "<pch_…>"))

    def _report(self, url: str, logins: list[DemoLogin], password: str) -> str:
        lines = [self.style.SUCCESS(_("Demo logins: sign in at %(url)s") % {"url": url})]
        for login in logins:
            shown = password if login.created else _("unchanged (use --reset-passwords)")
            lines.append(
                _("  user %(username)s, password %(password)s: %(role)s, %(scope)s")
                % {
                    "username": login.username,
                    "password": shown,
                    "role": Role(login.role).label,
                    "scope": login.scope,
                }
            )
        return "\n".join(lines) + "\n"

    def _key_report(self, key: services.DemoKey) -> str:
        if key.raw is None:
            return (
                _(
                    "Demo buyer API key (%(organisation)s): %(prefix)s…, shown only when it was "
                    "created. To get a new one (the old one stops working), run: %(command)s"
                )
                % {
                    "organisation": key.organisation,
                    "prefix": key.prefix,
                    "command": NEW_KEY_COMMAND,
                }
                + "\n"
            )
        lines = [
            _("Demo buyer API key (%(organisation)s), shown only now:")
            % {"organisation": key.organisation},
            f"  {key.raw}",
            _(
                "  Reservations are confirmed by the manager (user gestor) in the admin, under "
                "the credit registry operations."
            ),
        ]
        return "\n".join(lines) + "\n"


def curl_examples(raw_key: str) -> str:
    """Commands to try the buyer API against the demo (availability, reserve, hold, retire)."""
    api = settings.PUBLIC_BASE_URL + "/api/v1"
    auth = f"-H 'Authorization: Api-Key {raw_key}'"
    json = "-H 'Content-Type: application/json'"
    reserve = '{"project": "pch", "vintage": 2030, "unit_type": "PER", "quantity": 100}'
    retire = (
        '{"project": "pch", "vintage": 2018, "quantity": 10, '
        '"beneficiary": "Café Solidario S.A.C.", "purpose": "Compensación / offset"}'
    )
    return (
        "\n".join(
            [
                f"  curl -s '{api}/availability/?project=pch'",
                f"  curl -s -X POST {api}/reservations/ {auth} {json} -d '{reserve}'",
                f"  curl -s {api}/holdings/ {auth}",
                f"  curl -s -X POST {api}/retirements/ {auth} {json} -d '{retire}'",
            ]
        )
        + "\n"
    )
