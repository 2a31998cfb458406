"""interviews: the founder's calls with families (one row per order) and the booked times (unique)

Revision ID: interviews_0001
Revises: waitlist_0002
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "interviews_0001"
down_revision = "waitlist_0002"
branch_labels = ("interviews",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wl_interview",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("peer_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("tz", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("tz_assumed", sa.Boolean(), nullable=False),
        sa.Column("offered", sa.JSON(), nullable=False),
        sa.Column("last_offer", sa.JSON(), nullable=False),
        sa.Column("rounds", sa.Integer(), nullable=False),
        sa.Column("offer_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("told", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["wl_order.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id"),
    )
    op.create_index(op.f("ix_wl_interview_peer_id"), "wl_interview", ["peer_id"], unique=False)
    op.create_index(op.f("ix_wl_interview_status"), "wl_interview", ["status"], unique=False)
    op.create_index(op.f("ix_wl_interview_starts_at"), "wl_interview", ["starts_at"], unique=False)
    op.create_table(
        "wl_interview_slot",
        sa.Column("slot", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["interview_id"], ["wl_interview.id"]),
        sa.PrimaryKeyConstraint("slot"),
        sa.UniqueConstraint("interview_id"),
    )


def downgrade() -> None:
    op.drop_table("wl_interview_slot")
    op.drop_index(op.f("ix_wl_interview_starts_at"), table_name="wl_interview")
    op.drop_index(op.f("ix_wl_interview_status"), table_name="wl_interview")
    op.drop_index(op.f("ix_wl_interview_peer_id"), table_name="wl_interview")
    op.drop_table("wl_interview")
