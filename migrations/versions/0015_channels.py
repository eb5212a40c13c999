"""channels: SMS, Signal and Web Push beside email; urgent mail first; court-day cards

Revision ID: 0015_channels
Revises: 0014_rapid_response
Create Date: 2026-12-01 10:00:00.000000

Outbox rows gain a channel and an urgent flag; verified phone numbers (encrypted) and push
subscriptions per device; each court's card in each language (issue 19 items 6 and 7).
"""
from alembic import op
import sqlalchemy as sa

import scheduler.types


# revision identifiers, used by Alembic.
revision = '0015_channels'
down_revision = '0014_rapid_response'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'phone_numbers',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('number_ciphertext', sa.String(length=255), nullable=False),
        sa.Column('verified_at', scheduler.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('code_hash', sa.String(length=64), nullable=True),
        sa.Column('code_expires_at', scheduler.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('code_attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('created_at', scheduler.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_phone_numbers_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_phone_numbers')),
    )
    op.create_table(
        'push_subscriptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('endpoint', sa.Text(), nullable=False),
        sa.Column('endpoint_hash', sa.String(length=64), nullable=False),
        sa.Column('p256dh', sa.String(length=200), nullable=False),
        sa.Column('auth', sa.String(length=64), nullable=False),
        sa.Column('created_at', scheduler.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_success_at', scheduler.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_push_subscriptions_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_push_subscriptions')),
        sa.UniqueConstraint('endpoint_hash', name=op.f('uq_push_subscriptions_endpoint_hash')),
    )
    op.create_index(op.f('ix_push_subscriptions_user_id'), 'push_subscriptions', ['user_id'], unique=False)
    op.create_table(
        'court_cards',
        sa.Column('court_id', sa.Integer(), nullable=False),
        sa.Column('locale', sa.String(length=8), nullable=False),
        sa.Column('hotline', sa.String(length=40), nullable=False),
        sa.Column('do_text', sa.Text(), nullable=False),
        sa.Column('dont_text', sa.Text(), nullable=False),
        sa.Column('meeting_point', sa.String(length=300), nullable=False),
        sa.Column('team_lead', sa.String(length=200), nullable=False),
        sa.Column('updated_at', scheduler.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['court_id'], ['courts.id'], name=op.f('fk_court_cards_court_id_courts'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('court_id', 'locale', name=op.f('pk_court_cards')),
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=16), server_default='email', nullable=False))
        batch_op.add_column(sa.Column('urgent', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('push_subscription_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_outbox_messages_push_subscription_id_push_subscriptions'),
            'push_subscriptions', ['push_subscription_id'], ['id'], ondelete='SET NULL',
        )
        batch_op.create_index('ix_outbox_messages_status_urgent', ['status', 'urgent'], unique=False)
    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('urgent_channels', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('kind_channels', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.drop_column('kind_channels')
        batch_op.drop_column('urgent_channels')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_status_urgent')
        batch_op.drop_constraint(
            batch_op.f('fk_outbox_messages_push_subscription_id_push_subscriptions'), type_='foreignkey'
        )
        batch_op.drop_column('push_subscription_id')
        batch_op.drop_column('urgent')
        batch_op.drop_column('channel')
    op.drop_table('court_cards')
    op.drop_index(op.f('ix_push_subscriptions_user_id'), table_name='push_subscriptions')
    op.drop_table('push_subscriptions')
    op.drop_table('phone_numbers')
