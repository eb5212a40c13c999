"""api tokens: personal bearer tokens for /api/v1/ and the responses kept for Idempotency-Key

Revision ID: 0017_api_tokens
Revises: 0015_channels
Create Date: 2026-12-01 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

import scheduler.types


# revision identifiers, used by Alembic.
revision = '0017_api_tokens'
down_revision = '0015_channels'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('prefix', sa.String(length=12), nullable=False),
        sa.Column('can_write', sa.Boolean(), nullable=False),
        sa.Column('can_read_private', sa.Boolean(), nullable=False),
        sa.Column('created_at', scheduler.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', scheduler.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', scheduler.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_used_at', scheduler.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash')),
    )
    op.create_index(op.f('ix_api_tokens_user_id'), 'api_tokens', ['user_id'], unique=False)
    op.create_table(
        'api_idempotent_responses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('status_code', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', scheduler.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'],
                                name=op.f('fk_api_idempotent_responses_token_id_api_tokens'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_idempotent_responses')),
        sa.UniqueConstraint('token_id', 'key', name=op.f('uq_api_idempotent_responses_token_id_key')),
    )


def downgrade():
    op.drop_table('api_idempotent_responses')
    op.drop_index(op.f('ix_api_tokens_user_id'), table_name='api_tokens')
    op.drop_table('api_tokens')
