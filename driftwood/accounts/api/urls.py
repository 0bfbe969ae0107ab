from driftwood.accounts.api import passwords, views
from driftwood.core.urls import api_path

urlpatterns = [
    *api_path("auth/register", views.UserRegisterApi.as_view(), name="auth-register"),
    *api_path("auth/login", views.UserLoginApi.as_view(), name="auth-login"),
    *api_path("auth/refresh", views.TokenRefreshApi.as_view(), name="auth-refresh"),
    *api_path("auth/password/reset", passwords.PasswordResetApi.as_view(), name="auth-password-reset"),
    *api_path(
        "auth/password/reset/confirm", passwords.PasswordResetConfirmApi.as_view(), name="auth-password-reset-confirm"
    ),
    *api_path("auth/password/change", passwords.PasswordChangeApi.as_view(), name="auth-password-change"),
    *api_path("me", views.MeApi.as_view(), name="me"),
]
