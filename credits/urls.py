from django.urls import path

from credits import views

app_name = "credits"

urlpatterns = [
    path("", views.project_list, name="projects"),
    path("projects/<slug:code>/", views.project_detail, name="project"),
    path("serials/", views.serial_lookup, name="serials"),
    path("retirements/<uuid:code>/", views.verify_retirement, name="verify"),
    path("retirements/<uuid:code>/certificate.pdf", views.certificate_pdf, name="certificate"),
]
