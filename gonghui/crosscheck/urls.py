from django.urls import path  # noqa: F401 - the pages are added next to this

from gonghui.crosscheck import views  # noqa: F401

app_name = "crosscheck"
urlpatterns: list = []
