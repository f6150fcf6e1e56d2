from django.urls import path

from gonghui.core import bulk_views, views

app_name = "core"
urlpatterns = [
    path("audit/", views.audit, name="audit"),
    path("imports/", bulk_views.job_list, name="bulk_jobs"),
    path("imports/new/", bulk_views.upload, name="bulk_upload"),
    path("imports/export/", bulk_views.export, name="bulk_export"),
    path("imports/templates/<str:kind>/", bulk_views.template_download, name="bulk_template"),
    path("imports/preview/<str:token>/", bulk_views.preview, name="bulk_preview"),
    path("imports/preview/<str:token>/start/", bulk_views.preview_start, name="bulk_preview_start"),
    path("imports/preview/<str:token>/cancel/", bulk_views.preview_cancel, name="bulk_preview_cancel"),
    path("imports/<int:pk>/", bulk_views.job_detail, name="bulk_job"),
    path("imports/<int:pk>/status/", bulk_views.job_status, name="bulk_job_status"),
    path("imports/<int:pk>/rerun/", bulk_views.job_rerun, name="bulk_job_rerun"),
    path("imports/<int:pk>/download/", bulk_views.job_download, name="bulk_job_download"),
]
