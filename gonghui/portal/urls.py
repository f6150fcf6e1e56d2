from django.urls import path

from gonghui.portal import station_views, training_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.MemberLoginView.as_view(), name="login"),
    path("logout/", views.MemberLogoutView.as_view(), name="logout"),
    path("activate/", views.activate, name="activate"),
    path("aid/", views.aid_list, name="aid_list"),
    path("aid/new/", views.aid_new, name="aid_new"),
    path("aid/<int:pk>/", views.aid_detail, name="aid_detail"),
    path("aid/<int:pk>/continue/", views.aid_continue, name="aid_continue"),
    path("aid/<int:pk>/withdraw/", views.aid_withdraw, name="aid_withdraw"),
    path("join/", views.join_find, name="join_find"),
    path("join/<str:code>/", views.join, name="join"),
    path("join/<str:code>/qr.svg", views.join_qr, name="join_qr"),
    path("join/<str:code>/done/<str:ref>/", views.join_done, name="join_done"),
    # 驿站 (station_views): the nearest stations, a station's QR page, the volunteer's duties.
    path("stations/", station_views.nearby, name="stations"),
    path("s/<str:code>/", station_views.station, name="station"),
    path("s/<str:code>/visit/", station_views.station_visit, name="station_visit"),
    path("s/<str:code>/checkin/", station_views.station_checkin, name="station_checkin"),
    path("s/<str:code>/checkout/", station_views.station_checkout, name="station_checkout"),
    path("s/<str:code>/join/", station_views.station_join, name="station_join"),
    path("duty/", station_views.my_duty, name="my_duty"),
    path("duty/<int:shift_id>/log/", station_views.duty_log, name="duty_log"),
    path("duty/<int:shift_id>/take/", station_views.duty_take, name="duty_take"),
    path("duty/swap/<int:assignment_id>/", station_views.swap_ask, name="swap_ask"),
    path("duty/swaps/<int:swap_id>/<str:action>/", station_views.swap_act, name="swap_act"),
]
urlpatterns += [
    path("honors/", views.honor_list, name="honor_list"),
    path("honors/<int:pk>/certificate.pdf", views.honor_certificate, name="honor_certificate"),
    # 技能培训 (training_views): open classes, enrolment, my classes, a session's QR check-in.
    path("training/", training_views.classes, name="training_classes"),
    path("training/<int:pk>/", training_views.class_page, name="training_class"),
    path("training/checkin/<str:code>/", training_views.checkin, name="training_checkin"),
    path("training/checkin/<str:code>/go/", training_views.checkin_post, name="training_checkin_post"),
    path("activities/", training_views.activities, name="activities"),
    path("activities/<int:pk>/signup/", training_views.activity_signup, name="activity_signup"),
    path("a/<str:code>/", training_views.activity_checkin, name="activity_checkin"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<str:number>/", views.case_detail, name="case_detail"),
]
