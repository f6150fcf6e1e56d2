from django.urls import path

from gonghui.charity import views

app_name = "charity"
urlpatterns = [
    path("", views.fund_list, name="funds"),
    path("funds/new/", views.fund_new, name="fund_new"),
    path("funds/<int:pk>/", views.fund_detail, name="fund"),
    path("funds/<int:pk>/disclosure/", views.fund_disclosure, name="fund_disclosure"),
    path("funds/<int:pk>/donations/new/", views.donation_new, name="donation_new"),
    path("funds/<int:pk>/projects/new/", views.project_new, name="project_new"),
    path("donations/", views.donation_list, name="donations"),
    path("donations/<int:pk>/", views.donation_detail, name="donation"),
    path("donations/<int:pk>/agreement/", views.donation_agreement, name="donation_agreement"),
    path("donations/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("donations/<int:pk>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("donations/<int:pk>/receipt/issue/", views.receipt_issue, name="receipt_issue"),
    path("receipts/<str:serial>/<str:signature>/", views.receipt_verify, name="receipt_verify"),
    path("public/<int:pk>/<int:year>/<str:signature>/", views.public_disclosure, name="public_disclosure"),
    path("projects/", views.project_list, name="projects"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/disburse/", views.project_disburse, name="project_disburse"),
    path("projects/<int:pk>/student-grant/", views.project_student_grant, name="project_student_grant"),
    path("projects/<int:pk>/activities/", views.project_activity, name="project_activity"),
]
