from django.urls import path

from gonghui.notices import views

app_name = "notices"

urlpatterns = [
    path("<str:token>/", views.public_page, name="public"),
    path("<str:token>/print/", views.notice_print, name="print"),
    path("<str:token>/qr.svg", views.notice_qr, name="qr"),
]
