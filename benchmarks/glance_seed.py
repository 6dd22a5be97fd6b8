"""Seed upstream Glance's database with the benchmark's data.

The rows are those of seed.Seeder (same random seed, so the same image
ids, owners, visibilities, memberships, properties and tags as the
glance-sharing database of that scale), written straight into the tables
``glance-manage db sync`` made: ``images``, ``image_properties``,
``image_tags`` and ``image_members``, with Glance's soft-delete columns
(``deleted`` False) and ``can_share`` False. Glance's tables are read
from the database (reflection), so nothing of Glance is imported here.
No image has a location: the benchmark never reads image data from
Glance.
"""

import os
import time

import sqlalchemy as sa

from benchmarks import seed
from harness import glance as harness

# glance-sharing row lists -> Glance's table, in insert order.
TABLES = (('images', 'images'), ('properties', 'image_properties'),
          ('tags', 'image_tags'), ('members', 'image_members'))


def glance_rows(seeder):
    """{Glance table: rows} for the rows ``seeder`` built."""
    created = {i['id']: i['created_at'] for i in seeder.images}
    rows = {'images': [dict(i, deleted=False, deleted_at=None)
                       for i in seeder.images]}
    rows['image_properties'] = [
        dict(p, created_at=created[p['image_id']],
             updated_at=created[p['image_id']], deleted=False,
             deleted_at=None) for p in seeder.properties]
    rows['image_tags'] = [
        dict(t, created_at=created[t['image_id']],
             updated_at=created[t['image_id']], deleted=False,
             deleted_at=None) for t in seeder.tags]
    # Glance's memberships have no copy of their image's created_at.
    rows['image_members'] = [
        dict({k: v for k, v in m.items() if k != 'image_created_at'},
             can_share=False, deleted=False, deleted_at=None)
        for m in seeder.members]
    return rows


def insert(engine, rows):
    """Insert ``rows`` in batches, one transaction; then ANALYZE."""
    metadata = sa.MetaData()
    names = [table for _key, table in TABLES]
    metadata.reflect(engine, only=names)
    with engine.begin() as conn:
        for name in names:
            table = metadata.tables[name]
            columns = set(table.c.keys())
            batch = [{k: v for k, v in row.items() if k in columns}
                     for row in rows[name]]
            missing = {k for row in rows[name][:1] for k in row} - columns
            if missing:
                raise RuntimeError('Glance\'s %s has no %s' % (
                    name, ', '.join(sorted(missing))))
            for start in range(0, len(batch), seed.BATCH):
                conn.execute(table.insert(), batch[start:start + seed.BATCH])
    with engine.begin() as conn:
        if engine.dialect.name == 'mysql':
            conn.exec_driver_sql('ANALYZE TABLE %s' % ', '.join(names))
        else:
            conn.exec_driver_sql('ANALYZE')


def seed_glance(venv, backend, scale, config_dir, db_name=None, log=print,
                projects=None, flavor='headers', *overrides):
    """A Glance database of ``scale`` and a config dir serving it.

    Returns the manifest (the same ids as seed.seed's of that scale and
    ``projects``).
    """
    db_name = db_name or 'glance_bench_%s' % scale.name
    url = seed.database_url(backend, db_name, config_dir)
    seed.recreate_database(backend, url)
    conf_path = harness.write_config(config_dir, url, flavor, *overrides)
    started = time.monotonic()
    harness.db_sync(venv, conf_path)
    synced = time.monotonic()
    seeder = seed.Seeder(scale, projects=projects)
    manifest = seeder.build()
    inserted = seed.write_rows(
        url, lambda engine: insert(engine, glance_rows(seeder)))
    os.makedirs(os.path.join(config_dir, 'images'), exist_ok=True)
    manifest.update(backend=backend, url=url,
                    sync_seconds=round(synced - started, 2),
                    insert_seconds=round(inserted, 2))
    log('seeded Glance %s %s: %s in %.1fs (+%.1fs of db sync)' % (
        backend, scale.name, manifest['counts'], inserted,
        synced - started))
    return manifest
