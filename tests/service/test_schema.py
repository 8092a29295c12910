"""schemathesis against /openapi.json: generated requests to every operation, as a site
administrator (who may reach every endpoint); no 5xx, and every response matches the schema
(status codes, content types, bodies)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accord.service import db  # noqa: E402
from accord.service.auth import TOKEN_PREFIX, new_secret  # noqa: E402
from tests.service.conftest import app_for, make_team, river_document  # noqa: E402

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, str]:
    folder: Path = tmp_path_factory.mktemp("schema")
    url = f"sqlite:///{folder / 'accord.db'}"
    db.upgrade(url)
    team = make_team(url, river_document(), {"up": "UP", "lo": "LO"})
    secret, digest = new_secret(TOKEN_PREFIX)
    team.store.add_token(team.users["admin"].id, "schemathesis", digest)
    return app_for(team), secret


def test_every_operation_answers_within_its_schema(live: tuple[Any, str]) -> None:
    app, token = live
    api = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) > 60
    failures: list[str] = []
    for operation in operations:

        @settings(
            max_examples=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            if case.path_parameters and "sid" in case.path_parameters:
                case.path_parameters["sid"] = "teaching-river"  # reach the handlers, not 404s
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

        try:
            check()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {type(exc).__name__}: {exc}"[:2000])
    assert not failures, "\n\n".join(failures)
