from django.urls import include, path

from driftwood.core.urls import api_path
from driftwood.urls import urlpatterns as site_urlpatterns
from tests.core import views

test_api = [
    *api_path("fail", views.FailingApi.as_view(), name="test-fail"),
    *api_path("staff-only", views.StaffOnlyApi.as_view(), name="test-staff-only"),
    *api_path("conflict", views.ConflictApi.as_view(), name="test-conflict"),
    *api_path("money", views.MoneyEchoApi.as_view(), name="test-money"),
    *api_path("effects", views.SideEffectApi.as_view(), name="test-effects"),
    *api_path("users", views.UserListApi.as_view(), name="test-users"),
]

urlpatterns = [path("api/v1/test/", include(test_api)), *site_urlpatterns]
