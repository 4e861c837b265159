from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from pichanaki import api, views

admin.site.site_header = "pichanaki"
admin.site.site_title = "pichanaki"
admin.site.enable_nav_sidebar = False  # the breadcrumbs navigate; lists get the full width

api_v1: list[URLPattern | URLResolver] = [
    path("", include("smallholders.api.urls")),
    path("", include("parcels.api.urls")),
    path("", include("quantification.api.urls")),
    path("", include("credits.api.urls")),
    path("", include("benefits.api.urls")),
    # Last: paths ending in "/" that no endpoint matches (without the slash, APPEND_SLASH first).
    re_path(r"^(?P<path>.+/)$", api.not_found),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("admin/import/", include("parcels.importing.urls")),
    path("admin/", admin.site.urls),
    path("registry/", include("credits.urls")),
    path("registry/", include("benefits.urls")),
    path("panel/", include("backoffice.urls")),
    path("api/v1/", include(api_v1)),
    path("", include("parcels.urls")),
    path("", include("smallholders.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
