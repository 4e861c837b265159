from django.urls import path

from backoffice import field_views, views

app_name = "backoffice"

urlpatterns = [
    path("", views.panel_home, name="home"),
    path("<slug:code>/", views.project_dashboard, name="dashboard"),
    path("<slug:code>/map/", views.project_map, name="map"),
    path("<slug:code>/families/", views.families, name="families"),
    path("<slug:code>/families/new/", field_views.register_family, name="family-new"),
    path("<slug:code>/families/<int:smallholder_id>/", views.family, name="family"),
    path(
        "<slug:code>/families/<int:smallholder_id>/planting/",
        field_views.record_planting,
        name="planting-new",
    ),
    path(
        "<slug:code>/families/<int:smallholder_id>/survival/",
        field_views.record_survival,
        name="survival-new",
    ),
    path("<slug:code>/map/parcels.geojson", views.map_data, name="map-data"),
    path("<slug:code>/map/tiles/<int:z>/<int:x>/<int:y>.pbf", views.map_tile, name="map-tile"),
    path("<slug:code>/unmonitored/", views.unmonitored, name="unmonitored"),
    path("<slug:code>/low-survival/", views.low_survival, name="low-survival"),
    path(
        "<slug:code>/charts/<slug:key>.csv",
        views.chart_download,
        {"fmt": "csv"},
        name="chart-csv",
    ),
    path(
        "<slug:code>/charts/<slug:key>.xlsx",
        views.chart_download,
        {"fmt": "xlsx"},
        name="chart-xlsx",
    ),
    path("<slug:code>/report/<int:year>.pdf", views.annual_report, name="report"),
]
