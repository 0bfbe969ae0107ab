"""drf-spectacular's settings for the OpenAPI schema (read by driftwood/settings.py)."""

SPECTACULAR_SETTINGS = {
    "TITLE": "Driftwood API",
    "DESCRIPTION": "Esports tournaments, wallets and chat for Malaysian players (MYR).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "PREPROCESSING_HOOKS": ["driftwood.core.schema.drop_trailing_slash_duplicates"],
    # Several models have a `status` field with different choices: name each enum explicitly.
    "ENUM_NAME_OVERRIDES": {
        "TopUpStatusEnum": "wallet.models.TopUp.Status",
        "TopUpPaymentMethodEnum": "wallet.services.payment_methods.Method",
        "FpxBankEnum": "wallet.services.payment_methods.FPX_BANK_CHOICES",
        "WithdrawalStatusEnum": "wallet.models.Withdrawal.Status",
        "EventStatusEnum": "tournaments.models.Event.Status",
        "RegistrationStatusEnum": "tournaments.models.Registration.Status",
        "PaymentMethodEnum": "tournaments.models.ParticipantPayment.Method",
        "FriendshipStatusEnum": "social.models.Friendship.Status",
        "ReportStatusEnum": "social.models.Report.Status",
        "SlotSourceEnum": "tournaments.models.Match.Source",
        "SeedingMethodEnum": "tournaments.models.Event.Seeding",
        "MatchStatusEnum": "tournaments.models.Match.Status",
        "DisputeStatusEnum": "tournaments.models.Dispute.Status",
        "TeamInviteStatusEnum": "tournaments.models.TeamInvite.Status",
    },
}
