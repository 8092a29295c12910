"""Simulated negotiations: protocols as steppable iterators, strategies that see only their own
party's view."""

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
    "AlternatingOffers",
    "Boulware",
    "Conceder",
    "HardLiner",
    "Linear",
    "Offer",
    "Outcome",
    "OwnPreferences",
    "Package",
    "PartyView",
    "RedLineKeeper",
    "State",
    "Strategy",
    "TimeBased",
    "TitForTat",
    "alternating_offers",
    "own_preferences",
    "package_near",
]
