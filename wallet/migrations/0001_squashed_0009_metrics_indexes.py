"""Wallet migrations 0001-0009 in one, for new databases.

Made as `manage.py squashmigrations` makes them (`replaces`: a database that applied any of the
replaced migrations goes on with those; only a fresh one runs this), but written from the app's
final migration state: one CreateModel per model, columns in the order the replaced migrations left
them. Django's optimizer cannot fold a later AddField/AlterField/AddIndex into a CreateModel across
a RunPython, a RunSQL or a trigger, so those run last, in their original order; on the new, empty
tables each does what it did in wallet 0003_double_entry (the functions are copied from there unchanged).
"""

import django.db.models.deletion
import django.db.models.expressions
import django.utils.timezone
import pgtrigger.compiler
import pgtrigger.migrations
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


OUTSIDE_ACCOUNTS = ("stripe:clearing", "bank:payouts", "stripe:refunds", "platform:adjustments")


def _outside_account(entry, net):
    if entry.transaction_type == "topup" or (entry.transaction_type == "entry_fee" and net > 0):
        return "stripe:clearing"
    if entry.transaction_type == "withdrawal":
        return "bank:payouts"
    if entry.transaction_type == "refund" and net < 0:
        return "stripe:refunds"
    return "platform:adjustments"


def topups_mark_booked(apps, schema_editor):
    """Top-ups whose success was credited came in through Stripe clearing."""
    TopUp = apps.get_model("wallet", "TopUp")
    LedgerEntry = apps.get_model("wallet", "LedgerEntry")
    credited = LedgerEntry.objects.filter(transaction_type="topup").values_list("metadata__topup_id", flat=True)
    TopUp.objects.filter(pk__in=[int(pk) for pk in credited if pk is not None]).update(succeeded_at=models.F("updated_at"))


def ledger_to_double_entry(apps, schema_editor):
    Wallet = apps.get_model("wallet", "Wallet")
    LedgerEntry = apps.get_model("wallet", "LedgerEntry")
    LedgerTransaction = apps.get_model("wallet", "LedgerTransaction")
    outside = {
        reference: Wallet.objects.get_or_create(reference=reference, defaults={"kind": "external"})[0]
        for reference in OUTSIDE_ACCOUNTS
    }
    groups, waiting = [], {}
    for entry in LedgerEntry.objects.order_by("id").iterator(chunk_size=2000):
        net = entry.amount + entry.pending_amount
        counterpart = (entry.metadata or {}).get("counterpart_wallet_id")
        if counterpart is None:
            groups.append([entry])
            continue
        partners = waiting.get((counterpart, entry.wallet_id, entry.transaction_type, -net))
        if partners:
            groups.append([partners.pop(0), entry])
        else:
            waiting.setdefault((entry.wallet_id, counterpart, entry.transaction_type, net), []).append(entry)
    groups.extend([entry] for entries in waiting.values() for entry in entries)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ALTER TABLE wallet_ledgerentry DISABLE TRIGGER USER")
    for group in sorted(groups, key=lambda legs: legs[0].id):
        first = group[0]
        header = LedgerTransaction.objects.create(
            transaction_type=first.transaction_type,
            description=first.description,
            created_at=first.created_at,
            metadata={"migrated": True},
        )
        LedgerEntry.objects.filter(pk__in=[leg.pk for leg in group]).update(ledger_transaction=header)
        net = sum(leg.amount + leg.pending_amount for leg in group)
        if net:
            LedgerEntry.objects.create(
                ledger_transaction=header,
                wallet=outside[_outside_account(first, net)],
                transaction_type=first.transaction_type,
                amount=-net,
                pending_amount=0,
                description=first.description,
                metadata={"migrated": True},
                created_at=first.created_at,
            )
    with schema_editor.connection.cursor() as cursor:
        # Django's foreign keys are deferred: check them now, before the table is altered again.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE wallet_ledgerentry ENABLE TRIGGER USER")


class Migration(migrations.Migration):

    replaces = [('wallet', '0001_initial'), ('wallet', '0002_ledger_entry_plural'), ('wallet', '0003_double_entry'), ('wallet', '0004_list_indexes'), ('wallet', '0005_topup_payment_methods'), ('wallet', '0006_topup_name'), ('wallet', '0007_verbose_names_translatable'), ('wallet', '0008_reconcile_runs'), ('wallet', '0009_metrics_indexes')]

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='StripeEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event_id', models.CharField(max_length=255, unique=True, verbose_name='Stripe event ID')),
                ('event_type', models.CharField(max_length=100, verbose_name='event type')),
                ('payload', models.JSONField(verbose_name='payload')),
                ('received_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='received at')),
            ],
            options={
                'indexes': [],
                'constraints': [],
                'verbose_name': 'Stripe event',
                'verbose_name_plural': 'Stripe events',
            },
        ),
        migrations.CreateModel(
            name='Wallet',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('player', 'Player'), ('escrow', 'Event escrow'), ('platform', 'Platform'), ('external', 'Outside world')], default='player', max_length=10, verbose_name='kind')),
                ('reference', models.CharField(max_length=64, unique=True, verbose_name='reference')),
                ('currency', models.CharField(default='MYR', max_length=3, verbose_name='currency')),
                ('current_balance', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12, verbose_name='current balance')),
                ('usable_balance', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12, verbose_name='usable balance')),
                ('pending_balance', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12, verbose_name='pending balance')),
                ('version', models.PositiveBigIntegerField(default=0, verbose_name='version')),
                ('has_bank_account', models.BooleanField(default=False, verbose_name='has bank account')),
                ('bank_name', models.CharField(blank=True, max_length=255, verbose_name='bank name')),
                ('bank_last4', models.CharField(blank=True, max_length=4, verbose_name='last 4 digits of the account')),
                ('bank_account_number_encrypted', models.TextField(blank=True, editable=False, verbose_name='encrypted bank account number')),
                ('account_holder_name', models.CharField(blank=True, max_length=255, verbose_name='account holder name')),
                ('bank_account_changed_at', models.DateTimeField(blank=True, null=True, verbose_name='bank account changed at')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('owner', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='wallet', to=settings.AUTH_USER_MODEL, verbose_name='owner')),
            ],
            options={
                'indexes': [],
                'constraints': [models.CheckConstraint(condition=models.Q(('current_balance', django.db.models.expressions.CombinedExpression(models.F('usable_balance'), '+', models.F('pending_balance')))), name='wallet_current_is_usable_plus_pending'), models.CheckConstraint(condition=models.Q(('usable_balance__gte', 0)), name='wallet_usable_not_negative'), models.CheckConstraint(condition=models.Q(('pending_balance__gte', 0)), name='wallet_pending_not_negative'), models.CheckConstraint(condition=models.Q(models.Q(('kind', 'player'), ('owner__isnull', False)), models.Q(models.Q(('kind', 'player'), _negated=True), ('owner__isnull', True)), _connector='OR'), name='wallet_player_wallets_have_an_owner'), models.CheckConstraint(condition=models.Q(models.Q(('kind', 'external'), _negated=True), models.Q(('current_balance', 0), ('pending_balance', 0), ('usable_balance', 0)), _connector='OR'), name='wallet_external_keeps_no_balance'), models.CheckConstraint(condition=models.Q(('currency', 'MYR')), name='wallet_currency_myr')],
                'verbose_name': 'wallet',
                'verbose_name_plural': 'wallets',
            },
        ),
        migrations.CreateModel(
            name='TopUp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='amount')),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('succeeded', 'Succeeded'), ('failed', 'Failed'), ('cancelled', 'Cancelled'), ('refunded', 'Refunded')], default='pending', max_length=10, verbose_name='status')),
                ('payment_intent_id', models.CharField(blank=True, max_length=255, null=True, unique=True, verbose_name='PaymentIntent ID')),
                ('client_secret', models.CharField(blank=True, max_length=255, verbose_name='client secret')),
                ('refunded_amount', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12, verbose_name='refunded amount')),
                ('failure_reason', models.CharField(blank=True, max_length=255, verbose_name='failure reason')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='topups', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                ('wallet', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='topups', to='wallet.wallet', verbose_name='wallet')),
                ('succeeded_at', models.DateTimeField(blank=True, null=True, verbose_name='succeeded at')),
                ('fpx_bank', models.CharField(blank=True, max_length=32, verbose_name='FPX bank')),
                ('payment_method', models.CharField(choices=[('card', 'Card'), ('fpx', 'FPX online banking'), ('grabpay', 'GrabPay')], default='card', max_length=10, verbose_name='payment method')),
                ('redirect_url', models.URLField(blank=True, max_length=2048, verbose_name='redirect URL')),
            ],
            options={
                'indexes': [models.Index(fields=['created_at'], name='topup_created')],
                'constraints': [models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='topup_amount_positive'), models.CheckConstraint(condition=models.Q(('refunded_amount__gte', 0), ('refunded_amount__lte', models.F('amount'))), name='topup_refund_within_amount'), models.CheckConstraint(condition=models.Q(models.Q(('payment_method', 'fpx'), models.Q(('fpx_bank', ''), _negated=True)), models.Q(models.Q(('payment_method', 'fpx'), _negated=True), ('fpx_bank', '')), _connector='OR'), name='topup_fpx_names_a_bank')],
                'verbose_name': 'top-up',
                'verbose_name_plural': 'top-ups',
            },
        ),
        migrations.CreateModel(
            name='Withdrawal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='amount')),
                ('fee', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='fee')),
                ('total', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='total')),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('review', 'Held for review'), ('processing', 'Processing'), ('completed', 'Completed'), ('failed', 'Failed'), ('rejected', 'Rejected')], default='pending', max_length=10, verbose_name='status')),
                ('fraud_flags', models.JSONField(blank=True, default=list, verbose_name='fraud flags')),
                ('bank_name', models.CharField(max_length=255, verbose_name='bank name')),
                ('bank_last4', models.CharField(max_length=4, verbose_name='last 4 digits of the account')),
                ('requested_ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP address of the request')),
                ('user_agent', models.CharField(blank=True, max_length=512, verbose_name='user agent')),
                ('override_reason', models.TextField(blank=True, verbose_name='override reason')),
                ('failure_reason', models.TextField(blank=True, verbose_name='failure reason')),
                ('payout_reference', models.CharField(blank=True, max_length=255, verbose_name='payout reference')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('processed_at', models.DateTimeField(blank=True, null=True, verbose_name='processed at')),
                ('processed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='processed by')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='withdrawals', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                ('wallet', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='withdrawals', to='wallet.wallet', verbose_name='wallet')),
                ('last_payout_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='last payout attempt at')),
                ('last_payout_error', models.TextField(blank=True, verbose_name='last payout error')),
                ('next_payout_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='next payout attempt at')),
                ('payout_attempts', models.PositiveIntegerField(default=0, verbose_name='payout attempts')),
                ('processing_since', models.DateTimeField(blank=True, null=True, verbose_name='processing since')),
                ('stuck_alerted_at', models.DateTimeField(blank=True, null=True, verbose_name='stuck alerted at')),
            ],
            options={
                'indexes': [models.Index(models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='withdrawal_recent'), models.Index(models.F('status'), models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='withdrawal_status_recent'), models.Index(models.F('user'), models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='withdrawal_user_recent')],
                'constraints': [models.CheckConstraint(condition=models.Q(('total', django.db.models.expressions.CombinedExpression(models.F('amount'), '+', models.F('fee')))), name='withdrawal_total_is_amount_plus_fee'), models.CheckConstraint(condition=models.Q(('amount__gt', 0), ('fee__gte', 0)), name='withdrawal_amounts_positive'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'processing'), _negated=True), ('processing_since__isnull', False), _connector='OR'), name='withdrawal_processing_has_start')],
                'verbose_name': 'withdrawal',
                'verbose_name_plural': 'withdrawals',
            },
        ),
        migrations.CreateModel(
            name='LedgerTransaction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('transaction_type', models.CharField(max_length=20, verbose_name='transaction type')),
                ('description', models.CharField(max_length=255, verbose_name='description')),
                ('currency', models.CharField(default='MYR', max_length=3, verbose_name='currency')),
                ('metadata', models.JSONField(blank=True, default=dict, verbose_name='metadata')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
            ],
            options={
                'indexes': [],
                'constraints': [models.CheckConstraint(condition=models.Q(('currency', 'MYR')), name='ledger_transaction_currency_myr')],
                'verbose_name': 'ledger transaction',
                'verbose_name_plural': 'ledger transactions',
            },
        ),
        migrations.CreateModel(
            name='LedgerEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('transaction_type', models.CharField(choices=[('topup', 'Top-up'), ('entry_fee', 'Entry fee'), ('refund', 'Refund'), ('prize', 'Prize'), ('withdrawal', 'Withdrawal'), ('withdrawal_fee', 'Withdrawal fee'), ('hold', 'Hold'), ('release', 'Release'), ('adjustment', 'Adjustment')], max_length=20, verbose_name='transaction type')),
                ('amount', models.DecimalField(decimal_places=2, help_text='Signed effect on the usable balance.', max_digits=12, verbose_name='amount')),
                ('pending_amount', models.DecimalField(decimal_places=2, default=Decimal('0.00'), help_text='Signed effect on the pending balance.', max_digits=12, verbose_name='pending amount')),
                ('usable_after', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, verbose_name='usable after')),
                ('pending_after', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, verbose_name='pending after')),
                ('description', models.CharField(max_length=255, verbose_name='description')),
                ('metadata', models.JSONField(blank=True, default=dict, verbose_name='metadata')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('wallet', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='ledger', to='wallet.wallet', verbose_name='wallet')),
                ('ledger_transaction', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='legs', to='wallet.ledgertransaction', verbose_name='ledger transaction')),
            ],
            options={
                'indexes': [models.Index(models.F('wallet'), models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='ledger_wallet_recent'), models.Index(models.F('wallet'), models.F('transaction_type'), models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='ledger_wallet_type')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('amount', 0), _negated=True), models.Q(('pending_amount', 0), _negated=True), _connector='OR'), name='ledger_entry_changes_something'), models.CheckConstraint(condition=models.Q(('pending_after__gte', 0), ('usable_after__gte', 0)), name='ledger_balances_not_negative'), models.CheckConstraint(condition=models.Q(models.Q(('pending_after__isnull', True), ('usable_after__isnull', True)), models.Q(('pending_after__isnull', False), ('usable_after__isnull', False)), _connector='OR'), name='ledger_balances_after_both_or_neither')],
                'verbose_name_plural': 'ledger entries',
                'verbose_name': 'ledger entry',
            },
        ),
        migrations.CreateModel(
            name='CardRefund',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('payment_intent_id', models.CharField(max_length=255, verbose_name='PaymentIntent ID')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='amount')),
                ('idempotency_key', models.CharField(max_length=255, unique=True, verbose_name='idempotency key')),
                ('key_generation', models.PositiveSmallIntegerField(default=0, verbose_name='key generation')),
                ('state', models.CharField(choices=[('requested', 'Requested'), ('sent', 'Sent to Stripe'), ('succeeded', 'Succeeded'), ('failed', 'Failed')], default='requested', max_length=10, verbose_name='state')),
                ('description', models.CharField(max_length=255, verbose_name='description')),
                ('metadata', models.JSONField(blank=True, default=dict, verbose_name='metadata')),
                ('stripe_refund_id', models.CharField(blank=True, max_length=255, verbose_name='Stripe refund ID')),
                ('attempts', models.PositiveIntegerField(default=0, verbose_name='attempts')),
                ('last_error', models.TextField(blank=True, verbose_name='last error')),
                ('next_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='next attempt at')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                ('confirmed_at', models.DateTimeField(blank=True, null=True, verbose_name='confirmed at')),
                ('ledger_transaction', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='card_refunds', to='wallet.ledgertransaction', verbose_name='ledger transaction')),
            ],
            options={
                'indexes': [models.Index(fields=['state', 'next_attempt_at'], name='card_refund_due'), models.Index(fields=['payment_intent_id'], name='card_refund_intent'), models.Index(fields=['created_at'], name='card_refund_created')],
                'constraints': [models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='card_refund_amount_positive'), models.CheckConstraint(condition=models.Q(models.Q(('state', 'succeeded'), _negated=True), ('confirmed_at__isnull', False), _connector='OR'), name='card_refund_confirmed_has_time')],
                'verbose_name': 'card refund',
                'verbose_name_plural': 'card refunds',
            },
        ),
        migrations.CreateModel(
            name='ReconcileRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('finished_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='finished at')),
                ('ok', models.BooleanField(verbose_name='clean')),
                ('wallets_checked', models.PositiveIntegerField(verbose_name='wallets checked')),
                ('held', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12, verbose_name='money held in wallets')),
                ('ledger_total', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12, verbose_name='ledger total')),
                ('stripe_in', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12, verbose_name='Stripe in')),
                ('bank_out', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12, verbose_name='bank out')),
                ('card_refunds', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12, verbose_name='card refunds')),
                ('difference', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12, verbose_name='difference')),
                ('problems', models.JSONField(blank=True, default=list, verbose_name='differences')),
            ],
            options={
                'verbose_name': 'reconciliation run',
                'verbose_name_plural': 'reconciliation runs',
                'indexes': [models.Index(fields=['-finished_at'], name='reconcile_run_recent')],
                'constraints': [],
            },
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='ledgerentry',
            trigger=pgtrigger.compiler.Trigger(name='ledger_append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='9a8469729b68c188e065471dcdea866d0a47706c', operation='UPDATE OR DELETE', pgid='pgtrigger_ledger_append_only_85291', table='wallet_ledgerentry', when='BEFORE')),
        ),
        migrations.RunPython(
            code=topups_mark_booked,
            reverse_code=migrations.RunPython.noop,
        ),
        migrations.RunPython(
            code=ledger_to_double_entry,
            reverse_code=migrations.RunPython.noop,
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='ledgerentry',
            trigger=pgtrigger.compiler.Trigger(name='ledger_legs_balance', sql=pgtrigger.compiler.UpsertTriggerSql(constraint='CONSTRAINT', func="\nDECLARE\n    imbalance numeric;\nBEGIN\n    SELECT COALESCE(SUM(amount + pending_amount), 0) INTO imbalance\n      FROM wallet_ledgerentry WHERE ledger_transaction_id = NEW.ledger_transaction_id;\n    IF imbalance <> 0 THEN\n        RAISE EXCEPTION 'ledger transaction % does not balance: its legs sum to %',\n            NEW.ledger_transaction_id, imbalance USING ERRCODE = 'check_violation';\n    END IF;\n    RETURN NULL;\nEND;\n", hash='a73499aa342168190c8ecd9d104378376a9dd79b', operation='INSERT', pgid='pgtrigger_ledger_legs_balance_69a50', table='wallet_ledgerentry', timing='DEFERRABLE INITIALLY DEFERRED', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='ledgertransaction',
            trigger=pgtrigger.compiler.Trigger(name='ledger_transaction_append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='fb049fb1c16dd19eba2e6f6da13af77fbac30584', operation='UPDATE OR DELETE', pgid='pgtrigger_ledger_transaction_append_only_48c24', table='wallet_ledgertransaction', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='ledgertransaction',
            trigger=pgtrigger.compiler.Trigger(name='ledger_transaction_has_legs', sql=pgtrigger.compiler.UpsertTriggerSql(constraint='CONSTRAINT', func="\nDECLARE\n    legs integer;\nBEGIN\n    SELECT COALESCE(SUM((amount <> 0)::int + (pending_amount <> 0)::int), 0) INTO legs\n      FROM wallet_ledgerentry WHERE ledger_transaction_id = NEW.id;\n    IF legs < 2 THEN\n        RAISE EXCEPTION 'ledger transaction % has % leg(s); it needs two or more', NEW.id, legs\n            USING ERRCODE = 'check_violation';\n    END IF;\n    RETURN NULL;\nEND;\n", hash='25cc6111bc84d24a105dc66a885951ae634c4a62', operation='INSERT', pgid='pgtrigger_ledger_transaction_has_legs_31066', table='wallet_ledgertransaction', timing='DEFERRABLE INITIALLY DEFERRED', when='AFTER')),
        ),
    ]
