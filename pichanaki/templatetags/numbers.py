"""`{% load numbers %}`: {{ x|number }}, {{ x|number:2 }}, {{ x|hectares }}, {{ x|tonnes }},
{{ x|money }}, {{ x|units }}, {{ species|species }} (see `pichanaki.numbers`)."""

from django import template

from pichanaki import numbers

register = template.Library()

register.filter("number", numbers.number)
register.filter("hectares", numbers.hectares)
register.filter("tonnes", numbers.tonnes)
register.filter("money", numbers.money)
register.filter("units", numbers.units)
register.filter("species", numbers.species_label)
