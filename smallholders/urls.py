from django.urls import path

from smallholders import views

app_name = "smallholders"

urlpatterns = [
    path("files/smallholders/<int:pk>/agreement", views.agreement_file, name="agreement-file"),
]
