from django.urls import path

from gonghui.aid import views

app_name = "aid"
urlpatterns = [
    path("files/", views.file_list, name="files"),
    path("files/new/", views.file_new, name="file_new"),
    path("files/<int:pk>/", views.file_detail, name="file"),
    path("files/<int:pk>/authorization/", views.file_authorization, name="file_authorization"),
    path("files/<int:pk>/incomes/", views.file_income, name="file_income"),
    path("files/<int:pk>/close/", views.file_close, name="file_close"),
    path("files/<int:pk>/<str:decision>/", views.file_decide, name="file_decide"),
    path("reviews/", views.review_page, name="reviews"),
    path("reviews/open/", views.review_open, name="review_open"),
    path("reviews/<int:pk>/", views.review_record, name="review_record"),
    path("relief/", views.relief_list, name="relief"),
    path("relief/new/", views.relief_new, name="relief_new"),
    path("standards/", views.standard_page, name="standards"),
]
