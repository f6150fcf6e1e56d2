from django.urls import path

from gonghui.imports import synonym_views, views

app_name = "imports"
urlpatterns = [
    path("imports/", views.job_list, name="bulk_jobs"),
    path("imports/new/", views.upload, name="bulk_upload"),
    path("imports/export/", views.export, name="bulk_export"),
    path("imports/templates/<str:kind>/", views.template_download, name="bulk_template"),
    path("imports/preview/<str:token>/", views.preview, name="bulk_preview"),
    path("imports/preview/<str:token>/start/", views.preview_start, name="bulk_preview_start"),
    path("imports/preview/<str:token>/cancel/", views.preview_cancel, name="bulk_preview_cancel"),
    path("imports/<int:pk>/", views.job_detail, name="bulk_job"),
    path("imports/<int:pk>/status/", views.job_status, name="bulk_job_status"),
    path("imports/<int:pk>/rerun/", views.job_rerun, name="bulk_job_rerun"),
    path("imports/<int:pk>/download/", views.job_download, name="bulk_job_download"),
    path("synonyms/", synonym_views.synonym_list, name="synonyms"),
    path("synonyms/<str:table>/add/", synonym_views.synonym_create, name="synonym_add"),
    path("synonyms/<int:pk>/delete/", synonym_views.synonym_remove, name="synonym_delete"),
]
