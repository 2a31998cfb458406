"""publishing table: planned, posted and withdrawn wall posts of consented clips

Revision ID: publishing_0001
Revises: waitlist_0001
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = 'publishing_0001'
down_revision = 'waitlist_0001'
branch_labels = ('publishing',)
depends_on = None


def upgrade() -> None:
    op.create_table('pub_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('guid', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('slot_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('caption', sa.Text(), nullable=False),
    sa.Column('file_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('vk_video', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('vk_post_id', sa.BigInteger(), nullable=True),
    sa.Column('handoff_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('posted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delete_dispatched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('handed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['wl_order.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('guid'),
    sa.UniqueConstraint('order_id', 'generation')
    )
    op.create_index(op.f('ix_pub_post_order_id'), 'pub_post', ['order_id'], unique=False)
    op.create_index(op.f('ix_pub_post_slot_at'), 'pub_post', ['slot_at'], unique=False)
    op.create_index(op.f('ix_pub_post_status'), 'pub_post', ['status'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_pub_post_status'), table_name='pub_post')
    op.drop_index(op.f('ix_pub_post_slot_at'), table_name='pub_post')
    op.drop_index(op.f('ix_pub_post_order_id'), table_name='pub_post')
    op.drop_table('pub_post')
