from django.urls import path

from parcels import views

app_name = "parcels"

urlpatterns = [
    path("parcels/export/eudr.geojson", views.export_eudr, name="export-eudr"),
    path("parcels/export/parcels.csv", views.export_csv, name="export-csv"),
    path("files/parcels/<int:pk>/eligibility", views.eligibility_file, name="eligibility-file"),
]
