"""The front door: :class:`Workbench` holds one scenario, compiles it once per combination of
shocks, checks every id once, and offers each analysis as a method; :meth:`Workbench.analyze`
returns the one :class:`Analysis` record that the terminal, the brief and the service render.

>>> from accord import Workbench
>>> bench = Workbench("teaching-river")
>>> bench.evaluate("commission-1").acceptable_to_all
False
>>> try:
...     bench.evaluate("commission-9")
... except UnknownId as exc:
...     print(exc)
unknown draft 'commission-9' (expected one of: commission-1, commission-2, upland-offer)
"""

from accord.model.errors import UnknownId
from accord.workbench.bench import DEFAULT_MODELS, Workbench
from accord.workbench.compare import compare
from accord.workbench.record import Analysis, Forecasts, WhatIf

__all__ = ["DEFAULT_MODELS", "Analysis", "Forecasts", "UnknownId", "WhatIf", "Workbench", "compare"]
