"""Scale-out: a ``dask.distributed`` client for the engines that offer ``backend="dask"``.

``dask_client(scheduler)`` connects to the scheduler at that address, or starts a
``LocalCluster`` (no dashboard) and closes it afterwards. Needs the ``dask`` extra; without it,
a ``ValueError`` says what to install.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from typing import Any


def distributed() -> Any:
    """The ``dask.distributed`` module, or a ``ValueError`` naming the extra to install."""
    try:
        return importlib.import_module("dask.distributed")
    except ImportError:
        raise ValueError(
            "the dask backend needs the dask extra (pip install 'accord[dask]')"
        ) from None


@contextlib.contextmanager
def dask_client(
    scheduler: str | None, *, workers: int = 2, processes: bool = False
) -> Iterator[Any]:
    """A client of the scheduler at ``scheduler``, or of a local cluster of ``workers``
    single-threaded workers (processes, or threads in this process)."""
    module = distributed()
    cluster: Any = None
    if scheduler is None:
        cluster = module.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=processes, dashboard_address=None
        )
        client = module.Client(cluster)
    else:
        client = module.Client(scheduler)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
