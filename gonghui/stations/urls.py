from django.urls import path

from gonghui.stations import week

app_name = "stations"
urlpatterns = [
    path("<str:code>/week/", week.week, name="week"),
    path("<str:code>/week.xlsx", week.week_export, name="week_export"),
    path("<str:code>/incidents/<int:pk>/resolve/", week.incident_resolve, name="incident_resolve"),
]
