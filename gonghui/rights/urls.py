from django.urls import path

from gonghui.rights import legal_views, views

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
urlpatterns += [
    path("lawyers/", legal_views.lawyer_list, name="lawyers"),
    path("lawyers/new/", legal_views.lawyer_new, name="lawyer_new"),
    path("lawyers/<int:pk>/edit/", legal_views.lawyer_edit, name="lawyer_edit"),
    path("legal-aid/", legal_views.aid_list, name="legal_aid"),
    path("legal-aid/new/", legal_views.aid_new, name="aid_new"),
    path("legal-aid/<int:pk>/", legal_views.aid_detail, name="aid"),
    path("visits/", legal_views.visit_list, name="visits"),
    path("visits/new/", legal_views.visit_new, name="visit_new"),
    path("visits/<int:pk>/", legal_views.visit_detail, name="visit"),
]
