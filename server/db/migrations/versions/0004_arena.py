"""arenas and arena_votes: model and agent arenas and people's votes on their blind pairs (issue 12).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "arenas",
        sa.Column("arena_id", sa.String(), nullable=False),
        sa.Column("suite", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("run_id", sa.String(), nullable=True),
        sa.Column("thread_id", sa.String(), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("thinkroom_version", sa.String(), nullable=False),
        sa.Column("contestants", sa.JSON(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("items_done", sa.Integer(), nullable=False),
        sa.Column("total_items", sa.Integer(), nullable=False),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("arena_id"),
    )
    op.create_index(op.f("ix_arenas_created_at"), "arenas", ["created_at"], unique=False)
    op.create_index(op.f("ix_arenas_status"), "arenas", ["status"], unique=False)
    op.create_index("ix_arenas_suite_created", "arenas", ["suite", "created_at"], unique=False)
    op.create_table(
        "arena_votes",
        sa.Column("vote_id", sa.String(), nullable=False),
        sa.Column("arena_id", sa.String(), nullable=False),
        sa.Column("pair_id", sa.String(), nullable=False),
        sa.Column("winner", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("vote_id"),
        sa.UniqueConstraint("arena_id", "pair_id", name="uq_arena_votes_arena_pair"),
    )
    op.create_index(op.f("ix_arena_votes_arena_id"), "arena_votes", ["arena_id"], unique=False)


def downgrade() -> None:
    op.drop_table("arena_votes")
    op.drop_table("arenas")
