"""cursors of background readers over vk_events; edits point at the message they edit

Revision ID: core_0002
Revises: core_0001
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "core_0002"
down_revision = "core_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("vk_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("target_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_vk_events_target_key"), ["target_key"], unique=False)
    op.create_table(
        "vk_cursors",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("vk_cursors")
    with op.batch_alter_table("vk_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vk_events_target_key"))
        batch_op.drop_column("target_key")
