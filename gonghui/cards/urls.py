from django.urls import path

from gonghui.cards import views

app_name = "cards"
urlpatterns = [
    path("cards/", views.card_list, name="cards"),
    path("cards/apply/", views.card_apply_batch, name="card_apply_batch"),
    path("cards/apply/<int:ms_pk>/", views.card_apply, name="card_apply"),
    path("cards/<int:pk>/", views.card_detail, name="card"),
    path("cards/<int:pk>/<str:action>/", views.card_action, name="card_action"),
]
