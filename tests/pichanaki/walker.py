"""Every page a persona sees, on the demo data: the walker behind the page-wide tests.

`seed_site(scale)` loads the demo (its logins included, plus a superuser); `site_pages(user)`
lists each admin index, changelist, change and add page the user may view, the credit
operation pages, the move of a family the user may edit, the import pages and the run pages,
and the public registry pages (for anonymous visitors, with the answers of their kept-head
forms), each with a key (view + model) that is the same at every scale.
"""

import io
from dataclasses import dataclass

from django.contrib import admin
from django.contrib.auth.models import AnonymousUser, User
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from benefits.models import PaymentChainHead
from credits import admin_operations as ops
from credits.models import LedgerChainHead, Retirement, SerialBlock
from demo import catalogue
from parcels.models import ImportJob
from smallholders.models import Smallholder
from smallholders.selectors import scope_for

SUPERUSER = "raiz"
DEMO_PERSONAS = ("gestor", "tecnico-cac-ubiriki", "verificador", SUPERUSER)


@dataclass(frozen=True)
class Page:
    key: str  # "changelist credits.issuance": stable across scales and objects
    url: str
    owner: str = ""  # the branch that owns this page's layout, when it is not `pages`


def seed_site(scale: float) -> None:
    """The demo at `scale` with its logins (demo password) and a superuser."""
    call_command("seed_demo", "--scale", str(scale), stdout=io.StringIO())
    call_command("ensure_demo_users", stdout=io.StringIO())
    if not User.objects.filter(username=SUPERUSER).exists():
        User.objects.create_superuser(SUPERUSER, password="pichanaki-demo")


def persona(username: str) -> User | AnonymousUser:
    return AnonymousUser() if username == "anonymous" else User.objects.get(username=username)


def site_pages(user: User | AnonymousUser) -> list[Page]:
    if user.is_anonymous:
        return public_pages()
    return [Page("admin index", reverse("admin:index")), *_model_pages(user), *_extra_pages(user)]


def public_pages() -> list[Page]:
    pages = [
        Page("home", reverse("home")),
        Page("registry", reverse("credits:projects")),
        Page("registry project", reverse("credits:project", args=[catalogue.PROJECT_CODE])),
        Page("serial lookup", reverse("credits:serials")),
    ]
    block = SerialBlock.objects.select_related("project__registry").order_by("pk").first()
    if block is not None:
        url = reverse("credits:serials") + f"?serial={block.printed_serial}"
        pages.append(Page("serial found", url))
    retirement = Retirement.objects.order_by("pk").first()
    if retirement is not None:
        url = reverse("credits:verify", args=[retirement.verification_code])
        pages.append(Page("retirement", url))
    return [*pages, *_kept_head_pages()]


def _kept_head_pages() -> list[Page]:
    """The pages publishing each ledger's head, and the answers of their kept-head form: a head
    in the chain, one past its end, another hash at a position, input refused."""
    code = catalogue.PROJECT_CODE
    pages = []
    for name, url, heads in (
        ("registry project", reverse("credits:project", args=[code]), LedgerChainHead),
        ("benefits", reverse("benefits:transparency", args=[code]), PaymentChainHead),
    ):
        if name == "benefits":
            pages.append(Page(name, url))
        head = heads.objects.filter(project__code=code).first()
        if head is None or not head.length:
            continue
        pages += [
            Page(f"{name} kept head held", f"{url}?position={head.length}&hash={head.head_hash}"),
            Page(f"{name} kept head shorter", f"{url}?position={head.length + 9}&hash={'0' * 64}"),
            Page(f"{name} kept head rewritten", f"{url}?position=1&hash={'0' * 64}"),
            Page(f"{name} kept head refused", f"{url}?position=0&hash=xyz"),
        ]
    return pages


def _request(user: User) -> object:
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _model_pages(user: User) -> list[Page]:
    request = _request(user)
    pages = []
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_or_change_permission(request):
            continue
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages.append(Page(f"changelist {label}", reverse(f"{name}_changelist")))
        obj = model_admin.get_queryset(request).order_by("-pk").first()
        if obj is not None:
            owner = "runs-demo" if label == "parcels.calculationrun" else ""
            url = reverse(f"{name}_change", args=[obj.pk])
            pages.append(Page(f"change {label}", url, owner))
        if model_admin.has_add_permission(request) and label != "parcels.calculationrun":
            pages.append(Page(f"add {label}", reverse(f"{name}_add")))
    return pages


def _extra_pages(user: User) -> list[Page]:
    pages = []
    if scope_for(user).edits_field_data:
        pages.append(Page("import", reverse("parcels_import:index"), "imports"))
    job = ImportJob.objects.order_by("-pk").first()
    if job is not None and (user.is_superuser or job.created_by_id == user.pk):
        url = reverse("parcels_import:job", args=[job.pk])
        pages.append(Page("import job", url, "imports"))
    families = admin.site._registry[Smallholder]
    request = _request(user)
    family = families.get_queryset(request).order_by("-pk").first()
    if family is not None and families.has_change_permission(request, family):
        url = reverse("admin:smallholders_smallholder_move", args=[family.pk])
        pages.append(Page("move smallholders.smallholder", url))
    if ops.may_operate(user):
        pages.append(Page("credit operations", reverse("admin:credits_operations")))
        for op in ops.OPERATIONS.values():
            if op.on_reservation:
                continue
            try:
                pages.append(Page(f"operation {op.name}", reverse(f"admin:{ops.url_name(op)}")))
            except NoReverseMatch:
                continue
    return pages
