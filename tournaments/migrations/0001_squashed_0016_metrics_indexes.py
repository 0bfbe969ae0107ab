"""Tournaments migrations 0001-0016 in one, for new databases. 0017 stays on its own: it adds a
constraint NOT VALID and validates it in a second transaction.

Made as `manage.py squashmigrations` makes them (`replaces`: a database that applied any of the
replaced migrations goes on with those; only a fresh one runs this), but written from the app's
final migration state: one CreateModel per model, columns in the order the replaced migrations left
them. Django's optimizer cannot fold a later AddField/AlterField/AddIndex into a CreateModel across
a RunPython, a RunSQL or a trigger, so those run last, in their original order; on the new, empty
tables each does what it did in tournaments 0003_double_entry (the function is copied from there unchanged).
"""

import django.contrib.postgres.fields
import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
import driftwood.core.indexes
import tournaments.brackets.ffa.models
import tournaments.brackets.models
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


def link_escrow_wallets(apps, schema_editor):
    """Events whose escrow ("event:<id>") already exists point at it."""
    Event = apps.get_model("tournaments", "Event")
    Wallet = apps.get_model("wallet", "Wallet")
    for wallet in Wallet.objects.filter(kind="escrow", reference__startswith="event:"):
        Event.objects.filter(pk=int(wallet.reference.removeprefix("event:"))).update(escrow_wallet=wallet)


class Migration(migrations.Migration):

    replaces = [('tournaments', '0001_initial'), ('tournaments', '0002_brackets'), ('tournaments', '0003_double_entry'), ('tournaments', '0004_dispute_evidence_check'), ('tournaments', '0005_list_indexes'), ('tournaments', '0006_team_invites'), ('tournaments', '0007_waitlist'), ('tournaments', '0008_waitlist_card_hold'), ('tournaments', '0009_stream_url_announcements'), ('tournaments', '0010_entry_plural'), ('tournaments', '0011_payment_fpx'), ('tournaments', '0012_event_embed_origins'), ('tournaments', '0013_verbose_names_translatable'), ('tournaments', '0014_match_scheduling'), ('tournaments', '0015_free_for_all'), ('tournaments', '0016_metrics_indexes')]

    initial = True

    dependencies = [
        ('core', '0003_pg_trgm'),
        ('wallet', '0007_verbose_names_translatable'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Game',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True, verbose_name='name')),
                ('slug', models.SlugField(max_length=100, unique=True, verbose_name='slug')),
                ('icon', models.CharField(blank=True, help_text='An emoji shown beside the name.', max_length=8, verbose_name='icon')),
            ],
            options={
                'ordering': ['name'],
                'indexes': [],
                'constraints': [],
                'verbose_name': 'game',
                'verbose_name_plural': 'games',
            },
        ),
        migrations.CreateModel(
            name='Event',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120, verbose_name='name')),
                ('slug', models.SlugField(max_length=140, unique=True, verbose_name='slug')),
                ('tier', models.CharField(choices=[('community', 'Community'), ('amateur', 'Amateur'), ('professional', 'Professional')], default='community', max_length=20, verbose_name='tier')),
                ('event_type', models.CharField(choices=[('online', 'Online'), ('lan', 'LAN')], default='online', max_length=10, verbose_name='event type')),
                ('format', models.CharField(choices=[('single_elimination', 'Single elimination'), ('double_elimination', 'Double elimination'), ('round_robin', 'Round robin'), ('swiss', 'Swiss'), ('free_for_all', 'Free-for-all (battle royale)')], default='single_elimination', max_length=20, verbose_name='format')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('registration_open', 'Registration open'), ('registration_closed', 'Registration closed'), ('ongoing', 'Ongoing'), ('completed', 'Completed'), ('cancelled', 'Cancelled')], default='draft', max_length=20, verbose_name='status')),
                ('description', models.TextField(blank=True, help_text='Rules and anything players should know.', verbose_name='description')),
                ('is_solo', models.BooleanField(default=True, verbose_name='solo')),
                ('team_size', models.PositiveSmallIntegerField(default=1, verbose_name='team size')),
                ('max_participants', models.PositiveIntegerField(default=16, verbose_name='max participants')),
                ('entry_fee', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12, verbose_name='entry fee')),
                ('prize_pool', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12, verbose_name='prize pool')),
                ('prize_distribution', models.JSONField(blank=True, default=list, verbose_name='prize distribution')),
                ('starts_at', models.DateTimeField(verbose_name='starts at')),
                ('registration_closes_at', models.DateTimeField(verbose_name='registration closes at')),
                ('check_in_minutes', models.PositiveSmallIntegerField(default=60, help_text='Check-in opens this many minutes before the start; 0 means no check-in.', verbose_name='check-in minutes')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='published at')),
                ('cancelled_at', models.DateTimeField(blank=True, null=True, verbose_name='cancelled at')),
                ('completed_at', models.DateTimeField(blank=True, null=True, verbose_name='completed at')),
                ('fees_settled_at', models.DateTimeField(blank=True, null=True, verbose_name='fees settled at')),
                ('organizer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='organized_events', to=settings.AUTH_USER_MODEL, verbose_name='organizer')),
                ('game', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='tournaments.game', verbose_name='game')),
                ('best_of', models.PositiveSmallIntegerField(default=1, help_text='Games per match (odd).', verbose_name='best of')),
                ('bracket_reset', models.BooleanField(default=True, help_text='Double elimination: a second grand final if the losers-bracket finalist wins.', verbose_name='bracket reset')),
                ('groups', models.PositiveSmallIntegerField(default=1, help_text='Round robin: number of groups.', verbose_name='groups')),
                ('no_show_refund_percent', models.PositiveSmallIntegerField(default=100, help_text='Share of the entry fee refunded to an entry dropped for not checking in.', verbose_name='no-show refund percent')),
                ('prizes_paid_at', models.DateTimeField(blank=True, null=True, verbose_name='prizes paid at')),
                ('seeding', models.CharField(choices=[('registration', 'Registration order'), ('random', 'Random'), ('manual', 'Manual')], default='registration', max_length=12, verbose_name='seeding')),
                ('seeding_confirmed_at', models.DateTimeField(blank=True, null=True, verbose_name='seeding confirmed at')),
                ('swiss_rounds', models.PositiveSmallIntegerField(blank=True, help_text='Swiss: rounds to play (default ceil(log2 N)).', null=True, verbose_name='swiss rounds')),
                ('third_place_match', models.BooleanField(default=False, help_text='Single elimination: play for third.', verbose_name='third place match')),
                ('escrow_wallet', models.OneToOneField(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='escrow_event', to='wallet.wallet', verbose_name='escrow wallet')),
                ('stream_url', models.URLField(blank=True, help_text='Where the matches are streamed (https).', max_length=300, verbose_name='stream URL')),
                ('embed_origins', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=200), blank=True, db_default=[], default=list, size=None, verbose_name='embed origins')),
            ],
            options={
                'indexes': [models.Index(fields=['organizer', '-created_at'], name='event_organizer_recent'), models.Index(fields=['starts_at', 'id'], name='event_starts'), models.Index(fields=['status', 'starts_at', 'id'], name='event_status_starts'), models.Index(fields=['game', 'starts_at', 'id'], name='event_game_starts'), driftwood.core.indexes.TrigramIndex('name', name='event_name_trgm')],
                'constraints': [models.CheckConstraint(condition=models.Q(('entry_fee__gte', 0), ('prize_pool__gte', 0)), name='event_money_not_negative'), models.CheckConstraint(condition=models.Q(('max_participants__gte', 2)), name='event_at_least_two_participants'), models.CheckConstraint(condition=models.Q(models.Q(('is_solo', True), ('team_size', 1)), models.Q(('is_solo', False), ('team_size__gte', 1)), _connector='OR'), name='event_solo_means_team_size_one'), models.CheckConstraint(condition=models.Q(('registration_closes_at__lte', models.F('starts_at'))), name='event_registration_closes_before_start'), models.CheckConstraint(condition=models.Q(('no_show_refund_percent__lte', 100)), name='event_no_show_refund_at_most_100'), models.CheckConstraint(condition=models.Q(('best_of__gte', 1), ('groups__gte', 1)), name='event_bracket_options_positive')],
                'verbose_name': 'event',
                'verbose_name_plural': 'events',
            },
        ),
        migrations.CreateModel(
            name='Team',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=60, verbose_name='name')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('captain', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='captained_teams', to=settings.AUTH_USER_MODEL, verbose_name='captain')),
            ],
            options={
                'indexes': [],
                'constraints': [models.UniqueConstraint(django.db.models.functions.text.Lower('name'), name='team_name_ci_unique')],
                'verbose_name': 'team',
                'verbose_name_plural': 'teams',
            },
        ),
        migrations.CreateModel(
            name='Registration',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('pending', 'Pending payment'), ('confirmed', 'Confirmed'), ('withdrawn', 'Withdrawn'), ('cancelled', 'Cancelled'), ('refunded', 'Refunded'), ('waitlisted', 'On the waitlist')], default='pending', max_length=10, verbose_name='status')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('confirmed_at', models.DateTimeField(blank=True, null=True, verbose_name='confirmed at')),
                ('ended_at', models.DateTimeField(blank=True, help_text='When it was withdrawn, cancelled or refunded.', null=True, verbose_name='ended at')),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='registrations', to='tournaments.event', verbose_name='event')),
                ('registered_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='registered by')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='registrations', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                ('team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='registrations', to='tournaments.team', verbose_name='team')),
                ('seat_held_until', models.DateTimeField(blank=True, null=True, verbose_name='seat held until')),
                ('waitlist_card', models.BooleanField(default=False, verbose_name='waitlist card')),
            ],
            options={
                'indexes': [models.Index(fields=['event', 'status'], name='registration_event_status'), models.Index(condition=models.Q(('status', 'waitlisted')), fields=['event', 'created_at', 'id'], name='registration_waitlist'), models.Index(fields=['created_at'], name='registration_created')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('team__isnull', True), ('user__isnull', False)), models.Q(('team__isnull', False), ('user__isnull', True)), _connector='OR'), name='registration_user_or_team'), models.UniqueConstraint(condition=models.Q(('status__in', ['pending', 'confirmed'])), fields=('event', 'user'), name='registration_one_active_per_user'), models.UniqueConstraint(condition=models.Q(('status__in', ['pending', 'confirmed'])), fields=('event', 'team'), name='registration_one_active_per_team'), models.UniqueConstraint(condition=models.Q(('status', 'waitlisted')), fields=('event', 'user'), name='registration_waitlisted_once_user'), models.UniqueConstraint(condition=models.Q(('status', 'waitlisted')), fields=('event', 'team'), name='registration_waitlisted_once_team')],
                'verbose_name': 'registration',
                'verbose_name_plural': 'registrations',
            },
        ),
        migrations.CreateModel(
            name='ParticipantPayment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('method', models.CharField(choices=[('wallet', 'Wallet'), ('stripe', 'Card (Stripe)'), ('fpx', 'FPX online banking')], max_length=10, verbose_name='method')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='amount')),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('succeeded', 'Succeeded'), ('failed', 'Failed'), ('refunded', 'Refunded')], default='pending', max_length=10, verbose_name='status')),
                ('payment_intent_id', models.CharField(blank=True, max_length=255, null=True, unique=True, verbose_name='PaymentIntent ID')),
                ('client_secret', models.CharField(blank=True, max_length=255, verbose_name='client secret')),
                ('refunded_amount', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12, verbose_name='refunded amount')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='tournaments.event', verbose_name='event')),
                ('payer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='event_payments', to=settings.AUTH_USER_MODEL, verbose_name='payer')),
                ('registration', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='payment', to='tournaments.registration', verbose_name='registration')),
                ('fpx_bank', models.CharField(blank=True, max_length=32, verbose_name='FPX bank')),
                ('redirect_url', models.URLField(blank=True, max_length=2048, verbose_name='redirect URL')),
            ],
            options={
                'indexes': [],
                'constraints': [models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='payment_amount_positive'), models.CheckConstraint(condition=models.Q(('refunded_amount__gte', 0), ('refunded_amount__lte', models.F('amount'))), name='payment_refund_within_amount'), models.UniqueConstraint(condition=models.Q(('status__in', ['pending', 'succeeded'])), fields=('event', 'payer'), name='payment_one_live_per_payer_and_event'), models.CheckConstraint(condition=models.Q(models.Q(('method', 'fpx'), models.Q(('fpx_bank', ''), _negated=True)), models.Q(models.Q(('method', 'fpx'), _negated=True), ('fpx_bank', '')), _connector='OR'), name='payment_fpx_names_a_bank')],
                'verbose_name': 'participant payment',
                'verbose_name_plural': 'participant payments',
            },
        ),
        migrations.CreateModel(
            name='RegistrationMember',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tournaments.event', verbose_name='event')),
                ('registration', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='members', to='tournaments.registration', verbose_name='registration')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'indexes': [],
                'constraints': [models.UniqueConstraint(fields=('event', 'user'), name='registration_member_once_per_event')],
                'verbose_name': 'registration member',
                'verbose_name_plural': 'registration members',
            },
        ),
        migrations.CreateModel(
            name='TeamMember',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('captain', 'Captain'), ('member', 'Member')], default='member', max_length=10, verbose_name='role')),
                ('joined_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='joined at')),
                ('team', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='tournaments.team', verbose_name='team')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='team_memberships', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'indexes': [],
                'constraints': [models.UniqueConstraint(fields=('team', 'user'), name='team_member_once'), models.UniqueConstraint(condition=models.Q(('role', 'captain')), fields=('team',), name='team_one_captain')],
                'verbose_name': 'team member',
                'verbose_name_plural': 'team members',
            },
        ),
        migrations.CreateModel(
            name='Entry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seed', models.PositiveIntegerField(blank=True, null=True, verbose_name='seed')),
                ('status', models.CharField(choices=[('active', 'Active'), ('no_show', 'Did not check in')], default='active', max_length=10, verbose_name='status')),
                ('checked_in_at', models.DateTimeField(blank=True, null=True, verbose_name='checked in at')),
                ('placement', models.PositiveIntegerField(blank=True, null=True, verbose_name='placement')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('checked_in_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='checked in by')),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='tournaments.event', verbose_name='event')),
                ('registration', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='entry', to='tournaments.registration', verbose_name='registration')),
            ],
            options={
                'ordering': ['seed', 'pk'],
                'indexes': [],
                'constraints': [models.UniqueConstraint(condition=models.Q(('seed__isnull', False)), fields=('event', 'seed'), name='entry_seed_unique_per_event'), models.CheckConstraint(condition=models.Q(('seed__isnull', True), ('seed__gte', 1), _connector='OR'), name='entry_seed_from_one')],
                'verbose_name_plural': 'entries',
                'verbose_name': 'entry',
            },
        ),
        migrations.CreateModel(
            name='PrizePayout',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('place', models.PositiveIntegerField(verbose_name='place')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='amount')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('entry', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='prize_payouts', to='tournaments.entry', verbose_name='entry')),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='prize_payouts', to='tournaments.event', verbose_name='event')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='prize_payouts', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'indexes': [models.Index(fields=['created_at'], name='prize_payout_created')],
                'constraints': [models.UniqueConstraint(fields=('event', 'user'), name='prize_payout_once_per_player'), models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='prize_payout_positive')],
                'verbose_name': 'prize payout',
                'verbose_name_plural': 'prize payouts',
            },
        ),
        migrations.CreateModel(
            name='Stage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveSmallIntegerField(default=1, verbose_name='stage number')),
                ('format', models.CharField(choices=[('single_elimination', 'Single elimination'), ('double_elimination', 'Double elimination'), ('round_robin', 'Round robin'), ('swiss', 'Swiss'), ('free_for_all', 'Free-for-all (battle royale)')], max_length=20, verbose_name='format')),
                ('options', models.JSONField(blank=True, default=dict, verbose_name='options')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='stages', to='tournaments.event', verbose_name='event')),
            ],
            options={
                'indexes': [],
                'constraints': [models.UniqueConstraint(fields=('event', 'number'), name='stage_number_unique_per_event')],
                'verbose_name': 'stage',
                'verbose_name_plural': 'stages',
            },
        ),
        migrations.CreateModel(
            name='Match',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(help_text="The generator's name for it, e.g. W1-3, L2-1, GF, R3-2.", max_length=20, verbose_name='key')),
                ('round', models.PositiveSmallIntegerField(verbose_name='round')),
                ('position', models.PositiveSmallIntegerField(verbose_name='position')),
                ('bracket', models.CharField(choices=[('winners', 'Winners'), ('losers', 'Losers'), ('final', 'Final'), ('group', 'Group')], max_length=10, verbose_name='bracket')),
                ('group', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='group')),
                ('best_of', models.PositiveSmallIntegerField(default=1, verbose_name='best of')),
                ('conditional', models.BooleanField(default=False, verbose_name='conditional')),
                ('a_source', models.CharField(choices=[('seed', 'Seed'), ('bye', 'BYE'), ('winner', 'Winner of'), ('loser', 'Loser of')], max_length=6, verbose_name='side A comes from')),
                ('b_source', models.CharField(choices=[('seed', 'Seed'), ('bye', 'BYE'), ('winner', 'Winner of'), ('loser', 'Loser of')], max_length=6, verbose_name='side B comes from')),
                ('score_a', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='score A')),
                ('score_b', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='score B')),
                ('status', models.CharField(choices=[('pending', 'Waiting for players'), ('ready', 'Ready to play'), ('reported', 'Reported by one side'), ('completed', 'Completed'), ('disputed', 'Disputed'), ('walkover', 'Walkover'), ('skipped', 'Not needed')], default='pending', max_length=10, verbose_name='status')),
                ('attempt', models.PositiveSmallIntegerField(default=1, verbose_name='attempt')),
                ('completed_at', models.DateTimeField(blank=True, null=True, verbose_name='completed at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('a_source_match', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tournaments.match', verbose_name="side A's source match")),
                ('b_source_match', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tournaments.match', verbose_name="side B's source match")),
                ('entry_a', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tournaments.entry', verbose_name='entry A')),
                ('entry_b', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tournaments.entry', verbose_name='entry B')),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='matches', to='tournaments.event', verbose_name='event')),
                ('winner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tournaments.entry', verbose_name='winner')),
                ('stage', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='matches', to='tournaments.stage', verbose_name='stage')),
            ],
            options={
                'verbose_name_plural': 'matches',
                'ordering': ['stage', 'bracket', 'group', 'round', 'position'],
                'indexes': [models.Index(fields=['event', 'status'], name='match_event_status')],
                'constraints': [models.UniqueConstraint(fields=('stage', 'key'), name='match_key_unique_per_stage'), models.CheckConstraint(condition=models.Q(('entry_a__isnull', True), ('entry_b__isnull', True), models.Q(('entry_a', models.F('entry_b')), _negated=True), _connector='OR'), name='match_two_different_entries'), models.CheckConstraint(condition=models.Q(('winner__isnull', True), ('winner', models.F('entry_a')), ('winner', models.F('entry_b')), _connector='OR'), name='match_winner_is_a_side'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'completed'), _negated=True), ('winner__isnull', False), ('score_a', models.F('score_b')), _connector='OR'), name='match_completed_has_result')],
                'verbose_name': 'match',
            },
        ),
        migrations.CreateModel(
            name='Dispute',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.TextField(verbose_name='reason')),
                ('evidence', models.FileField(blank=True, upload_to=tournaments.brackets.models.dispute_evidence_path, verbose_name='evidence')),
                ('status', models.CharField(choices=[('open', 'Open'), ('resolved', 'Resolved')], default='open', max_length=10, verbose_name='status')),
                ('resolution', models.TextField(blank=True, verbose_name='resolution')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('resolved_at', models.DateTimeField(blank=True, null=True, verbose_name='resolved at')),
                ('opened_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='opened by')),
                ('resolved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='resolved by')),
                ('match', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='disputes', to='tournaments.match', verbose_name='match')),
                ('evidence_quarantined_at', models.DateTimeField(blank=True, null=True, verbose_name='evidence quarantined at')),
                ('evidence_type', models.CharField(blank=True, max_length=40, verbose_name='evidence type')),
            ],
            options={
                'ordering': ['-created_at'],
                'indexes': [],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'open')), fields=('match',), name='dispute_one_open_per_match')],
                'verbose_name': 'dispute',
                'verbose_name_plural': 'disputes',
            },
        ),
        migrations.CreateModel(
            name='MatchReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('attempt', models.PositiveSmallIntegerField(default=1, verbose_name='attempt')),
                ('side', models.CharField(choices=[('a', 'Side A'), ('b', 'Side B'), ('organizer', 'Organizer'), ('staff', 'Staff')], max_length=10, verbose_name='side')),
                ('version', models.PositiveSmallIntegerField(default=1, verbose_name='version')),
                ('score_a', models.PositiveSmallIntegerField(verbose_name='score A')),
                ('score_b', models.PositiveSmallIntegerField(verbose_name='score B')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('match', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reports', to='tournaments.match', verbose_name='match')),
                ('reported_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reported by')),
            ],
            options={
                'ordering': ['match', 'attempt', 'created_at', 'pk'],
                'indexes': [],
                'constraints': [models.UniqueConstraint(fields=('match', 'attempt', 'side', 'version'), name='match_report_version_unique')],
                'verbose_name': 'match report',
                'verbose_name_plural': 'match reports',
            },
        ),
        migrations.CreateModel(
            name='TeamInvite',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('accepted', 'Accepted'), ('declined', 'Declined')], default='pending', max_length=10, verbose_name='status')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('responded_at', models.DateTimeField(blank=True, null=True, verbose_name='responded at')),
                ('invited_by', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='invited by')),
                ('team', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invites', to='tournaments.team', verbose_name='team')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='team_invites', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'indexes': [models.Index(condition=models.Q(('status', 'pending')), fields=['user', '-created_at', '-id'], name='team_invite_pending_for')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('team', 'user'), name='team_invite_one_pending')],
                'verbose_name': 'team invite',
                'verbose_name_plural': 'team invites',
            },
        ),
        migrations.CreateModel(
            name='Announcement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=120, verbose_name='title')),
                ('body', models.TextField(max_length=1500, verbose_name='body')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('chat_message_id', models.BigIntegerField(blank=True, null=True, verbose_name='chat message ID')),
                ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='author')),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='announcements', to='tournaments.event', verbose_name='event')),
            ],
            options={
                'indexes': [models.Index(fields=['event', '-created_at', '-id'], name='announcement_event_recent')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('title', ''), _negated=True), models.Q(('body', ''), _negated=True)), name='announcement_has_text')],
                'verbose_name': 'announcement',
                'verbose_name_plural': 'announcements',
            },
        ),
        migrations.CreateModel(
            name='ForfeitProposal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('attempt', models.PositiveSmallIntegerField(verbose_name='attempt')),
                ('absent', models.CharField(choices=[('a', 'Side A'), ('b', 'Side B'), ('both', 'Both sides')], max_length=4, verbose_name='not checked in')),
                ('status', models.CharField(choices=[('proposed', 'Proposed'), ('confirmed', 'Confirmed'), ('rejected', 'Rejected'), ('withdrawn', 'Withdrawn')], default='proposed', max_length=10, verbose_name='status')),
                ('deadline_at', models.DateTimeField(verbose_name='deadline')),
                ('proposed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='proposed at')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by')),
                ('match', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='forfeits', to='tournaments.match', verbose_name='match')),
                ('winner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tournaments.entry', verbose_name='advanced')),
            ],
            options={
                'verbose_name': 'forfeit proposal',
                'verbose_name_plural': 'forfeit proposals',
                'ordering': ['-proposed_at', '-pk'],
                'indexes': [models.Index(fields=['status', 'match'], name='forfeit_status_match')],
                'constraints': [models.UniqueConstraint(fields=('match', 'attempt'), name='forfeit_once_per_match_attempt'), models.CheckConstraint(condition=models.Q(('status', 'proposed'), ('decided_at__isnull', False), _connector='OR'), name='forfeit_decided_has_time'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'confirmed'), _negated=True), ('winner__isnull', False), _connector='OR'), name='forfeit_confirmed_has_winner')],
            },
        ),
        migrations.CreateModel(
            name='MatchCheckIn',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('side', models.CharField(choices=[('a', 'Side A'), ('b', 'Side B')], max_length=1, verbose_name='side')),
                ('checked_in_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='checked in at')),
                ('checked_in_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='checked in by')),
                ('entry', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tournaments.entry', verbose_name='entry')),
                ('match', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='check_ins', to='tournaments.match', verbose_name='match')),
            ],
            options={
                'verbose_name': 'match check-in',
                'verbose_name_plural': 'match check-ins',
                'ordering': ['match', 'side'],
                'constraints': [models.UniqueConstraint(fields=('match', 'side'), name='match_check_in_once_per_side')],
                'indexes': [],
            },
        ),
        migrations.CreateModel(
            name='MatchReminder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('check_in_open', 'Match check-in open'), ('starting', 'Match starting soon')], max_length=20, verbose_name='kind')),
                ('attempt', models.PositiveSmallIntegerField(verbose_name='attempt')),
                ('sent_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='sent at')),
                ('match', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='tournaments.match', verbose_name='match')),
            ],
            options={
                'verbose_name': 'match reminder',
                'verbose_name_plural': 'match reminders',
                'constraints': [models.UniqueConstraint(fields=('match', 'kind', 'attempt'), name='match_reminder_once')],
                'indexes': [],
            },
        ),
        migrations.CreateModel(
            name='RoundSchedule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('stage_number', models.PositiveSmallIntegerField(default=1, verbose_name='stage number')),
                ('bracket', models.CharField(choices=[('winners', 'Winners'), ('losers', 'Losers'), ('final', 'Final'), ('group', 'Group')], max_length=10, verbose_name='bracket')),
                ('round', models.PositiveSmallIntegerField(verbose_name='round')),
                ('starts_at', models.DateTimeField(blank=True, null=True, verbose_name='starts at')),
                ('best_of', models.PositiveSmallIntegerField(blank=True, choices=[(1, '1'), (3, '3'), (5, '5'), (7, '7'), (9, '9')], null=True, verbose_name='best of')),
                ('check_in_minutes', models.PositiveSmallIntegerField(default=0, help_text='Match check-in opens this many minutes before the start; 0 means no match check-in.', verbose_name='check-in minutes')),
                ('deadline_minutes', models.PositiveSmallIntegerField(default=15, help_text='A side not checked in this many minutes after the start is proposed for a forfeit.', verbose_name='deadline minutes')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='round_schedules', to='tournaments.event', verbose_name='event')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='updated by')),
            ],
            options={
                'verbose_name': 'round schedule',
                'verbose_name_plural': 'round schedules',
                'ordering': ['event', 'stage_number', 'bracket', 'round'],
                'constraints': [models.UniqueConstraint(fields=('event', 'stage_number', 'bracket', 'round'), name='round_schedule_unique_per_round'), models.CheckConstraint(condition=models.Q(('best_of__isnull', True), ('best_of__in', [1, 3, 5, 7, 9]), _connector='OR'), name='round_schedule_best_of_odd'), models.CheckConstraint(condition=models.Q(('round__gte', 1)), name='round_schedule_round_from_one')],
                'indexes': [],
            },
        ),
        migrations.CreateModel(
            name='Lobby',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('round', models.PositiveSmallIntegerField(verbose_name='round')),
                ('number', models.PositiveSmallIntegerField(verbose_name='lobby number')),
                ('results_entered_at', models.DateTimeField(blank=True, null=True, verbose_name='results entered at')),
                ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed at')),
                ('host', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='host')),
                ('results_entered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='results entered by')),
                ('stage', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lobbies', to='tournaments.stage', verbose_name='stage')),
            ],
            options={
                'verbose_name': 'lobby',
                'verbose_name_plural': 'lobbies',
                'ordering': ['stage', 'round', 'number'],
                'indexes': [],
                'constraints': [models.UniqueConstraint(fields=('stage', 'round', 'number'), name='lobby_number_unique_per_round'), models.CheckConstraint(condition=models.Q(('number__gte', 1), ('round__gte', 1)), name='lobby_round_number_from_one'), models.CheckConstraint(condition=models.Q(('closed_at__isnull', True), ('results_entered_at__isnull', False), _connector='OR'), name='lobby_closed_has_results')],
            },
        ),
        migrations.CreateModel(
            name='LobbyResult',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveSmallIntegerField(verbose_name='version')),
                ('rows', models.JSONField(verbose_name='results')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('entered_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='entered by')),
                ('lobby', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='results', to='tournaments.lobby', verbose_name='lobby')),
            ],
            options={
                'verbose_name': 'lobby result',
                'verbose_name_plural': 'lobby results',
                'ordering': ['lobby', 'version'],
                'indexes': [],
                'constraints': [models.UniqueConstraint(fields=('lobby', 'version'), name='lobby_result_version_unique')],
            },
        ),
        migrations.CreateModel(
            name='LobbySlot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('placement', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='placement')),
                ('kills', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='kills')),
                ('entry', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='lobby_slots', to='tournaments.entry', verbose_name='entry')),
                ('lobby', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='slots', to='tournaments.lobby', verbose_name='lobby')),
            ],
            options={
                'verbose_name': 'lobby slot',
                'verbose_name_plural': 'lobby slots',
                'ordering': ['lobby', 'placement', 'entry__seed'],
                'indexes': [],
                'constraints': [models.UniqueConstraint(fields=('lobby', 'entry'), name='lobby_slot_entry_once'), models.UniqueConstraint(condition=models.Q(('placement__isnull', False)), fields=('lobby', 'placement'), name='lobby_slot_placement_once'), models.CheckConstraint(condition=models.Q(models.Q(('kills__isnull', True), ('placement__isnull', True)), models.Q(('kills__isnull', False), ('placement__gte', 1)), _connector='OR'), name='lobby_slot_result_whole')],
            },
        ),
        migrations.CreateModel(
            name='FreeForAllSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('lobby_size', models.PositiveSmallIntegerField(default=100, help_text='Most entries in one lobby (100 solos, 25 squads).', verbose_name='lobby size')),
                ('rounds', models.PositiveSmallIntegerField(default=3, verbose_name='rounds')),
                ('reshuffle', models.BooleanField(default=False, help_text='Deal the lobbies again by the standings before every round.', verbose_name='reshuffle lobbies')),
                ('placement_points', django.contrib.postgres.fields.ArrayField(base_field=models.PositiveSmallIntegerField(), default=tournaments.brackets.ffa.models.default_placement_points, help_text='Points for 1st, 2nd, 3rd... (places past the list score 0).', size=None, verbose_name='placement points')),
                ('kill_points', models.PositiveSmallIntegerField(default=1, verbose_name='points per kill')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('event', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='ffa_settings', to='tournaments.event', verbose_name='event')),
            ],
            options={
                'verbose_name': 'free-for-all settings',
                'verbose_name_plural': 'free-for-all settings',
                'constraints': [models.CheckConstraint(condition=models.Q(('lobby_size__gte', 2), ('lobby_size__lte', 100)), name='ffa_lobby_size_2_to_100'), models.CheckConstraint(condition=models.Q(('rounds__gte', 1), ('rounds__lte', 20)), name='ffa_rounds_1_to_20')],
                'indexes': [],
            },
        ),
        migrations.RunPython(
            code=link_escrow_wallets,
            reverse_code=migrations.RunPython.noop,
        ),
    ]
