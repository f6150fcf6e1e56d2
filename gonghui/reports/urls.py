from django.urls import path

from gonghui.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("audit/", views.audit, name="audit"),
]
