"""The smallholder's fields, declared once: the form, the API, the services and the importer
all take their lists from here, so a new field (or a sensitive one) is added in one place."""

#: who the person is in a project: set when registering, fixed afterwards
IDENTITY_FIELDS = ("project", "cooperative", "dni")
#: what `update_smallholder` may change, in the order forms show them
UPDATABLE_FIELDS = (
    "first_name",
    "last_name",
    "gender",
    "birth_year",
    "phone",
    "community",
    "district",
    "agreement_signed_on",
    "agreement_document",
    "payment_method",
    "bank_name",
    "bank_account",
    "cci",
    "wallet_phone",
    "notes",
)
#: personal data: null in the API for those who may not read it (the DNI is masked)
PERSONAL_FIELDS = ("phone", "payment_method", "bank_name", "bank_account", "cci", "wallet_phone")
#: free text, imported as written (the other updatable fields are parsed: choices, numbers, dates)
TEXT_FIELDS = tuple(
    name
    for name in UPDATABLE_FIELDS
    if name not in {"gender", "birth_year", "agreement_signed_on", "agreement_document",
                    "payment_method"}
)  # fmt: skip
