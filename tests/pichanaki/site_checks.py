"""The admin site's own URLs and /admin/import/, per persona (used by test_admin_matrix)."""

from django.apps import apps
from django.contrib import admin

from parcels.models import ImportJob
from smallholders.choices import Role
from tests.pichanaki import admin_urls as table
from tests.pichanaki.matrix_checks import LOGIN, Checker, content_type_path

APPS = ("auth", "smallholders", "parcels", "quantification", "credits", "benefits")


def check_site_url(checker: Checker, kind: str) -> None:
    {
        "index": _index,
        "login": _login,
        "own_session": _own_session,
        "autocomplete": _autocomplete,
        "shortcut": _shortcut,
        "app_index": _app_index,
        "catch_all": _catch_all,
    }[kind](checker)


def _signed_in(checker: Checker):
    return [p for p in checker.personas if not p.signed_out]


def _index(checker: Checker) -> None:
    for persona in checker.personas:
        if persona.signed_out:
            checker.expect(persona, "GET", "/admin/", LOGIN)
            continue
        response = checker.expect(persona, "GET", "/admin/", {200})
        apps_shown = response.context["app_list"]
        shown = {m["model"]._meta.label for app in apps_shown for m in app["models"]}
        readable = {label for label in table.POLICY if persona.reads(label)}
        wanted = table.STAFF_MENU if persona.role == Role.STAFF else readable
        if shown != wanted:
            checker.failures.append(f"{persona.name} /admin/ shows {sorted(shown ^ wanted)}")


def _login(checker: Checker) -> None:
    for persona in checker.personas:
        checker.expect(persona, "GET", "/admin/login/", {200, 302})


def _own_session(checker: Checker) -> None:
    """The person's own password page and the JavaScript catalogue (logout would end the
    session the other checks use; it acts on the caller only)."""
    for persona in checker.personas:
        for url in ("/admin/password_change/", "/admin/jsi18n/"):
            checker.expect(persona, "GET", url, LOGIN if persona.signed_out else {200})


def autocomplete_fields() -> list[tuple[str, str, str]]:
    """(app_label, model_name, field_name) of every autocomplete field of every admin."""
    found = []
    for model, model_admin in admin.site._registry.items():
        owners = [(model, model_admin)] + [(inline.model, inline) for inline in model_admin.inlines]
        for owner, owner_admin in owners:
            for name in owner_admin.autocomplete_fields:
                found.append((owner._meta.app_label, owner._meta.model_name, name))
    return found


def _autocomplete(checker: Checker) -> None:
    for app_label, model_name, field_name in autocomplete_fields():
        remote = apps.get_model(app_label, model_name)._meta.get_field(field_name).remote_field
        label = remote.model._meta.label
        url = (
            f"/admin/autocomplete/?app_label={app_label}&model_name={model_name}"
            f"&field_name={field_name}&term="
        )
        for persona in checker.personas:
            if persona.signed_out:
                checker.expect(persona, "GET", url, LOGIN)
                continue
            wanted = {200} if persona.reads(label) else {403}
            response = checker.expect(persona, "GET", url, wanted)
            if response.status_code != 200:
                continue
            ids = {int(r["id"]) for r in response.json()["results"]}
            leaked = ids & checker._outside(persona, label)
            if leaked:
                checker.failures.append(f"{persona.name} {url}: offers {leaked}")


def _shortcut(checker: Checker) -> None:
    for label, sides in checker.world.objects.items():
        for side, obj in sides.items():
            url = content_type_path(obj)
            for persona in _signed_in(checker):
                if not persona.in_scope(side) or not persona.reads(label):
                    checker.expect(persona, "GET", url, {403, 404})


def _app_index(checker: Checker) -> None:
    for app in APPS:
        url = f"/admin/{app}/"
        for persona in checker.personas:
            if persona.signed_out:
                checker.expect(persona, "GET", url, LOGIN)
                continue
            sees = any(
                persona.reads(label) and label.startswith(f"{app}.") for label in table.POLICY
            )
            checker.expect(persona, "GET", url, {200} if sees else {404})


def _catch_all(checker: Checker) -> None:
    for persona in checker.personas:
        wanted = LOGIN if persona.signed_out else {404}
        checker.expect(persona, "GET", "/admin/no-such-page/", wanted)


def check_import_url(checker: Checker, kind: str) -> None:
    jobs = checker.world.import_jobs
    for persona in checker.personas:
        for side, job in jobs.items():
            if persona.signed_out and side == "B":
                continue
            urls = {
                "import_index": ["/admin/import/"],
                "import_job": [f"/admin/import/{job.pk}/", f"/admin/import/{job.pk}/status.json"],
                "import_commit": [f"/admin/import/{job.pk}/commit/"],
                "import_template": ["/admin/import/template/smallholders-es.csv"],
            }[kind]
            for url in urls:
                _import_call(checker, persona, kind, url, side)


def _import_call(checker: Checker, persona, kind: str, url: str, side: str) -> None:
    if persona.signed_out:
        checker.expect(persona, "GET", url, LOGIN)
        checker.expect(persona, "POST", url, LOGIN, unchanged=ImportJob)
    elif kind == "import_template":  # a blank file with example rows: any admin user
        checker.expect(persona, "GET", url, {200})
    elif not persona.imports:
        checker.expect(persona, "GET", url, {403, 405} if kind == "import_commit" else {403})
        checker.expect(persona, "POST", url, {403}, unchanged=ImportJob)
    elif kind in ("import_job", "import_commit") and not persona.in_scope(side):
        checker.expect(persona, "GET", url, {404, 405})
        checker.expect(persona, "POST", url, {404}, unchanged=ImportJob)
    elif kind == "import_commit":
        checker.expect(persona, "GET", url, {405})
    else:
        checker.expect(persona, "GET", url, {200})


def offered_outside(world, response, outside: str, url: str) -> list[str]:
    """Relation fields of the page's forms (the admin form and its inlines) whose choices hold
    the world's object of the `outside` side. An inline row's hidden id is not a choice: Django
    finds the row among the parent's own rows (`_existing_object`), whatever id is posted."""
    from django.forms import ModelChoiceField, ModelMultipleChoiceField

    context = response.context
    forms = [context["adminform"].form] if "adminform" in context else []
    for inline in context.get("inline_admin_formsets") or []:
        forms += [inline.formset.empty_form, *inline.formset.forms]
    found = []
    for form in forms:
        for name, field in form.fields.items():
            if not isinstance(field, ModelChoiceField | ModelMultipleChoiceField):
                continue
            if form is not forms[0] and name == form._meta.model._meta.pk.name:
                continue
            other = world.objects.get(field.queryset.model._meta.label, {}).get(outside)
            if other is not None and field.queryset.filter(pk=other.pk).exists():
                found.append(f"{url}: {type(form).__name__}.{name} offers {other!r} ({outside})")
    return sorted(set(found))
