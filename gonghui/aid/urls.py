from django.urls import path  # noqa: F401 - the pages are added next to this

from gonghui.aid import views  # noqa: F401

app_name = "aid"
urlpatterns: list = []
