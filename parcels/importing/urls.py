"""Mounted under /admin/import/ (before the admin's own URLs) by pichanaki/urls.py."""

from django.contrib import admin
from django.urls import path

from parcels.importing import views

app_name = "parcels_import"
guard = admin.site.admin_view  # login, staff and the admin's CSRF/cache headers

urlpatterns = [
    path("", guard(views.import_index), name="index"),
    path("<int:job_id>/", guard(views.job_detail), name="job"),
    path("<int:job_id>/commit/", guard(views.job_commit), name="commit"),
    path("<int:job_id>/status.json", guard(views.job_status), name="status"),
    path(
        "template/<str:kind>-<str:language>.<str:extension>",
        guard(views.template_download),
        name="template",
    ),
]
