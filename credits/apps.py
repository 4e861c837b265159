from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditsConfig(AppConfig):
    name = "credits"
    verbose_name = _("Credit registry")

    def ready(self) -> None:
        from credits.chain import (
            TABLES,
            chain_head,
            chain_projects,
            describe_break,
            verify_chain,
        )
        from pichanaki.ledgers import ChainedLedger, register_ledger

        register_ledger(
            ChainedLedger(
                key="credits",
                name=_("credit ledger"),
                project_ids=chain_projects,
                head=chain_head,
                verify=verify_chain,
                describe=describe_break,
                hash_at=TABLES.hash_at,
            ),
        )
