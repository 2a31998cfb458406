"""outbox: an index for the sender's per-peer order check (earlier pending rows of one peer)

Revision ID: core_0004
Revises: core_0003
"""

from alembic import op

revision = "core_0004"
down_revision = "core_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("vk_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_vk_outbox_peer_order", ["peer_id", "status", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("vk_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_vk_outbox_peer_order")
