from django.urls import path

from gonghui.benefits import views

app_name = "benefits"
urlpatterns = [path("till/", views.till, name="till")]
