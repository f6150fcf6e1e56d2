from django.urls import path

from gonghui.cards import views

app_name = "cards"
urlpatterns = [
    path("payouts/", views.payout_list, name="payouts"),
    path("payouts/new/", views.payout_create, name="payout_create"),
    path("payouts/<int:pk>/", views.payout_detail, name="payout"),
    path("payouts/<int:pk>/items/", views.payout_items_lines, name="payout_items_lines"),
    path("payouts/<int:pk>/items/all/", views.payout_items_all, name="payout_items_all"),
    path("payouts/<int:pk>/bank-file/", views.payout_bank_file, name="payout_bank_file"),
    path("payouts/<int:pk>/<str:action>/", views.payout_action, name="payout_action"),
    path("cards/", views.card_list, name="cards"),
    path("cards/apply/", views.card_apply_batch, name="card_apply_batch"),
    path("cards/apply/<int:ms_pk>/", views.card_apply, name="card_apply"),
    path("cards/<int:pk>/", views.card_detail, name="card"),
    path("cards/<int:pk>/<str:action>/", views.card_action, name="card_action"),
]
