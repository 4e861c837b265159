"""Every URL the admin serves, classified: the persona matrix test walks this table.

A URL pattern that is not classified here fails `test_every_admin_url_is_classified`, so that a
view added later is tested for scope and role before it ships.
"""

from django.contrib import admin

from parcels.importing import urls as import_urls
from smallholders.choices import Role

EVERYONE = frozenset({Role.STAFF, Role.MANAGER, Role.VERIFIER})
REGISTRY = frozenset({Role.MANAGER, Role.VERIFIER})
MANAGERS = frozenset({Role.MANAGER})
FIELD_WRITERS = frozenset({Role.STAFF, Role.MANAGER})
NOBODY = frozenset()

#: model label -> (roles that read it, roles that write it); superusers do both.
POLICY = {
    "auth.Group": (NOBODY, NOBODY),
    "auth.User": (NOBODY, NOBODY),
    "smallholders.Project": (EVERYONE, MANAGERS),
    "smallholders.Cooperative": (EVERYONE, MANAGERS),
    "smallholders.Smallholder": (EVERYONE, FIELD_WRITERS),
    "parcels.Species": (EVERYONE, MANAGERS),
    "parcels.Stratum": (EVERYONE, MANAGERS),
    "parcels.Parcel": (EVERYONE, FIELD_WRITERS),
    "parcels.Planting": (EVERYONE, FIELD_WRITERS),
    "parcels.MonitoringPlot": (EVERYONE, FIELD_WRITERS),
    "parcels.TreeMeasurement": (EVERYONE, FIELD_WRITERS),
    "quantification.ParameterSet": (REGISTRY, MANAGERS),
    "quantification.CalculationRun": (REGISTRY, MANAGERS),
    "credits.ApiKey": (REGISTRY, MANAGERS),
    "credits.ProjectRegistry": (REGISTRY, MANAGERS),
    "credits.BuyerOrganisation": (REGISTRY, MANAGERS),
    "credits.Account": (REGISTRY, MANAGERS),
    "credits.CreditVintage": (REGISTRY, MANAGERS),
    "credits.SerialBlock": (REGISTRY, MANAGERS),
    "credits.LedgerEvent": (REGISTRY, MANAGERS),
    "credits.Issuance": (REGISTRY, MANAGERS),
    "credits.Reservation": (REGISTRY, MANAGERS),
    "credits.Sale": (REGISTRY, MANAGERS),
    "credits.Retirement": (REGISTRY, MANAGERS),
    "credits.Reversal": (REGISTRY, MANAGERS),
    "credits.Conversion": (REGISTRY, MANAGERS),
    # issue 11: staff read their families' lines, grievances and statements, print statements,
    # file grievances and request statement batches; verifiers read all and approve.
    "benefits.SharingPolicy": (REGISTRY, MANAGERS),
    "benefits.ExchangeRate": (REGISTRY, MANAGERS),
    "benefits.Advance": (REGISTRY, MANAGERS),
    "benefits.Distribution": (REGISTRY, MANAGERS),
    "benefits.DistributionLine": (EVERYONE, FIELD_WRITERS),
    "benefits.PaymentEvent": (REGISTRY, MANAGERS),
    "benefits.TrustHold": (REGISTRY, MANAGERS),
    "benefits.Grievance": (EVERYONE, FIELD_WRITERS),
    "benefits.StatementBatch": (EVERYONE, FIELD_WRITERS),
    # read-only: a job is started from "new distribution" and runs in the background
    "benefits.DistributionJob": (MANAGERS, NOBODY),
}

#: the admin sections a technician sees on the index (issue 8): their field data, no more...
STAFF_FIELD_MENU = {
    "smallholders.Cooperative",
    "smallholders.Smallholder",
    "parcels.Parcel",
    "parcels.Planting",
    "parcels.MonitoringPlot",
    "parcels.TreeMeasurement",
}
#: ... and their families' benefit sharing (issue 11)
STAFF_MENU = STAFF_FIELD_MENU | {
    "benefits.DistributionLine",
    "benefits.Grievance",
    "benefits.StatementBatch",
}

#: the URL patterns every ModelAdmin has (Django's and django-simple-history's)
MODEL_PATTERNS = {
    "": "changelist",
    "add/": "add",
    "<path:object_id>/history/": "history",
    "^([^/]+)/history/([^/]+)/$": "version",
    "<path:object_id>/delete/": "delete",
    "<path:object_id>/change/": "change",
    "<path:object_id>/": "old_change_url",
}

#: (model label, pattern) -> kind, for the views a ModelAdmin adds
CUSTOM_PATTERNS = {
    ("auth.User", "<id>/password/"): "superuser_page",
    ("credits.Account", "transfer/"): "operation",
    ("credits.Account", "cancel/"): "operation",
    ("credits.CreditVintage", "operations/"): "operation",
    ("credits.Issuance", "issue/"): "operation",
    ("credits.Reservation", "reserve/"): "operation",
    ("credits.Reservation", "<int:reservation_id>/release/"): "reservation_operation",
    ("credits.Reservation", "<int:reservation_id>/confirm/"): "reservation_operation",
    ("credits.Retirement", "retire/"): "operation",
    ("credits.Reversal", "reversal/"): "operation",
    ("credits.Conversion", "convert/"): "operation",
    ("benefits.Distribution", "new/"): "operation",
    # keyed by a job's id, not the distribution's: scope and roles in tests/benefits/test_jobs.py
    ("benefits.Distribution", "jobs/<int:job_id>/"): "distribution_job",
    ("benefits.Distribution", "jobs/<int:job_id>/progress/"): "distribution_job",
    ("quantification.CalculationRun", "<int:run_id>/progress/"): "run_page",
    ("quantification.CalculationRun", "<int:run_id>/review/"): "run_review",
    ("quantification.CalculationRun", "<int:run_id>/parcels.csv"): "run_csv",
    ("credits.Issuance", "<int:issuance_id>/contributions.csv"): "issuance_csv",
    ("credits.SerialBlock", "<int:block_id>/parcels.csv"): "block_csv",
    # issue 10: the one door of memberships (move_smallholder), for those who edit the family
    ("smallholders.Smallholder", "<int:smallholder_id>/move/"): "smallholder_move",
}

#: the admin site's own URLs (not a ModelAdmin's)
SITE_PATTERNS = {
    "": "index",
    "login/": "login",
    "logout/": "own_session",
    "password_change/": "own_session",
    "password_change/done/": "own_session",
    "autocomplete/": "autocomplete",
    "jsi18n/": "own_session",
    "r/<path:content_type_id>/<path:object_id>/": "shortcut",
    "^(?P<app_label>smallholders|auth|parcels|quantification|credits|benefits)/$": "app_index",
    "(?P<url>.*)$": "catch_all",
}

#: /admin/import/ (parcels.importing.urls), guarded by the admin
IMPORT_PATTERNS = {
    "": "import_index",
    "<int:job_id>/": "import_job",
    "<int:job_id>/commit/": "import_commit",
    "<int:job_id>/status.json": "import_job",
    "template/<str:kind>-<str:language>.<str:extension>": "import_template",
}


def model_patterns() -> list[tuple[str, str]]:
    """(model label, pattern) of every URL every registered ModelAdmin serves."""
    return [
        (model._meta.label, str(url.pattern))
        for model, model_admin in admin.site._registry.items()
        for url in model_admin.get_urls()
    ]


def site_patterns() -> list[str]:
    return [str(url.pattern) for url in admin.site.get_urls() if not hasattr(url, "url_patterns")]


def import_patterns() -> list[str]:
    return [str(url.pattern) for url in import_urls.urlpatterns]


def kind_of(label: str, pattern: str) -> str | None:
    return CUSTOM_PATTERNS.get((label, pattern)) or MODEL_PATTERNS.get(pattern)
