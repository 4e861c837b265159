"""Language selection: Spanish first.

Order: the language the person chose (cookie set by the switcher), then their profile language,
then, for API clients only, the Accept-Language header; otherwise Spanish (LANGUAGE_CODE).
Browsers always send Accept-Language, so honouring it in the UI would hide Spanish from
cooperative staff whose phones are set to English.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def _profile_language(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    profile = getattr(user, "profile", None)
    return getattr(profile, "language", None)


def choose_language(request: HttpRequest) -> str:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in SUPPORTED:
        return chosen
    profile_language = _profile_language(request)
    if profile_language in SUPPORTED:
        return profile_language
    if request.path.startswith("/api/"):
        header = translation.get_language_from_request(request)
        if header in SUPPORTED:
            return header
    return settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = choose_language(request)
        request.LANGUAGE_CODE = language
        # override() restores whatever was active before, e.g. in a Celery eager task's caller.
        with translation.override(language):
            response = self.get_response(request)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()  # render templates in the chosen language
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        return response
