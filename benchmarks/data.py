"""Image data throughput: upload and download, beside the store alone.

Each round uploads the same bytes through ``PUT /v2/images/{id}/file``
and downloads them with ``GET``, and also writes and reads them straight
to and from the store without the service (the "floor"):

* ``DiskAlone``, for the filesystem store: a file in the store directory,
  written the way glance_store's filesystem store does,
  ``filesystem_store_chunk_size`` (64 KiB) writes, no fsync (the store
  does none), then read back in reads of the same size. Both sides meet
  the same disk and page cache.
* ``SwiftAlone``, for the Swift store: one object PUT to the same Swift
  proxy, in the same account, with the same client chunks, then a GET.

The floor's figures are the limit the service's figures can approach.
MB are 10^6 bytes.
"""

import hashlib
import os
import statistics
import time
import uuid

import requests

# glance_store's filesystem_store_chunk_size default: what it writes and
# reads at a time.
STORE_CHUNK = 64 * 1024
# What the client sends and receives at a time.
CLIENT_CHUNK = 1024 * 1024
MB = 1000 * 1000


def make_source(path, size):
    """A file of ``size`` random bytes; its MD5 hex."""
    md5 = hashlib.md5(usedforsecurity=False)
    with open(path, 'wb') as source:
        left = size
        while left:
            chunk = os.urandom(min(CLIENT_CHUNK, left))
            md5.update(chunk)
            source.write(chunk)
            left -= len(chunk)
    return md5.hexdigest()


class _Body:
    """The source file as a request body: sized, sent in large chunks."""

    def __init__(self, path):
        self.path = path
        self.size = os.path.getsize(path)

    def __len__(self):
        return self.size

    def __iter__(self):
        with open(self.path, 'rb') as source:
            while True:
                chunk = source.read(CLIENT_CHUNK)
                if not chunk:
                    return
                yield chunk


def disk_write(source_path, target_path):
    """Copy the source as the store writes: 64 KiB writes, no fsync."""
    started = time.monotonic()
    with open(source_path, 'rb') as source, open(target_path, 'wb') as out:
        while True:
            chunk = source.read(STORE_CHUNK)
            if not chunk:
                break
            out.write(chunk)
    return time.monotonic() - started


def disk_read(path):
    """Read a file as the store does for a download: 64 KiB reads."""
    started = time.monotonic()
    with open(path, 'rb') as stored:
        while stored.read(STORE_CHUNK):
            pass
    return time.monotonic() - started


def _upload(session, url, headers, source_path):
    image = session.post(url + '/v2/images', headers=headers, json={
        'name': 'bench-data', 'disk_format': 'raw',
        'container_format': 'bare'}, timeout=60)
    image.raise_for_status()
    image_id = image.json()['id']
    started = time.monotonic()
    response = session.put(
        url + '/v2/images/%s/file' % image_id, data=_Body(source_path),
        headers=dict(headers, **{'Content-Type': 'application/octet-stream'}),
        timeout=600)
    seconds = time.monotonic() - started
    if response.status_code != 204:
        raise RuntimeError('upload answered %d: %s' % (
            response.status_code, response.text[:300]))
    return image_id, seconds


def _download(session, url, headers, image_id):
    started = time.monotonic()
    received = 0
    with session.get(url + '/v2/images/%s/file' % image_id,
                     headers=headers, stream=True, timeout=600) as response:
        if response.status_code != 200:
            raise RuntimeError('download answered %d' % response.status_code)
        for chunk in response.iter_content(CLIENT_CHUNK):
            received += len(chunk)
    return time.monotonic() - started, received


class DiskAlone:
    """The filesystem store's floor: a file in its directory."""

    store = 'filesystem store, %d KiB chunks, no fsync' % (
        STORE_CHUNK // 1024)
    label = 'disk alone'
    description = ('the same bytes written/read straight to/from the store '
                   'directory the same way')

    def __init__(self, store_dir):
        self.store_dir = store_dir

    def write_and_read(self, source_path):
        """(seconds to write, seconds to read) the source, then forget it."""
        target = os.path.join(self.store_dir, 'bench-disk-%s' %
                              uuid.uuid4().hex)
        try:
            return disk_write(source_path, target), disk_read(target)
        finally:
            os.unlink(target)


class SwiftAlone:
    """The Swift store's floor: one object in the store's own account.

    ``account_url`` is the account the store writes into, ``token`` a
    token of the store's user there.
    """

    store = 'Swift store (one proxy, one replica, on this host)'
    label = 'Swift alone'
    description = ('the same bytes PUT/GET as one object straight to the '
                   'same Swift account')

    def __init__(self, account_url, token, container='bench-floor'):
        self.container_url = '%s/%s' % (account_url, container)
        self.headers = {'X-Auth-Token': token}
        self.session = requests.Session()
        self.session.put(self.container_url, headers=self.headers,
                         timeout=60).raise_for_status()

    def write_and_read(self, source_path):
        url = '%s/%s' % (self.container_url, uuid.uuid4().hex)
        started = time.monotonic()
        self.session.put(url, data=_Body(source_path), headers=self.headers,
                         timeout=600).raise_for_status()
        wrote = time.monotonic() - started
        try:
            started = time.monotonic()
            with self.session.get(url, headers=self.headers, stream=True,
                                  timeout=600) as response:
                response.raise_for_status()
                for _chunk in response.iter_content(CLIENT_CHUNK):
                    pass
            return wrote, time.monotonic() - started
        finally:
            self.session.delete(url, headers=self.headers, timeout=60)


def measure(srv, headers, floor, size, workdir, rounds=3):
    """Median MB/s of upload, download, and the floor's write and read.

    ``srv`` is a running harness.server.Server; ``floor`` (DiskAlone,
    SwiftAlone) reaches the store ``srv`` uses without it; ``headers``
    carry the owner's identity (noauth headers or a token). Every round
    checks that the service computed the source's MD5 and sent back every
    byte. ``workdir`` holds the source file.
    """
    source_path = os.path.join(workdir, 'bench-data-source')
    md5 = make_source(source_path, size)
    session = requests.Session()
    headers = {k: v for k, v in headers.items() if k != 'Accept'}
    seconds = {'upload': [], 'download': [], 'floor_write': [],
               'floor_read': []}
    cpu = {'upload': 0.0, 'download': 0.0}
    try:
        for _round in range(rounds):
            wrote, read = floor.write_and_read(source_path)
            seconds['floor_write'].append(wrote)
            seconds['floor_read'].append(read)
            before = srv.worker_cpu_seconds()
            image_id, took = _upload(session, srv.url, headers, source_path)
            cpu['upload'] += srv.worker_cpu_seconds() - before
            seconds['upload'].append(took)
            try:
                shown = session.get(srv.url + '/v2/images/' + image_id,
                                    headers=headers, timeout=60).json()
                if (shown['checksum'], shown['size']) != (md5, size):
                    raise RuntimeError('stored %s bytes, md5 %s; sent %d, '
                                       '%s' % (shown['size'],
                                               shown['checksum'], size, md5))
                before = srv.worker_cpu_seconds()
                took, received = _download(session, srv.url, headers,
                                           image_id)
                cpu['download'] += srv.worker_cpu_seconds() - before
                if received != size:
                    raise RuntimeError('downloaded %d of %d bytes' % (
                        received, size))
                seconds['download'].append(took)
            finally:
                session.delete(srv.url + '/v2/images/' + image_id,
                               headers=headers, timeout=60)
    finally:
        os.unlink(source_path)
    result = {'size': size, 'rounds': rounds, 'store': floor.store,
              'floor': floor.label, 'floor_description': floor.description}
    for what, values in seconds.items():
        result[what + '_mbps'] = size / MB / statistics.median(values)
    for what in cpu:
        result[what + '_cpu_ms_per_mb'] = 1000.0 * cpu[what] / (
            rounds * size / MB)
    return result


def rows(data):
    """Text lines for a ``measure`` result: the service beside its floor."""
    # Results from before the Swift rows name no store and call the
    # floor's figures disk_*: the disk's.
    floor = data.get('floor', DiskAlone.label)
    out = ['Image data: %s MiB, median of %d round%s; %s;' % (
               _mib(data['size']), data['rounds'],
               '' if data['rounds'] == 1 else 's',
               data.get('store', DiskAlone.store)),
           '%s = %s. MB = 10^6 bytes.' % (
               floor, data.get('floor_description', DiskAlone.description))]
    header = '%-34s | %8s | %-22s | %7s | %s' % (
        'call', 'MB/s', floor + ' MB/s', 'service/floor',
        'server CPU ms per MB')
    out.append(header)
    out.append('-' * len(header))
    for what, label, way in (
            ('upload', 'image upload (PUT .../file)', 'write'),
            ('download', 'image download (GET .../file)', 'read')):
        floor_mbps = data.get('floor_%s_mbps' % way,
                              data.get('disk_%s_mbps' % way))
        out.append('%-34s | %8.1f | %8.1f %-13s | %12.2fx | %.2f' % (
            label, data[what + '_mbps'], floor_mbps, '(%s)' % way,
            data[what + '_mbps'] / floor_mbps,
            data[what + '_cpu_ms_per_mb']))
    return out


def _mib(size):
    mib = size / (1024 * 1024)
    return ('%d' % mib) if mib == int(mib) else ('%.2f' % mib)
