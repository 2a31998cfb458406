"""auth tables: the admin user token (secrets encrypted at rest)

Revision ID: auth_0001
Revises: core_0001
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = 'auth_0001'
down_revision = 'core_0001'
branch_labels = ('auth',)
depends_on = None


def upgrade() -> None:
    op.create_table('vk_auth_tokens',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('device_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('scope', sa.Text(), nullable=True),
    sa.Column('refresh_token_enc', sa.Text(), nullable=True),
    sa.Column('access_token_enc', sa.Text(), nullable=True),
    sa.Column('access_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('connected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_refresh_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('needs_reconnect', sa.Boolean(), nullable=False),
    sa.Column('pending_state', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('pending_verifier_enc', sa.Text(), nullable=True),
    sa.Column('pending_created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('vk_auth_tokens')
