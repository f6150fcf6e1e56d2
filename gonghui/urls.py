from django.urls import include, path

from gonghui.api import api
from gonghui.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("accounts/", include("gonghui.accounts.urls")),
    path("orgs/", include("gonghui.orgs.urls")),
    path("members/", include("gonghui.members.urls")),
    path("m/", include("gonghui.portal.urls")),
    path("benefits/", include("gonghui.benefits.urls")),
    path("aid/", include("gonghui.aid.urls")),
    path("student-aid/", include("gonghui.student_aid.urls")),
    path("crosscheck/", include("gonghui.crosscheck.urls")),
    path("stations/", include("gonghui.stations.urls")),
    path("rights/", include("gonghui.rights.urls")),
    path("charity/", include("gonghui.charity.urls")),
    path("", include("gonghui.cards.urls")),
    path("", include("gonghui.payouts.urls")),
    path("", include("gonghui.imports.urls")),
    path("", include("gonghui.reports.urls")),
]
