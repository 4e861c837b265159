"""Index types shared by the apps."""

from django.db import models


class BlockRangeIndex(models.Index):
    """A BRIN index on PostgreSQL (a plain index elsewhere).

    For columns whose rows arrive in large contiguous batches, such as the run of per-tree
    results written by one COPY: the index stores one summary per range of table pages, so
    writing a million rows costs almost nothing, where a B-tree entry per row would make
    the run's COPY about twice as slow.
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            using = " USING brin"
        return super().create_sql(model, schema_editor, using=using, **kwargs)
