"""Admin of the credit registry: read-only ledger pages and the operation pages for managers.

Nothing in the ledger is added, changed or deleted through model forms: every write is one
service call from an operation page (`credits.admin_operations`), and ledger events cannot be
changed by anyone. Buyer organisations are created with their account by the service.
"""

from credits import admin_access  # noqa: F401 (registers the API key admin)
from credits.admin import accounts, ledger, trades  # noqa: F401 (register the ledger admins)
