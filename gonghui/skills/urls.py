from django.urls import path

from gonghui.skills import innovation_views, results_views, training_views, views

app_name = "skills"
urlpatterns = [
    path("contests/", views.contest_list, name="contests"),
    path("contests/new/", views.contest_new, name="contest_new"),
    path("contests/<int:pk>/", views.contest_detail, name="contest"),
    path("contests/<int:pk>/events/new/", views.event_new, name="event_new"),
    path("contests/<int:pk>/judges/new/", views.judge_new, name="judge_new"),
    path("contests/<int:pk>/register/", views.entry_new, name="entry_new"),
    path("contests/<int:pk>/events/<int:event_pk>/scores/", views.score_sheet, name="score_sheet"),
    path("contests/<int:pk>/check/", views.check_page, name="check"),
    path("contests/<int:pk>/scores/<int:score_pk>/resolve/", views.score_resolve, name="score_resolve"),
    path("contests/<int:pk>/ranking/", views.ranking_page, name="ranking"),
    path("contests/<int:pk>/publish/", results_views.publish, name="results_publish"),
    path("contests/<int:pk>/objections/", results_views.objection_record, name="objection_record"),
    path(
        "contests/<int:pk>/objections/<int:objection_pk>/resolve/",
        results_views.objection_resolve,
        name="objection_resolve",
    ),
    path("contests/<int:pk>/close/", results_views.close, name="results_close"),
    path("contests/<int:pk>/certificates/", results_views.certificates, name="certificates"),
    path("contests/<int:pk>/entries/<int:entry_pk>/recommend/", results_views.recommend, name="recommend"),
    path("contests/<int:pk>/entries/<int:entry_pk>/withdraw/", results_views.withdraw, name="withdraw"),
    path("classes/", training_views.class_list, name="classes"),
    path("classes/new/", training_views.class_new, name="class_new"),
    path("classes/<int:pk>/", training_views.class_detail, name="class"),
    path("classes/<int:pk>/enrol/", training_views.enrol, name="enrol"),
    path(
        "classes/<int:pk>/enrolments/<int:enrolment_pk>/<str:action>/",
        training_views.enrolment_action,
        name="enrolment_action",
    ),
    path("classes/<int:pk>/sessions/<int:session_pk>/attendance/", training_views.attendance, name="attendance"),
    path("classes/<int:pk>/sessions/<int:session_pk>/qr/", training_views.session_qr, name="session_qr"),
    path("classes/<int:pk>/certificates/", training_views.certificates, name="class_certificates"),
    path("classes/<int:pk>/complete/", training_views.class_complete, name="class_complete"),
    path("plans/", training_views.plans, name="plans"),
    path("studios/", innovation_views.studio_list, name="studios"),
    path("studios/<int:pk>/", innovation_views.studio_detail, name="studio"),
    path("studios/<int:pk>/apply/", innovation_views.studio_apply, name="studio_apply"),
    path("innovations/", innovation_views.innovation_list, name="innovations"),
    path("innovations/<int:pk>/review/", innovation_views.innovation_review, name="innovation_review"),
    path("activities/", innovation_views.activity_list, name="activities"),
    path("activities/<int:pk>/qr/", innovation_views.activity_qr, name="activity_qr"),
]
