from django.urls import path

from gonghui.notices import views

app_name = "notices"

urlpatterns = [
    path("certificates/pdf/", views.certificates_download, name="certificates_pdf"),
    path("certificates/verify/<str:token>/", views.certificate_verify, name="verify"),
    path("<str:token>/", views.public_page, name="public"),
    path("<str:token>/print/", views.notice_print, name="print"),
    path("<str:token>/qr.svg", views.notice_qr, name="qr"),
]
