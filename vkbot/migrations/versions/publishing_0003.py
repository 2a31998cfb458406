"""publishing: failed posts marked (retries used up), comments closed at the family's wish, VK postponed posts

Revision ID: publishing_0003
Revises: publishing_0002
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = 'publishing_0003'
down_revision = 'publishing_0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('pub_post') as batch:
        batch.add_column(sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column(
                'comments', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default='open'
            )
        )
        batch.add_column(sa.Column('comments_closed_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('vk_postponed_id', sa.BigInteger(), nullable=True))
    with op.batch_alter_table('pub_post') as batch:
        batch.alter_column('comments', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('pub_post') as batch:
        batch.drop_column('vk_postponed_id')
        batch.drop_column('comments_closed_at')
        batch.drop_column('comments')
        batch.drop_column('failed_at')
