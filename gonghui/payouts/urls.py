from django.urls import path

from gonghui.payouts import views

app_name = "payouts"
urlpatterns = [
    path("payouts/", views.payout_list, name="payouts"),
    path("payouts/new/", views.payout_create, name="payout_create"),
    path("payouts/<int:pk>/", views.payout_detail, name="payout"),
    path("payouts/<int:pk>/items/", views.payout_items_lines, name="payout_items_lines"),
    path("payouts/<int:pk>/items/all/", views.payout_items_all, name="payout_items_all"),
    path("payouts/<int:pk>/bank-file/", views.payout_bank_file, name="payout_bank_file"),
    path("payouts/<int:pk>/<str:action>/", views.payout_action, name="payout_action"),
]
