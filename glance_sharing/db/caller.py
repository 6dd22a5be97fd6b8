"""The caller in statements that are built once and executed many times.

A statement that depends on who asks is built for a kind of caller only
(admin or not, with a project or not), with the caller's project bound as
CALLER at execution; so the hot reads are built once per kind of caller,
and SQLAlchemy finds them compiled.
"""

import sqlalchemy as sa

CALLER = sa.bindparam('caller_project')


def kind(context):
    """(is_admin, has_project): what a statement built on CALLER needs."""
    return context.is_admin, bool(context.project_id)


def params(context, **values):
    """The execution parameters of a statement built on CALLER."""
    return dict(values, caller_project=context.project_id)
