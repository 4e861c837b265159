from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo project: top floor, it calls every app's services and nothing imports it."""

    name = "demo"  # no models and no admin: its name is never shown, so it is not translated
