from driftwood.accounts.api import credentials, views
from driftwood.core.urls import api_path

urlpatterns = [
    *api_path("auth/register", views.UserRegisterApi.as_view(), name="auth-register"),
    *api_path("auth/login", views.UserLoginApi.as_view(), name="auth-login"),
    *api_path("auth/refresh", views.TokenRefreshApi.as_view(), name="auth-refresh"),
    *api_path("auth/password/reset", credentials.PasswordResetApi.as_view(), name="auth-password-reset"),
    *api_path(
        "auth/password/reset/confirm", credentials.PasswordResetConfirmApi.as_view(), name="auth-password-reset-confirm"
    ),
    *api_path("auth/password/change", credentials.PasswordChangeApi.as_view(), name="auth-password-change"),
    *api_path("me", views.MeApi.as_view(), name="me"),
    *api_path("me/email", credentials.EmailChangeApi.as_view(), name="me-email"),
]
