from django.urls import path

from gonghui.portal import views

app_name = "portal"
urlpatterns = [
    path("join/", views.join_find, name="join_find"),
    path("join/<str:code>/", views.join, name="join"),
    path("join/<str:code>/qr.svg", views.join_qr, name="join_qr"),
    path("join/<str:code>/done/<str:ref>/", views.join_done, name="join_done"),
]
