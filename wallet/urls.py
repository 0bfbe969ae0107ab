from django.urls import path

from wallet import views

app_name = "wallet"

urlpatterns = [
    path("", views.home, name="home"),
    path("bank-account/", views.bank_account, name="bank_account"),
    path("withdraw/", views.withdraw, name="withdraw"),
    path("topups/<int:topup_id>/", views.topup_return, name="topup_return"),
]
