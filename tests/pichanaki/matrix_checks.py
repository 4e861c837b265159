"""The checks behind test_admin_matrix: one persona, one URL, one method, what it must answer."""

from dataclasses import dataclass, field

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.test import Client

from credits.models import LedgerEvent
from smallholders.choices import Role
from tests.pichanaki import admin_urls as table
from tests.pichanaki.admin_world import World

LOGIN = "login"


@dataclass(frozen=True)
class Persona:
    username: str | None
    role: str | None
    home: str | None  # the side (project A or B) a manager or technician works on
    superuser: bool = False

    @property
    def name(self) -> str:
        return self.username or "anonymous"

    @property
    def signed_out(self) -> bool:
        """Anonymous people and buyers (no staff flag) never get past the admin's login."""
        return self.username is None or self.role == Role.BUYER

    def reads(self, label: str) -> bool:
        return self.superuser or self.role in table.POLICY[label][0]

    def writes(self, label: str) -> bool:
        return self.superuser or self.role in table.POLICY[label][1]

    def in_scope(self, side: str) -> bool:
        return self.superuser or self.role == Role.VERIFIER or side in ("*", self.home)

    @property
    def imports(self) -> bool:
        return self.superuser or self.role in (Role.STAFF, Role.MANAGER)

    @property
    def operates(self) -> bool:
        return self.superuser or self.role == Role.MANAGER


def snapshot(model: type[Model]) -> tuple:
    """Every row of `model` and the size of its audit trail and of the ledger."""
    rows = list(model._base_manager.order_by("pk").values())
    history = getattr(model, "history", None)
    return rows, history.count() if history is not None else 0, LedgerEvent.objects.count()


def form_payload(response) -> dict:
    """The POST a browser would send back for the forms on `response` (as rendered)."""
    context = response.context
    forms = [context["adminform"].form] if "adminform" in context else []
    for inline in context.get("inline_admin_formsets") or []:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data: dict = {}
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            else:
                data[bound.html_name] = "on" if value is True else str(value)
    for name in ("notes", "name", "first_name"):  # change something a person can see
        if isinstance(data.get(name), str):
            data[name] += " (cambiado)"
            break
    return data


@dataclass
class Checker:
    world: World
    personas: list[Persona]
    clients: dict[str | None, Client]
    failures: list[str] = field(default_factory=list)

    def call(self, persona: Persona, method: str, url: str, data: dict | None = None):
        client = self.clients[persona.username]
        return client.get(url) if method == "GET" else client.post(url, data or {})

    def expect(self, persona, method, url, wanted, *, data=None, unchanged=None):
        """Request `url`; the status must be in `wanted` (or LOGIN); `unchanged`: a model
        whose rows (and the ledger) must not move."""
        before = snapshot(unchanged) if unchanged is not None else None
        response = self.call(persona, method, url, data)
        status = response.status_code
        if wanted == LOGIN:
            ok = status == 302 and "/admin/login/" in response.headers.get("Location", "")
        else:
            ok = status in wanted
        if not ok:
            self.failures.append(f"{persona.name} {method} {url}: {status}, wanted {wanted}")
        if before is not None and snapshot(unchanged) != before:
            self.failures.append(f"{persona.name} {method} {url}: WROTE ({status})")
        return response

    # ModelAdmin URLs ----------------------------------------------------------------------

    def check_model_url(self, label: str, model_admin: admin.ModelAdmin, kind: str) -> None:
        base = f"/admin/{model_admin.opts.app_label}/{model_admin.opts.model_name}/"
        if kind == "changelist":
            self._changelist(label, model_admin, base)
        elif kind == "add":
            self._add(label, model_admin.model, base + "add/")
        elif kind in ("operation", "superuser_page"):
            self._page(label, model_admin, base, kind)
        elif kind == "distribution_job":
            return  # no job in the world: checked per persona in tests/benefits/test_jobs.py
        else:
            for side, obj in self.world.objects[label].items():
                self._object_url(label, model_admin.model, kind, base, side, obj)

    def _personas(self, side: str = "A"):
        """Signed-out personas once (side A), everyone else on every side."""
        return [p for p in self.personas if not p.signed_out or side in ("A", "*")]

    def _changelist(self, label: str, model_admin, url: str) -> None:
        root = next(p for p in self.personas if p.superuser)
        listed = self.call(root, "GET", url)
        form = listed.context["action_form"]
        actions = [n for n, _t in form.fields["action"].choices if n] if form else []
        for persona in self._personas():
            if persona.signed_out:
                self.expect(persona, "GET", url, LOGIN)
                continue
            wanted = {200} if persona.reads(label) else {403}
            response = self.expect(persona, "GET", url, wanted)
            if response.status_code == 200:
                self._list_is_scoped(persona, url, response)
        for side, obj in self.world.objects[label].items():
            for persona in self._personas(side):
                for action in actions:
                    self._action(label, model_admin.model, url, persona, side, obj, action)

    def _list_is_scoped(self, persona: Persona, url: str, response) -> None:
        cl = response.context["cl"]
        shown = {obj.pk for obj in cl.result_list}
        hidden = self._outside(persona, cl.model._meta.label)
        if shown & hidden:
            self.failures.append(f"{persona.name} GET {url}: lists {shown & hidden}")
        for spec in cl.filter_specs:
            choices = getattr(spec, "lookup_choices", None)
            remote = getattr(getattr(spec, "field", None), "remote_field", None)
            if not choices or remote is None:
                continue
            offered = {pk for pk, _text in choices}
            leaked = offered & self._outside(persona, remote.model._meta.label)
            if leaked:
                self.failures.append(f"{persona.name} {url} filter {spec.title}: {leaked}")

    def _outside(self, persona: Persona, label: str) -> set:
        sides = self.world.objects.get(label, {})
        return {obj.pk for side, obj in sides.items() if not persona.in_scope(side)}

    def _action(self, label, model, url, persona, side, obj, action) -> None:
        data = {"action": action, "_selected_action": [obj.pk], "index": "0"}
        if persona.signed_out:
            self.expect(persona, "POST", url, LOGIN, data=data, unchanged=model)
            return
        allowed = persona.writes(label) and persona.in_scope(side)
        wanted = range(200, 500)
        response = self.expect(
            persona, "POST", url, wanted, data=data, unchanged=None if allowed else model
        )
        exported = response.headers.get("Content-Type", "").startswith("text/csv")
        rows = response.content.decode().strip().count("\n") if exported else 0
        if rows and not (persona.reads(label) and persona.in_scope(side)):
            self.failures.append(f"{persona.name} {action} {url} exported {side}'s {obj.pk}")

    def _add(self, label: str, model, url: str) -> None:
        for persona in self._personas():
            if persona.signed_out:
                self.expect(persona, "GET", url, LOGIN)
                self.expect(persona, "POST", url, LOGIN, unchanged=model)
            elif persona.writes(label):
                self.expect(persona, "GET", url, {200, 403})
                self.expect(persona, "POST", url, range(200, 500))
            else:
                self.expect(persona, "GET", url, {403})
                self.expect(persona, "POST", url, {403}, unchanged=model)

    def _object_url(self, label, model, kind, base, side, obj) -> None:
        url = self._object_path(model, kind, base, obj)
        root = next(p for p in self.personas if p.superuser)
        payload = {}
        if kind in ("change", "version"):
            shown = self.call(root, "GET", url)
            payload = form_payload(shown) if shown.status_code == 200 else {}
        for persona in self._personas(side):
            self._object_call(persona, label, model, kind, url, side, payload)

    def _object_path(self, model, kind: str, base: str, obj: Model) -> str:
        if kind == "version":
            history = getattr(model, "history", None)
            latest = history.filter(id=obj.pk).order_by("-history_id").first() if history else None
            return f"{base}{obj.pk}/history/{latest.history_id if latest else 1}/"
        if kind == "run_review":
            return f"{base}{obj.pk}/review/"
        suffix = {
            "change": "change/",
            "history": "history/",
            "delete": "delete/",
            "old_change_url": "",
            "run_page": "progress/",
            "run_csv": "parcels.csv",
            "issuance_csv": "contributions.csv",
            "block_csv": "parcels.csv",
            "smallholder_move": "move/",
            "reservation_operation": "",
        }[kind]
        return f"{base}{obj.pk}/{suffix}"

    def _object_call(self, persona, label, model, kind, url, side, payload) -> None:
        if kind == "reservation_operation":
            return self._reservation_operation(persona, url, side)
        if persona.signed_out:
            self.expect(persona, "GET", url, LOGIN)
            self.expect(persona, "POST", url, LOGIN, data=payload, unchanged=model)
            return
        if kind == "old_change_url":  # Django's redirect to <id>/change/, checked there
            self.expect(persona, "GET", url, {301, 302})
            return
        if not persona.reads(label):
            self.expect(persona, "GET", url, {403, 404})
            self.expect(persona, "POST", url, {403, 404}, data=payload, unchanged=model)
            return
        if not persona.in_scope(side):
            wanted = {301, 302} if kind == "old_change_url" else {404}
            self.expect(persona, "GET", url, wanted)
            self.expect(persona, "POST", url, wanted | {403}, data=payload, unchanged=model)
            return
        self._in_scope_call(persona, label, model, kind, url, payload)

    def _in_scope_call(self, persona, label, model, kind, url, payload) -> None:
        writes = persona.writes(label)
        keeps_history = hasattr(model, "history")
        get_wanted = {
            "change": {200},
            "history": {200},
            "version": {200} if keeps_history else {404},
            "delete": {200, 403} if writes else {403},
            "old_change_url": {301, 302},
            "run_page": {200},
            "run_csv": {200},
            "issuance_csv": {200},
            "block_csv": {200},
            "run_review": {405},
            "smallholder_move": {200} if writes else {403},
        }[kind]
        self.expect(persona, "GET", url, get_wanted)
        if kind == "run_review":  # approving is the verifiers' and managers' role
            data = {"decision": "reject", "note": "matriz"}
            self.expect(persona, "POST", url, {302}, data=data)
        elif kind == "smallholder_move":  # writers: an empty form is refused, nothing moves
            self.expect(persona, "POST", url, {200} if writes else {403}, unchanged=model)
        elif kind in (
            "history",
            "run_page",
            "run_csv",
            "issuance_csv",
            "block_csv",
            "old_change_url",
        ):  # reads, whatever the method
            self.expect(persona, "POST", url, range(200, 500), unchanged=model)
        elif writes:
            data = {} if kind == "delete" else payload  # an empty delete POST only confirms
            self.expect(persona, "POST", url, range(200, 500), data=data)
        else:
            data = {"post": "yes"} if kind == "delete" else payload
            wanted = {403, 404} if kind == "version" and not keeps_history else {403}
            self.expect(persona, "POST", url, wanted, data=data, unchanged=model)

    # Custom pages -------------------------------------------------------------------------

    def _page(self, label: str, model_admin, base: str, kind: str) -> None:
        for pattern, custom in table.CUSTOM_PATTERNS.items():
            if pattern[0] != label or custom != kind:
                continue
            path = pattern[1].replace("<id>", str(self.world.personas.staff_a1.pk))
            url = base + path
            for persona in self._personas():
                allowed = persona.operates if kind == "operation" else persona.superuser
                if persona.signed_out:
                    self.expect(persona, "GET", url, LOGIN)
                    self.expect(persona, "POST", url, LOGIN, unchanged=model_admin.model)
                elif allowed:
                    self.expect(persona, "GET", url, {200})
                else:
                    self.expect(persona, "GET", url, {403})
                    self.expect(persona, "POST", url, {403}, unchanged=model_admin.model)

    def _reservation_operation(self, persona: Persona, url: str, side: str) -> None:
        for name in ("release", "confirm"):
            self._one_reservation_operation(persona, f"{url}{name}/", side)

    def _one_reservation_operation(self, persona: Persona, url: str, side: str) -> None:
        from credits.models import Reservation

        if persona.signed_out:
            self.expect(persona, "GET", url, LOGIN)
        elif not persona.operates:
            self.expect(persona, "GET", url, {403})
            self.expect(persona, "POST", url, {403}, unchanged=Reservation)
        elif not persona.in_scope(side):
            self.expect(persona, "GET", url, {404})
            self.expect(persona, "POST", url, {404}, unchanged=Reservation)
        else:
            self.expect(persona, "GET", url, {200})

    # The admin site and /admin/import/ are checked by site_checks.py (which uses this class).


def content_type_path(obj: Model) -> str:
    return f"/admin/r/{ContentType.objects.get_for_model(obj).pk}/{obj.pk}/"
