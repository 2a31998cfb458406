"""request starts per token, so several processes share VK's per-token rate limit on PostgreSQL

Revision ID: core_rate_0001
Revises: core_0003
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "core_rate_0001"
down_revision = "core_0004"  # after the outbox index: one line of core migrations
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vk_rate_starts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bucket", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("vk_rate_starts", schema=None) as batch_op:
        batch_op.create_index("ix_vk_rate_starts_bucket", ["bucket", "started_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("vk_rate_starts", schema=None) as batch_op:
        batch_op.drop_index("ix_vk_rate_starts_bucket")
    op.drop_table("vk_rate_starts")
