from django.urls import path

from gonghui.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("me/", views.profile, name="profile"),
    path("me/tokens/new/", views.token_new, name="token_new"),
    path("me/tokens/<int:token_id>/revoke/", views.token_delete, name="token_revoke"),
]
