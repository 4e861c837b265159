from django.urls import path

from benefits import views

app_name = "benefits"

urlpatterns = [
    path("projects/<slug:code>/benefits/", views.transparency, name="transparency"),
    path("statements/<uuid:code>/", views.verify_statement, name="verify-statement"),
]
