"""Forms for smallholders; the checks are those of `smallholders.services`."""

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from smallholders.fields import IDENTITY_FIELDS, UPDATABLE_FIELDS
from smallholders.models import Cooperative, Smallholder
from smallholders.services import check_participation, validate_birth_year


class SmallholderForm(forms.ModelForm):
    """Register or edit a smallholder; the agreement file is never linked from MEDIA_URL."""

    class Meta:
        model = Smallholder
        fields = [*IDENTITY_FIELDS, *UPDATABLE_FIELDS]
        widgets = {"agreement_document": forms.FileInput()}

    def clean(self) -> dict:
        cleaned = super().clean()
        project, cooperative = cleaned.get("project"), cleaned.get("cooperative")
        try:
            validate_birth_year(cleaned.get("birth_year"))
            if project is not None and cooperative is not None:
                check_participation(project_id=project.pk, cooperative_id=cooperative.pk)
        except forms.ValidationError as exc:
            self._update_errors(exc)
        return cleaned


class MoveSmallholderForm(forms.Form):
    """Move a family to another cooperative: the choices are those the caller passes (the
    project's cooperatives the person may see); `move_smallholder` checks the rest."""

    cooperative = forms.ModelChoiceField(
        queryset=Cooperative.objects.none(), label=_("new cooperative")
    )
    moved_on = forms.DateField(label=_("date of the move"), widget=AdminDateWidget)

    def __init__(self, *args: object, cooperatives: QuerySet[Cooperative], **kwargs: object):
        super().__init__(*args, **kwargs)
        self.fields["cooperative"].queryset = cooperatives
