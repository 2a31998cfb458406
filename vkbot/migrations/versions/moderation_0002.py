"""moderation items record which tier decided, the learned tier's score and its model version

Revision ID: moderation_0002
Revises: moderation_0001
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "moderation_0002"
down_revision = "moderation_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mod_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tier", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column("learned_score", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("model_version", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("mod_item", schema=None) as batch_op:
        batch_op.drop_column("model_version")
        batch_op.drop_column("learned_score")
        batch_op.drop_column("tier")
