"""The technician's forms. Each one only collects input; the write goes through the owning app's
service (the same door the admin, the API and the importers use), and the service's errors are
shown on the fields the person filled in."""

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from parcels.choices import Arrangement
from parcels.models import Planting, Species
from pichanaki.locking import LockTimeout
from smallholders.choices import Gender
from smallholders.models import Cooperative

DATE = forms.DateInput(attrs={"type": "date"})


def save_through(form: forms.Form, write: Callable[[], object]) -> object | None:
    """Run a service write; its ValidationError, or a busy lock (LockTimeout: "try again"),
    becomes the form's errors (None returned)."""
    try:
        return write()
    except LockTimeout as busy:
        form.add_error(None, busy.message)
        return None
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
        for name, messages in errors.items():
            field = name if name in form.fields else None
            for message in messages:
                form.add_error(field, message)
        return None


class FamilyForm(forms.Form):
    cooperative = forms.ModelChoiceField(
        queryset=Cooperative.objects.none(), label=_("cooperative")
    )
    dni = forms.CharField(label=_("DNI"), max_length=8, min_length=8)
    first_name = forms.CharField(label=_("first names"), max_length=100)
    last_name = forms.CharField(label=_("last names"), max_length=100)
    gender = forms.ChoiceField(label=_("gender"), choices=Gender.choices, required=False)
    birth_year = forms.IntegerField(label=_("year of birth"), required=False)
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    community = forms.CharField(label=_("community / caserío"), max_length=100, required=False)
    district = forms.CharField(label=_("district"), max_length=100, required=False)
    agreement_signed_on = forms.DateField(
        label=_("carbon agreement signed on"), required=False, widget=DATE
    )

    def __init__(self, *args: object, cooperatives: QuerySet[Cooperative], **kwargs: object):
        super().__init__(*args, **kwargs)
        self.fields["cooperative"].queryset = cooperatives
        if cooperatives.count() == 1:
            self.fields["cooperative"].initial = cooperatives.first()

    def extra_fields(self) -> dict[str, object]:
        skip = {"cooperative", "dni", "first_name", "last_name"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip and v not in ("", None)}


class PlantingForm(forms.Form):
    parcel = forms.ModelChoiceField(queryset=None, label=_("parcel"))
    species = forms.ModelChoiceField(
        queryset=Species.objects.order_by("common_name_es", "scientific_name"), label=_("species")
    )
    planted_on = forms.DateField(label=_("planted on"), widget=DATE)
    trees_planted = forms.IntegerField(label=_("trees planted"), min_value=1)
    arrangement = forms.ChoiceField(label=_("arrangement"), choices=Arrangement.choices)

    def __init__(self, *args: object, parcels: QuerySet, **kwargs: object):
        super().__init__(*args, **kwargs)
        self.fields["parcel"].queryset = parcels


class SurvivalForm(forms.Form):
    planting = forms.ModelChoiceField(queryset=Planting.objects.none(), label=_("planting"))
    counted_on = forms.DateField(label=_("counted on"), widget=DATE)
    trees_alive = forms.IntegerField(label=_("trees alive"), min_value=0)

    def __init__(self, *args: object, plantings: QuerySet[Planting], **kwargs: object):
        super().__init__(*args, **kwargs)
        self.fields["planting"].queryset = plantings
        self.fields["planting"].label_from_instance = lambda p: (
            f"{p.parcel.code} · {p.species.common_name_es or p.species.scientific_name} · "
            f"{p.planted_on:%Y-%m-%d} · {p.trees_planted}"
        )
