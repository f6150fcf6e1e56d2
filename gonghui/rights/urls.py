from django.urls import path

from gonghui.rights import views

app_name = "rights"
urlpatterns = [
    path("cases/", views.case_list, name="cases"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/<str:action>/", views.case_act, name="case_act"),
    path("supervision/", views.supervision, name="supervision"),
]
urlpatterns += [
    path("contracts/", views.contract_list, name="contracts"),
    path("contracts/new/", views.contract_new, name="contract_new"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract"),
    path("contracts/<int:pk>/<str:action>/", views.contract_act, name="contract_act"),
]
urlpatterns += [
    path("requests/", views.request_list, name="requests"),
    path("requests/<int:pk>/reply/", views.request_reply, name="request_reply"),
]
