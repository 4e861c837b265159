"""The upload form of the import page, limited to the user's projects and cooperatives."""

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from parcels.choices import LandUse
from parcels.importing.readers.detect import FORMATS
from parcels.models import ImportKind
from smallholders.selectors import cooperatives_for, projects_for

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of data"), choices=ImportKind.choices)
    project = forms.ModelChoiceField(label=_("Project"), queryset=None)
    cooperative = forms.ModelChoiceField(
        label=_("Cooperative"),
        queryset=None,
        required=False,
        help_text=_("Leave empty to take the cooperative from each row."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV or XLSX; parcels also GeoJSON, KML/KMZ, ODK Central ZIP or Kobo XLSX."),
    )
    land_use_before = forms.ChoiceField(
        label=_("Land use before the project"),
        required=False,
        choices=[("", _("Only from the file")), *LandUse.choices],
        help_text=_(
            "Parcels only: used for every row whose file has no land-use column or an "
            "empty cell. Without it such rows are reported as errors."
        ),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("Detect from the file")), *((f, f) for f in FORMATS)],
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects_for(user=user)
        self.fields["cooperative"].queryset = cooperatives_for(user=user)

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        return upload
