"""an index for the founder's conversations: each relative's newest message, by type

Revision ID: desk_0001
Revises: core_0001
"""

from alembic import op

revision = "desk_0001"
down_revision = "core_0001"
branch_labels = ("desk",)
depends_on = None


def upgrade() -> None:
    # The thread list groups message events by peer and takes the newest id (vkbot/dashboard/threads.py):
    # 5x faster on 20,000 messages with it (bench/desk.py).
    op.create_index("ix_vk_events_thread", "vk_events", ["type", "peer_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_vk_events_thread", table_name="vk_events")
