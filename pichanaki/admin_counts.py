"""Admin lists whose count does not grow with the table: exact when small, estimated when large.

Django's changelist counts every row it could list (`SELECT COUNT(*)` over the filtered and
scoped rows) to print "N rows" and the page links: a cost that grows with the project, paid on
every list page. `CappedCountPaginator` counts at most `EXACT_UP_TO` + 1 rows; a list with more
than that gets the query planner's estimate of its rows on PostgreSQL (never less than the rows
counted), shown as "≈ N" by `admin/pagination.html`. Other databases count exactly.
"""

import json
from functools import cached_property

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet

#: lists of up to this many rows are counted exactly (a few milliseconds at most)
EXACT_UP_TO = 1000


class CappedCountPaginator(Paginator):
    exact_up_to = EXACT_UP_TO
    _estimated = False

    @property
    def estimated(self) -> bool:
        """True when `count` is the planner's estimate (the list has more than `exact_up_to`
        rows); counts first if need be."""
        return self.count >= 0 and self._estimated

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return super().count
        counted = rows.order_by()[: self.exact_up_to + 1].count()
        if counted <= self.exact_up_to:
            return counted
        if connections[rows.db].vendor != "postgresql":
            return rows.count()
        self._estimated = True
        return max(_planned_rows(rows), counted)

    def validate_number(self, number: int | float | str) -> int:
        """An estimate may fall short: a page past its last page shows what is there (or
        nothing) rather than the "invalid page" error."""
        if not self.estimated:
            return super().validate_number(number)
        try:
            return max(int(number), 1)
        except (TypeError, ValueError):
            return super().validate_number(number)


def _planned_rows(rows: QuerySet) -> int:
    """The planner's estimate of the rows of `rows` (EXPLAIN plans; it does not run the query)."""
    sql, params = rows.order_by().values("pk").query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])
