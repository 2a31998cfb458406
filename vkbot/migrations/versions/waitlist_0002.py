"""waitlist: who stepped the bot back and when the writer was last told; language evidence; photo captions; founder alerts

Revision ID: waitlist_0002
Revises: waitlist_0001
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = 'waitlist_0002'
down_revision = 'waitlist_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('wl_conversation') as batch:
        batch.add_column(sa.Column('takeover_by', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch.add_column(sa.Column('takeover_acked_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('lang_pending', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
    for table in ('wl_file', 'wl_pending_attachment'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('caption', sa.Text(), nullable=True))
    op.create_table('wl_founder_alert',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('event_key', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('peer_id', sa.BigInteger(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('order_number', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_index(op.f('ix_wl_founder_alert_event_key'), 'wl_founder_alert', ['event_key'], unique=False)
    op.create_index(op.f('ix_wl_founder_alert_peer_id'), 'wl_founder_alert', ['peer_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_wl_founder_alert_peer_id'), table_name='wl_founder_alert')
    op.drop_index(op.f('ix_wl_founder_alert_event_key'), table_name='wl_founder_alert')
    op.drop_table('wl_founder_alert')
    for table in ('wl_pending_attachment', 'wl_file'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('caption')
    with op.batch_alter_table('wl_conversation') as batch:
        batch.drop_column('lang_pending')
        batch.drop_column('takeover_acked_at')
        batch.drop_column('takeover_by')
