"""Public pages of benefit sharing (registry): per-project transparency and statement
verification. Anonymous and read-only; no personal data is ever shown."""

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from benefits.models import PaymentChainHead
from benefits.statements import public_statement
from benefits.transparency import project_buffers, project_transparency
from credits.kept_heads import kept_head_context
from smallholders.models import Project


def transparency(request: HttpRequest, code: str) -> HttpResponse:
    project = get_object_or_404(Project.objects.filter(registry__isnull=False), code=code)
    context = {
        "project": project,
        "rows": project_transparency(project=project),
        "buffers": project_buffers(project=project),
        "payment_head": PaymentChainHead.objects.filter(project=project).first(),
        "kept": kept_head_context(request, ledger_key="payments", project=project),
    }
    return render(request, "benefits/transparency.html", context)


def verify_statement(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    statement = public_statement(code)
    if statement is None:
        raise Http404
    return render(
        request,
        "benefits/verify_statement.html",
        {"statement": statement, "totals": statement.totals},
    )
