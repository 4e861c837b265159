"""Admin forms of the ledger operations: each form validates input and calls exactly one service.

Choices are limited to what the person manages (`managed_projects`), so another project's
runs, accounts and parcels are never offered. The services re-check everything under their
locks; their refusals (`CreditsError`) are shown by the admin view, never turned into a 500.
"""

import datetime as dt
from decimal import Decimal

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple, FilteredSelectMultiple
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from credits import services
from credits.choices import AccountKind, UnitType
from credits.models import Account, BuyerOrganisation, Reservation, Reversal
from credits.selectors import managed_projects, operable_accounts
from parcels.models import Parcel
from quantification.models import CalculationRun, RunKind, RunStatus
from smallholders.models import Project
from smallholders.selectors import AnyUser

DEFAULT_RESERVATION_DAYS = 14


class RunChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, run: CalculationRun) -> str:
        return gettext("#%(id)s · %(project)s · %(kind)s · %(start)s – %(end)s") % {
            "id": run.pk,
            "project": run.project,
            "kind": run.get_kind_display(),
            "start": run.period_start,
            "end": run.period_end,
        }


class OperationForm(forms.Form):
    """Base: the person acting, an optional target object (a reservation) and `run`."""

    def __init__(self, *args: object, user: AnyUser, target: object = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.target = user, target
        if "project" in self.fields:
            self.fields["project"].queryset = managed_projects(user=user)

    def project_id(self) -> int:
        """The project the operation acts on (the admin view checks the person manages it)."""
        return self.cleaned_data["project"].pk

    def run(self, *, actor: AnyUser) -> str:
        """Call the one service and return the success message (raises CreditsError)."""
        raise NotImplementedError


class VintageFields(forms.Form):
    project = forms.ModelChoiceField(label=_("project"), queryset=Project.objects.none())
    unit_type = forms.ChoiceField(
        label=_("unit type"), choices=UnitType.choices, initial=UnitType.VERIFIED
    )
    vintage = forms.IntegerField(label=_("vintage"), min_value=1990, max_value=2100)
    quantity = forms.IntegerField(label=_("quantity (tCO2e)"), min_value=1)


class IssueForm(OperationForm):
    run_choice = RunChoiceField(
        label=_("approved calculation run"),
        queryset=CalculationRun.objects.none(),
        help_text=_("Approved runs of your projects that were not issued yet."),
    )

    def __init__(self, *args: object, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["run_choice"].queryset = (
            CalculationRun.objects.filter(
                status=RunStatus.APPROVED, project__in=managed_projects(user=self.user)
            )
            .exclude(issuances__isnull=False)
            .select_related("project")
            .order_by("project__name", "period_start", "pk")
        )

    def project_id(self) -> int:
        return self.cleaned_data["run_choice"].project_id

    def run(self, *, actor: AnyUser) -> str:
        issuances = services.issue_credits(run_id=self.cleaned_data["run_choice"].pk, actor=actor)
        total = sum(i.quantity + i.buffer_quantity for i in issuances)
        buffer = sum(i.buffer_quantity for i in issuances)
        return gettext(
            "Issued %(total)s units (%(buffer)s to the buffer) in %(count)s vintage(s)."
        ) % {"total": total, "buffer": buffer, "count": len(issuances)}


class ReserveForm(VintageFields, OperationForm):
    organisation = forms.ModelChoiceField(
        label=_("buyer organisation"), queryset=BuyerOrganisation.objects.order_by("name")
    )
    expires_at = forms.DateTimeField(
        label=_("expires at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    field_order = ["organisation", "project", "unit_type", "vintage", "quantity", "expires_at"]

    def __init__(self, *args: object, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        later = timezone.localtime() + dt.timedelta(days=DEFAULT_RESERVATION_DAYS)
        self.fields["expires_at"].initial = later.replace(second=0, microsecond=0)

    def run(self, *, actor: AnyUser) -> str:
        data = self.cleaned_data
        reservation = services.reserve_credits(
            account_id=data["organisation"].account.pk,
            project_id=data["project"].pk,
            vintage=data["vintage"],
            unit_type=data["unit_type"],
            quantity=data["quantity"],
            expires_at=data["expires_at"],
            actor=actor,
        )
        return gettext("Reservation #%(id)s: %(quantity)s units for %(buyer)s.") % {
            "id": reservation.pk,
            "quantity": reservation.quantity,
            "buyer": data["organisation"],
        }


class ReleaseForm(OperationForm):
    reason = forms.CharField(label=_("reason"), required=False, max_length=500)

    def project_id(self) -> int:
        return self.target.project_id

    def run(self, *, actor: AnyUser) -> str:
        reservation: Reservation = services.release_reservation(
            reservation_id=self.target.pk, actor=actor, reason=self.cleaned_data["reason"]
        )
        return gettext("Reservation #%(id)s was released.") % {"id": reservation.pk}


class ConfirmSaleForm(OperationForm):
    price_per_tonne = forms.DecimalField(
        label=_("price per tonne"), min_value=Decimal("0"), max_digits=13, decimal_places=2
    )
    currency = forms.CharField(label=_("currency"), initial="USD", min_length=3, max_length=3)
    invoice_reference = forms.CharField(label=_("invoice reference"), max_length=100)

    def project_id(self) -> int:
        return self.target.project_id

    def run(self, *, actor: AnyUser) -> str:
        data = self.cleaned_data
        sale = services.confirm_sale(
            reservation_id=self.target.pk,
            price_per_tonne=data["price_per_tonne"],
            currency=data["currency"],
            invoice_reference=data["invoice_reference"],
            actor=actor,
        )
        return gettext("Sale confirmed: %(quantity)s units at %(price)s %(currency)s.") % {
            "quantity": sale.quantity,
            "price": sale.price_per_tonne,
            "currency": sale.currency,
        }


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, account: Account) -> str:
        return str(account)


class TransferForm(VintageFields, OperationForm):
    from_account = AccountChoiceField(label=_("from account"), queryset=Account.objects.none())
    to_account = AccountChoiceField(label=_("to account"), queryset=Account.objects.none())
    reason = forms.CharField(label=_("reason"), required=False, max_length=500)
    field_order = ["from_account", "to_account", "project", "unit_type", "vintage", "quantity"]

    def __init__(self, *args: object, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        kinds = (AccountKind.ISSUANCE, AccountKind.BUYER)
        for name in ("from_account", "to_account"):
            self.fields[name].queryset = operable_accounts(user=self.user, kinds=kinds)

    def run(self, *, actor: AnyUser) -> str:
        data = self.cleaned_data
        blocks = services.transfer_credits(
            from_account_id=data["from_account"].pk,
            to_account_id=data["to_account"].pk,
            project_id=data["project"].pk,
            unit_type=data["unit_type"],
            vintage=data["vintage"],
            quantity=data["quantity"],
            actor=actor,
            reason=data["reason"],
        )
        return ngettext(
            "%(quantity)s units transferred to %(to)s in %(count)s block.",
            "%(quantity)s units transferred to %(to)s in %(count)s blocks.",
            len(blocks),
        ) % {"quantity": data["quantity"], "to": data["to_account"], "count": len(blocks)}


class RetireForm(VintageFields, OperationForm):
    account = AccountChoiceField(label=_("account"), queryset=Account.objects.none())
    beneficiary = forms.CharField(label=_("beneficiary"), max_length=200)
    purpose = forms.CharField(label=_("purpose"), widget=forms.Textarea(attrs={"rows": 3}))
    retired_on = forms.DateField(
        label=_("retirement date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    field_order = ["account", "project", "unit_type", "vintage", "quantity", "beneficiary"]

    def __init__(self, *args: object, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        kinds = (AccountKind.ISSUANCE, AccountKind.BUYER)
        self.fields["account"].queryset = operable_accounts(user=self.user, kinds=kinds)
        self.fields["retired_on"].initial = timezone.localdate()

    def run(self, *, actor: AnyUser) -> str:
        data = self.cleaned_data
        retirement = services.retire_credits(
            account_id=data["account"].pk,
            project_id=data["project"].pk,
            vintage=data["vintage"],
            quantity=data["quantity"],
            beneficiary=data["beneficiary"],
            purpose=data["purpose"],
            retired_on=data["retired_on"],
            actor=actor,
            unit_type=data["unit_type"],
        )
        return gettext("%(quantity)s units retired for %(beneficiary)s.") % {
            "quantity": retirement.quantity,
            "beneficiary": retirement.beneficiary,
        }


class CancelForm(VintageFields, OperationForm):
    account = AccountChoiceField(label=_("account"), queryset=Account.objects.none())
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["account", "project", "unit_type", "vintage", "quantity", "reason"]

    def __init__(self, *args: object, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        kinds = (AccountKind.ISSUANCE, AccountKind.BUFFER, AccountKind.BUYER)
        self.fields["account"].queryset = operable_accounts(user=self.user, kinds=kinds)

    def run(self, *, actor: AnyUser) -> str:
        data = self.cleaned_data
        services.cancel_credits(
            account_id=data["account"].pk,
            project_id=data["project"].pk,
            unit_type=data["unit_type"],
            vintage=data["vintage"],
            quantity=data["quantity"],
            reason=data["reason"],
            actor=actor,
        )
        return gettext("%(quantity)s units cancelled.") % {"quantity": data["quantity"]}


class ReversalForm(OperationForm):
    project = forms.ModelChoiceField(label=_("project"), queryset=Project.objects.none())
    quantity_tco2e = forms.DecimalField(
        label=_("loss (tCO2e)"), min_value=Decimal("0.001"), max_digits=15, decimal_places=3
    )
    parcels = forms.ModelMultipleChoiceField(
        label=_("parcels"),
        queryset=Parcel.objects.none(),
        required=False,
        help_text=_("The parcels where trees were lost (none for a project-wide loss)."),
        # searched as typed (the parcels' admin search, scoped), not every parcel on the page
        widget=AutocompleteSelectMultiple(Reversal._meta.get_field("parcels"), admin.site),
    )
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: object, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parcels"].queryset = Parcel.objects.filter(
            project__in=managed_projects(user=self.user)
        ).order_by("code")

    def run(self, *, actor: AnyUser) -> str:
        data = self.cleaned_data
        reversal = services.record_reversal(
            project_id=data["project"].pk,
            quantity_tco2e=data["quantity_tco2e"],
            parcel_ids=[p.pk for p in data["parcels"]],
            reason=data["reason"],
            actor=actor,
        )
        return gettext(
            "Reversal recorded: %(cancelled)s buffer units cancelled, shortfall %(shortfall)s."
        ) % {"cancelled": reversal.units_cancelled, "shortfall": reversal.shortfall}


class ConvertForm(OperationForm):
    run_choice = RunChoiceField(
        label=_("verified calculation run"),
        queryset=CalculationRun.objects.none(),
        help_text=_("Approved and issued ex-post runs of your projects."),
    )

    def __init__(self, *args: object, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["run_choice"].queryset = (
            CalculationRun.objects.filter(
                status=RunStatus.APPROVED,
                kind=RunKind.EX_POST,
                project__in=managed_projects(user=self.user),
                pk__in=CalculationRun.objects.filter(issuances__isnull=False).values("pk"),
            )
            .select_related("project")
            .order_by("project__name", "period_start", "pk")
        )

    def project_id(self) -> int:
        return self.cleaned_data["run_choice"].project_id

    def run(self, *, actor: AnyUser) -> str:
        conversions = services.convert_ex_ante(
            run_id=self.cleaned_data["run_choice"].pk, actor=actor
        )
        return gettext(
            "%(count)s holder(s) converted: %(delivered)s verified units delivered, "
            "shortfall %(shortfall)s."
        ) % {
            "count": len(conversions),
            "delivered": sum(c.verified_delivered for c in conversions),
            "shortfall": sum(c.shortfall for c in conversions),
        }


class BuyerOrganisationForm(forms.ModelForm):
    """The add/change form; new organisations are created with their account by the service."""

    class Meta:
        model = BuyerOrganisation
        fields = ["name", "country", "contact_name", "contact_email", "members"]
        widgets = {"members": FilteredSelectMultiple(_("members"), is_stacked=False)}
