"""The ledger operations as admin pages: one form, one service call, the service's refusal shown.

Only the project's managers and superusers may run them: anyone else gets 403, and a
reservation of a project the person does not manage is "not found" (404). Services are
durable transactions of their own, so these views run outside any admin transaction.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from credits import forms
from credits.choices import ReservationStatus
from credits.exceptions import CreditsError
from credits.models import Reservation
from credits.selectors import manages_project, reservations_for
from smallholders.selectors import AnyUser, scope_for


@dataclass(frozen=True)
class Operation:
    """One admin page: its URL name, title, form and the changelist it returns to."""

    name: str
    title: Promise
    form_class: type[forms.OperationForm]
    model_name: str  # the credits model whose changelist shows the button and is returned to
    on_reservation: bool = False


OPERATIONS = {
    op.name: op
    for op in (
        Operation("issue", _("Issue credits"), forms.IssueForm, "issuance"),
        Operation("reserve", _("Reserve credits"), forms.ReserveForm, "reservation"),
        Operation("release", _("Release reservation"), forms.ReleaseForm, "reservation", True),
        Operation("confirm", _("Confirm sale"), forms.ConfirmSaleForm, "reservation", True),
        Operation("transfer", _("Transfer credits"), forms.TransferForm, "account"),
        Operation("retire", _("Retire credits"), forms.RetireForm, "retirement"),
        Operation("cancel", _("Cancel credits"), forms.CancelForm, "account"),
        Operation("reversal", _("Record a reversal"), forms.ReversalForm, "reversal"),
        Operation("convert", _("Convert ex-ante units"), forms.ConvertForm, "conversion"),
    )
}


def url_name(operation: Operation) -> str:
    return f"credits_operation_{operation.name}"


def may_operate(user: AnyUser) -> bool:
    """Managers and superusers run ledger operations (on their projects, checked per object)."""
    return user.is_active and user.is_staff and scope_for(user).manages


def operation_links(model_name: str | None = None) -> list[tuple[str, Promise]]:
    """(url, title) of the operations started from a changelist (all of them if no model)."""
    return [
        (reverse(f"admin:{url_name(op)}"), op.title)
        for op in OPERATIONS.values()
        if not op.on_reservation and model_name in (None, op.model_name)
    ]


def managed_reservation(user: AnyUser, reservation_id: int) -> Reservation:
    """A reservation of a project `user` manages, else 404."""
    reservation = reservations_for(user=user).filter(pk=reservation_id).first()
    if reservation is None or not manages_project(user=user, project_id=reservation.project_id):
        raise Http404
    return reservation


def operation_view(
    model_admin: ModelAdmin, request: HttpRequest, name: str, reservation_id: int | None = None
) -> HttpResponse:
    operation = OPERATIONS[name]
    if not may_operate(request.user):
        raise PermissionDenied
    target = managed_reservation(request.user, reservation_id) if operation.on_reservation else None
    data = request.POST if request.method == "POST" else None
    form = operation.form_class(data, user=request.user, target=target)
    if data is not None and form.is_valid():
        if not manages_project(user=request.user, project_id=form.project_id()):
            raise PermissionDenied  # backstop: the choices already exclude other projects
        try:
            done = form.run(actor=request.user)
        except CreditsError as exc:
            # The service refused and rolled back: show why and keep the form as typed.
            model_admin.message_user(request, exc.message, messages.ERROR)
        else:
            model_admin.message_user(request, done, messages.SUCCESS)
            return redirect(_return_url(operation, target))
    return _render(model_admin, request, operation, form, target)


def _return_url(operation: Operation, target: Reservation | None) -> str:
    if target is not None:
        return reverse("admin:credits_reservation_change", args=[target.pk])
    return reverse(f"admin:credits_{operation.model_name}_changelist")


def _render(
    model_admin: ModelAdmin,
    request: HttpRequest,
    operation: Operation,
    form: forms.OperationForm,
    target: Reservation | None,
) -> TemplateResponse:
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": operation.title,
        "operation": operation,
        "form": form,
        "target": target,
        "media": model_admin.media + form.media,
        "return_url": _return_url(operation, target),
        "is_pending": target is None or target.status == ReservationStatus.PENDING,
    }
    return TemplateResponse(request, "admin/credits/operation.html", context)


def operations_index(model_admin: ModelAdmin, request: HttpRequest) -> TemplateResponse:
    """All operations on one page (linked from the admin index)."""
    if not may_operate(request.user):
        raise PermissionDenied
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Credit registry operations"),
        "links": operation_links(),
    }
    return TemplateResponse(request, "admin/credits/operations.html", context)
