"""Admin columns and read-only values of figures, through `pichanaki.numbers`.

The admin would print a Decimal with all its stored places and no thousands separator
(`243279,611`, `1,7394`). `NumbersAdmin` shows each numeric model field with its unit's
precision, localised: in lists and wherever the field is read-only. It swaps the field name for
`fig__<name>`, a display method resolved by `__getattr__` (sortable like the field).
"""

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist

from pichanaki import numbers

PREFIX = "fig__"


class NumbersAdmin:
    def _figure(self, name: object) -> object:
        if not isinstance(name, str) or name.startswith(PREFIX):
            return name
        try:
            field = self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return name
        return name if numbers.decimals_for(field) is None else PREFIX + name

    def __getattr__(self, name: str):
        if not name.startswith(PREFIX):
            raise AttributeError(name)
        field = self.model._meta.get_field(name.removeprefix(PREFIX))
        decimals = numbers.decimals_for(field)

        @admin.display(description=field.verbose_name, ordering=field.name)
        def show(obj: object) -> str:
            return numbers.number(getattr(obj, field.name), decimals)

        show.__name__ = name
        return show

    def get_list_display(self, request):
        return [self._figure(name) for name in super().get_list_display(request)]

    def get_readonly_fields(self, request, obj=None):
        # The originals stay (so the form leaves them out); their figures are added.
        names = list(super().get_readonly_fields(request, obj))
        return names + [f for f in map(self._figure, names) if f not in names]

    def get_fieldsets(self, request, obj=None):
        shown = set(self.get_readonly_fields(request, obj))
        every = obj is not None and not self.has_change_permission(request, obj)
        seen: set = set()

        def swap(names: list) -> list:
            out = []
            for name in names:
                figure = self._figure(name)
                name = figure if every or figure in shown else name
                if isinstance(name, str) and (name in seen or name.removeprefix(PREFIX) in seen):
                    continue
                seen.add(name)
                out.append(name)
            return out

        return [
            (title, {**options, "fields": swap(options["fields"])})
            for title, options in super().get_fieldsets(request, obj)
        ]
