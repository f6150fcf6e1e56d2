from django.urls import path

from gonghui.members import views

app_name = "members"
urlpatterns = [
    path("", views.roster, name="roster"),
    path("new/", views.register, name="register"),
    path("applications/", views.applications, name="applications"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/new/", views.transfer_request, name="transfer_request"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer"),
    path("transfers/<int:pk>/<str:action>/", views.transfer_decide, name="transfer_decide"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/reveal-id/", views.reveal_id, name="reveal_id"),
    path("<int:pk>/<str:action>/", views.transition, name="transition"),
]
