"""Simulated negotiations: protocols as steppable iterators, strategies that see only their own
party's view. The NegMAS interop (``NegmasStrategy``, ``to_negmas``, ``from_negmas``) imports
NegMAS only when called."""

from accord.simulate.interop import NegmasDomain, NegmasStrategy, from_negmas, to_negmas
from accord.simulate.opponent_model import (
    Accommodating,
    OpponentModel,
    accommodating_package,
    frequency_model,
    frequency_models,
)
from accord.simulate.protocols import (
    AlternatingOffers,
    Outcome,
    State,
    alternating_offers,
)
from accord.simulate.strategies import (
    Boulware,
    Conceder,
    HardLiner,
    Linear,
    RedLineKeeper,
    Strategy,
    TimeBased,
    TitForTat,
    package_near,
)
from accord.simulate.views import Offer, OwnPreferences, Package, PartyView, own_preferences

__all__ = [
    "Accommodating",
    "AlternatingOffers",
    "Boulware",
    "Conceder",
    "HardLiner",
    "Linear",
    "NegmasDomain",
    "NegmasStrategy",
    "Offer",
    "OpponentModel",
    "Outcome",
    "OwnPreferences",
    "Package",
    "PartyView",
    "RedLineKeeper",
    "State",
    "Strategy",
    "TimeBased",
    "TitForTat",
    "accommodating_package",
    "alternating_offers",
    "frequency_model",
    "frequency_models",
    "from_negmas",
    "own_preferences",
    "package_near",
    "to_negmas",
]
