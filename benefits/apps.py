from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenefitsConfig(AppConfig):
    name = "benefits"
    verbose_name = _("Benefit sharing")

    def ready(self) -> None:
        from benefits.chain import (
            TABLES,
            payment_chain_projects,
            payment_head,
            verify_payment_chain,
        )
        from credits.chain import describe_break
        from pichanaki.ledgers import ChainedLedger, register_ledger

        register_ledger(
            ChainedLedger(
                key="payments",
                name=_("payment ledger"),
                project_ids=payment_chain_projects,
                head=payment_head,
                verify=verify_payment_chain,
                describe=describe_break,
                hash_at=TABLES.hash_at,
            ),
        )
