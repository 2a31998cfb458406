"""the last start-up check of the community's Long Poll settings, for `vkbot status`

Revision ID: ingress_0001
Revises: core_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "ingress_0001"
down_revision = "core_0001"
branch_labels = ("ingress",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vk_longpoll_settings",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("group_id"),
    )


def downgrade() -> None:
    op.drop_table("vk_longpoll_settings")
