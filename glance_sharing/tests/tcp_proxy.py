"""A TCP proxy on 127.0.0.1 that tests can cut and restore.

It stands between the service and a shared database server, so a test can
make the database unreachable for the service alone: ``cut()`` closes the
listening socket (new connections are refused) and every open connection;
``restore()`` listens on the same port again. ``hang()`` makes it a
database that accepts connections and never answers: connections are
still accepted and read, but nothing is forwarded either way until
``resume()``.
"""

import select
import socket
import threading

import fixtures

from harness import server


class TCPProxy(fixtures.Fixture):
    """Forward 127.0.0.1:``port`` to ``(host, port)`` of the target."""

    def __init__(self, target_host, target_port):
        super().__init__()
        self.target = (target_host, target_port)

    def _setUp(self):
        self.port = server.free_port()
        self._lock = threading.Lock()
        self._listener = None
        self._connections = set()
        self._hung = False
        self.restore()
        self.addCleanup(self.cut)

    def restore(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(('127.0.0.1', self.port))
        listener.listen(128)
        # accept() wakes up now and then to notice cut().
        listener.settimeout(0.2)
        with self._lock:
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,),
                         daemon=True).start()

    def hang(self):
        self._hung = True

    def resume(self):
        self._hung = False

    def cut(self):
        with self._lock:
            listener, self._listener = self._listener, None
            connections = list(self._connections)
            self._connections.clear()
        if listener is not None:
            listener.close()
        for pair in connections:
            for sock in pair:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _accept(self, listener):
        while True:
            with self._lock:
                if self._listener is not listener:
                    return
            try:
                client, _ = listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            client.settimeout(None)
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            pair = (client, upstream)
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    upstream.close()
                    return
                self._connections.add(pair)
            threading.Thread(target=self._pump, args=(pair,),
                             daemon=True).start()

    def _pump(self, pair):
        client, upstream = pair
        try:
            while True:
                readable, _, _ = select.select(pair, [], [])
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if not self._hung:
                        (upstream if sock is client else client).sendall(
                            data)
        except (OSError, ValueError):
            pass
        finally:
            with self._lock:
                self._connections.discard(pair)
            for sock in pair:
                sock.close()
