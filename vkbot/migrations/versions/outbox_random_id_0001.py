"""outbox: an index on random_id, which recognises the bot's own messages coming back as message_reply

Without it each echo scanned the whole outbox: a quarter of the dispatcher's time on bench/intake.py's
default day, growing with the table.

Revision ID: outbox_random_id_0001
Revises: core_rate_0001
"""

from alembic import op

revision = "outbox_random_id_0001"
down_revision = "core_rate_0001"
branch_labels = ("outbox_random_id",)
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("vk_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_vk_outbox_random_id", ["random_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("vk_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_vk_outbox_random_id")
