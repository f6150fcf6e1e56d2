from django.urls import path

from gonghui.benefits import views

app_name = "benefits"
urlpatterns = [
    path("till/", views.till, name="till"),
    path("till/sales/<int:pk>/reverse/", views.till_reverse, name="till_reverse"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/participants/", views.campaign_participants, name="campaign_participants"),
    path("campaigns/<int:pk>/<str:action>/", views.campaign_action, name="campaign_action"),
    path("merchants/", views.merchant_list, name="merchants"),
    path("merchants/new/", views.merchant_create, name="merchant_create"),
    path("merchants/<int:pk>/", views.merchant_detail, name="merchant"),
    path("merchants/<int:pk>/edit/", views.merchant_edit, name="merchant_edit"),
    path("merchants/<int:pk>/deactivate/", views.merchant_deactivate, name="merchant_deactivate"),
    path("merchants/<int:pk>/stores/new/", views.store_create, name="store_create"),
    path("merchants/<int:pk>/stores/<int:store_pk>/edit/", views.store_edit, name="store_edit"),
    path("merchants/<int:pk>/stores/<int:store_pk>/<str:action>/", views.store_action, name="store_action"),
    path("merchants/<int:pk>/operators/", views.operator_bind, name="operator_bind"),
    path("merchants/<int:pk>/operators/<int:operator_pk>/unbind/", views.operator_unbind, name="operator_unbind"),
    path("merchants/<int:pk>/operators/<int:operator_pk>/store/", views.operator_move, name="operator_move"),
    path("settlement/", views.settlement, name="settlement"),
    path("settlement/export/", views.settlement_export, name="settlement_export"),
]
