from django.urls import path

from gonghui.stations import views, week

app_name = "stations"
urlpatterns = [
    path("", views.station_list, name="list"),
    path("new/", views.station_new, name="new"),
    path("map/", views.station_map, name="map"),
    path("swaps/", views.swap_list, name="swaps"),
    path("<str:code>/", views.station_detail, name="detail"),
    path("<str:code>/edit/", views.station_edit, name="edit"),
    path("<str:code>/close/", views.station_close, name="close"),
    path("<str:code>/reopen/", views.station_reopen, name="reopen"),
    path("<str:code>/closed-days/", views.closed_day_add, name="closed_day"),
    path("<str:code>/qr.svg", views.station_qr, name="qr"),
    path("<str:code>/poster/", views.station_poster, name="poster"),
    path("<str:code>/inspection/", views.inspection_record, name="inspection"),
    path("<str:code>/photos/", views.photo_add, name="photo_add"),
    path("<str:code>/photos/<int:pk>/", views.photo_file, name="photo"),
    path("<str:code>/photos/<int:pk>/delete/", views.photo_delete, name="photo_delete"),
    path("<str:code>/roster/", views.roster, name="roster"),
    path("<str:code>/roster/groups/", views.group_new, name="group_new"),
    path("<str:code>/roster/calendar/", views.calendar_generate, name="calendar"),
    path("<str:code>/roster/volunteers/<int:pk>/<str:decision>/", views.volunteer_decide, name="volunteer_decide"),
    path("<str:code>/roster/swaps/<int:pk>/<str:decision>/", views.swap_decide, name="swap_decide"),
    path("<str:code>/week/", week.week, name="week"),
    path("<str:code>/week.xlsx", week.week_export, name="week_export"),
    path("<str:code>/incidents/<int:pk>/resolve/", week.incident_resolve, name="incident_resolve"),
]
