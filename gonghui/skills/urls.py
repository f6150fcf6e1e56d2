from django.urls import path

from gonghui.skills import views

app_name = "skills"
urlpatterns = [
    path("contests/", views.contest_list, name="contests"),
    path("classes/", views.contest_list, name="classes"),
]
