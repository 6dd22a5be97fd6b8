"""Alembic environment: runs on the connection handed over by migration.py."""

from alembic import context

from glance_sharing.db import models

connection = context.config.attributes['connection']
context.configure(connection=connection,
                  target_metadata=models.Base.metadata,
                  render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
