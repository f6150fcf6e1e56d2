from django.urls import path

from gonghui.student_aid import views

app_name = "student_aid"
urlpatterns = [
    path("", views.application_list, name="applications"),
    path("new/", views.application_create, name="application_create"),
    path("<int:pk>/", views.application_detail, name="application"),
    path("<int:pk>/continue/", views.application_continue, name="application_continue"),
    path("<int:pk>/<str:action>/", views.application_action, name="application_action"),
    path("publications/", views.publication_list, name="publications"),
    path("publications/new/", views.publication_create, name="publication_create"),
    path("publications/<int:pk>/", views.publication_detail, name="publication"),
    path("publications/<int:pk>/objections/", views.objection_record, name="objection_record"),
    path(
        "publications/<int:pk>/objections/<int:objection_pk>/resolve/",
        views.objection_resolve,
        name="objection_resolve",
    ),
    path("publications/<int:pk>/notice/", views.publication_notice, name="publication_notice"),
    path("publications/<int:pk>/close/", views.publication_close, name="publication_close"),
    path("publications/<int:pk>/payout/", views.publication_disburse, name="publication_disburse"),
    path("standards/", views.standards, name="standards"),
]
