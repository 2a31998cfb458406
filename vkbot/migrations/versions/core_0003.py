"""alert incidents, so the founder is told once per incident across restarts

Revision ID: core_0003
Revises: core_0002
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "core_0003"
down_revision = "core_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vk_alert_incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("vk_notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mail_notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("vk_alert_incidents", schema=None) as batch_op:
        batch_op.create_index("ix_vk_alert_incidents_open", ["resolved_at", "kind"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("vk_alert_incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_vk_alert_incidents_open")
    op.drop_table("vk_alert_incidents")
