"""Server-side cursors: a query's results handed out in batches through getMore."""

import random
import time

import bson
from bson.int64 import Int64

from errors import CommandError

DEFAULT_FIRST_BATCH = 101
# Like mongod, a batch stops growing once it holds about 16 MiB of documents.
MAX_BATCH_BYTES = 16 * 1024 * 1024
IDLE_TIMEOUT_SECONDS = 600


class _Cursor:
    __slots__ = ("namespace", "documents", "position", "last_used")

    def __init__(self, namespace: str, documents: list):
        self.namespace = namespace
        self.documents = documents
        self.position = 0
        self.last_used = time.monotonic()

    def next_batch(self, batch_size: int) -> list:
        self.last_used = time.monotonic()
        batch, size = [], 0
        while self.position < len(self.documents) and (batch_size <= 0 or len(batch) < batch_size):
            document = self.documents[self.position]
            size += len(bson.encode(document))
            if batch and size > MAX_BATCH_BYTES:
                break
            batch.append(document)
            self.position += 1
        return batch

    @property
    def exhausted(self) -> bool:
        return self.position >= len(self.documents)


class CursorRegistry:
    def __init__(self):
        self._cursors = {}

    def open(self, namespace: str, documents: list, batch_size=None, single_batch=False) -> dict:
        """Runs the first batch and returns the `cursor` sub-document of the reply."""
        cursor = _Cursor(namespace, documents)
        size = DEFAULT_FIRST_BATCH if batch_size is None else int(batch_size)
        batch = cursor.next_batch(size) if size > 0 else []  # batchSize 0: open the cursor only
        cursor_id = 0
        if not cursor.exhausted and not single_batch:
            cursor_id = self._new_id()
            self._cursors[cursor_id] = cursor
        return {"firstBatch": batch, "id": Int64(cursor_id), "ns": namespace}

    def get_more(self, cursor_id: int, namespace: str, batch_size=None) -> dict:
        cursor = self._cursors.get(cursor_id)
        if cursor is None:
            raise CommandError(43, f"cursor id {cursor_id} not found")
        if cursor.namespace != namespace:
            raise CommandError(13, f"cursor id {cursor_id} belongs to {cursor.namespace}, not {namespace}")
        batch = cursor.next_batch(0 if batch_size is None else int(batch_size))
        if cursor.exhausted:
            del self._cursors[cursor_id]
            cursor_id = 0
        return {"nextBatch": batch, "id": Int64(cursor_id), "ns": namespace}

    def kill(self, cursor_ids) -> tuple:
        killed, not_found = [], []
        for cursor_id in cursor_ids:
            (killed if self._cursors.pop(int(cursor_id), None) else not_found).append(Int64(cursor_id))
        return killed, not_found

    def reap_idle(self) -> int:
        deadline = time.monotonic() - IDLE_TIMEOUT_SECONDS
        idle = [cid for cid, cursor in self._cursors.items() if cursor.last_used < deadline]
        for cursor_id in idle:
            del self._cursors[cursor_id]
        return len(idle)

    def __len__(self) -> int:
        return len(self._cursors)

    def _new_id(self) -> int:
        while True:
            cursor_id = random.getrandbits(62) + 1
            if cursor_id not in self._cursors:
                return cursor_id
