"""relatives' names from VK (users.get) for the founder's conversation list

Revision ID: names_0001
Revises: core_0001
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "names_0001"
down_revision = "core_0001"
branch_labels = ("names",)
depends_on = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "vk_user_names",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("first_name", _str(length=100), nullable=False),
        sa.Column("last_name", _str(length=100), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("vk_user_names")
