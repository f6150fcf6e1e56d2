from django.urls import path

from gonghui.honors import allowance_views, lecture_views, views

app_name = "honors"

urlpatterns = [
    path("", views.campaign_list, name="campaigns"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("register/", views.register, name="register"),
    path("lectures/", lecture_views.lecture_list, name="lectures"),
    path("lectures/new/", lecture_views.lecture_create, name="lecture_create"),
    path("lectures/export/", lecture_views.lecture_export, name="lectures_export"),
    path("lectures/<int:pk>/edit/", lecture_views.lecture_edit, name="lecture_edit"),
    path("speakers/<int:person_id>/", lecture_views.speaker_detail, name="speaker"),
    path("allowance/", allowance_views.allowance_page, name="allowance"),
    path("allowance/standard/", allowance_views.allowance_standard, name="allowance_standard"),
    path("allowance/batch/", allowance_views.allowance_batch, name="allowance_batch"),
    path("<int:pk>/", views.campaign_detail, name="campaign"),
    path("<int:pk>/nominate/", views.nomination_create, name="nominate"),
    path("<int:pk>/criteria/", views.criteria_set, name="criteria"),
    path("<int:pk>/submit/", views.list_submit, name="list_submit"),
    path("<int:pk>/publish/", views.campaign_publish, name="publish"),
    path("<int:pk>/close/", views.publication_close, name="close"),
    path("<int:pk>/announce/", views.campaign_announce, name="announce"),
    path("nominations/<int:pk>/", views.nomination_detail, name="nomination"),
    path("nominations/<int:pk>/review/", views.nomination_review, name="review"),
    path("nominations/<int:pk>/score/", views.nomination_score, name="score"),
    path("nominations/<int:pk>/conflict/", views.conflict_declare, name="conflict"),
    path("nominations/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("nominations/<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
]
