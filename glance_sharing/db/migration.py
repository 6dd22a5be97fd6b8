"""Schema versions: alembic driven from the configured database."""

import os

from alembic import command as alembic_command
from alembic import config as alembic_config
from alembic import migration as alembic_migration

from glance_sharing.db import engine as db_engine

_ALEMBIC_DIR = os.path.join(os.path.dirname(__file__), 'alembic')


def _config(connection):
    config = alembic_config.Config()
    config.set_main_option('script_location', _ALEMBIC_DIR)
    config.attributes['connection'] = connection
    return config


def upgrade(revision='head'):
    """Bring the database schema to ``revision``."""
    engine = db_engine.main_context_manager.writer.get_engine()
    with engine.begin() as connection:
        alembic_command.upgrade(_config(connection), revision)


def version():
    """The schema revision of the database, or None when it is empty."""
    engine = db_engine.main_context_manager.reader.get_engine()
    with engine.connect() as connection:
        return alembic_migration.MigrationContext.configure(
            connection).get_current_revision()


def head():
    """The newest revision this code knows."""
    from alembic import script
    return script.ScriptDirectory.from_config(
        _config(None)).get_current_head()
