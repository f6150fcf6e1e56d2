from django.urls import path

from gonghui.crosscheck import views

app_name = "crosscheck"
urlpatterns = [
    path("", views.review_queue, name="reviews"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("lists/", views.agency_lists, name="lists"),
]
