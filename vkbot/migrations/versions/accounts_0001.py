"""dashboard accounts: founder and helpers, server-side sessions, trusted devices, sign-in failures, audit

Revision ID: accounts_0001
Revises: core_0001
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "accounts_0001"
down_revision = "core_0001"
branch_labels = ("accounts",)
depends_on = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "dash_account",
        sa.Column("name", _str(length=32), nullable=False),
        sa.Column("role", _str(length=16), nullable=False),
        sa.Column("password_hash", _str(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "dash_session",
        sa.Column("token_hash", _str(length=64), nullable=False),
        sa.Column("account", _str(length=32), nullable=False),
        sa.Column("csrf", _str(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_dash_session_account", "dash_session", ["account"])
    op.create_index("ix_dash_session_expires_at", "dash_session", ["expires_at"])
    op.create_table(
        "dash_device",
        sa.Column("token_hash", _str(length=64), nullable=False),
        sa.Column("account", _str(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_dash_device_account", "dash_device", ["account"])
    op.create_table(
        "dash_login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", _str(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_dash_login_failure_key", "dash_login_failure", ["key"])
    op.create_index("ix_dash_login_failure_at", "dash_login_failure", ["at"])
    op.create_table(
        "dash_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", _str(length=64), nullable=False),
        sa.Column("action", _str(length=120), nullable=False),
        sa.Column("detail", _str(length=200), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("address", _str(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_dash_audit_at", "dash_audit", ["at"])


def downgrade() -> None:
    op.drop_index("ix_dash_audit_at", table_name="dash_audit")
    op.drop_table("dash_audit")
    op.drop_index("ix_dash_login_failure_at", table_name="dash_login_failure")
    op.drop_index("ix_dash_login_failure_key", table_name="dash_login_failure")
    op.drop_table("dash_login_failure")
    op.drop_index("ix_dash_device_account", table_name="dash_device")
    op.drop_table("dash_device")
    op.drop_index("ix_dash_session_expires_at", table_name="dash_session")
    op.drop_index("ix_dash_session_account", table_name="dash_session")
    op.drop_table("dash_session")
    op.drop_table("dash_account")
