"""Signals of the parcels app, for the apps above it: field data's own, defined with the
smallholders (the lower floor, whose services announce writes too) and named here as well."""

from smallholders.signals import announce_field_data_written, field_data_written

__all__ = ["announce_field_data_written", "field_data_written"]
