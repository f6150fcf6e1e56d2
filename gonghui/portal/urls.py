from django.urls import path

from gonghui.portal import views

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
]
urlpatterns += [
    path("cases/", views.case_list, name="case_list"),
    path("cases/<str:number>/", views.case_detail, name="case_detail"),
]
