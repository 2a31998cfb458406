"""publishing: the family approves the exact post; pins, "not before", pause

Revision ID: publishing_0002
Revises: publishing_0001
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = 'publishing_0002'
down_revision = 'publishing_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('pub_post') as batch:
        batch.alter_column('slot_at', existing_type=sa.DateTime(timezone=True), nullable=True)
        batch.add_column(sa.Column('pinned', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('not_before', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('asked_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column('awaiting_answer', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch.add_column(sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('pub_post') as batch:
        batch.alter_column('pinned', server_default=None)
    # Posts queued before this revision were never approved by the family: ask them first.
    op.execute(
        "UPDATE pub_post SET status = 'awaiting', slot_at = NULL "
        "WHERE status = 'queued' AND dispatched_at IS NULL"
    )
    op.create_table('pub_flag',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('pub_flag')
    with op.batch_alter_table('pub_post') as batch:
        batch.drop_column('approved_at')
        batch.drop_column('awaiting_answer')
        batch.drop_column('asked_at')
        batch.drop_column('not_before')
        batch.drop_column('pinned')
