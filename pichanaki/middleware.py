"""The project's middleware: the language of each request, and NUL characters refused.

Language, Spanish first. Order: the language the person chose (cookie set by the switcher),
then their profile language, then, for API clients only, the Accept-Language header; otherwise
Spanish (LANGUAGE_CODE). Browsers always send Accept-Language, so honouring it in the UI would
hide Spanish from cooperative staff whose phones are set to English.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

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


class NulParametersMiddleware:
    """A NUL character in a query parameter or a form field (name or value) is a 400.

    No text a person types holds one, PostgreSQL text cannot (psycopg raises DataError: a 500
    wherever such a value reaches a query unvalidated, e.g. a list filter or an action's
    selection), and Django's form fields refuse it anyway: checked once here, not in each view.
    Form fields are checked where CsrfViewMiddleware has read them already (a POST to a view
    that is not CSRF-exempt); the API's views are, and their serializers refuse NUL. Files
    are not parameters: they may hold NUL bytes.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        form = request.method == "POST" and not getattr(view_func, "csrf_exempt", False)
        if _holds_nul(request.GET) or (form and _holds_nul(request.POST)):
            return _nul_refused(request)
        return None


def _holds_nul(parameters: QueryDict) -> bool:
    return any(
        "\x00" in name or any("\x00" in value for value in values)
        for name, values in parameters.lists()
    )


def _nul_refused(request: HttpRequest) -> HttpResponse:
    message = _("A parameter of the request holds a NUL character.")
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "invalid", "message": message}}, status=400)
    return render(request, "400.html", {"exception": message}, status=400)
