"""Run every benchmark and print its table. `make bench` installs the `bench` extra first."""

from __future__ import annotations

import platform

from benchmarks import agreement, bench_scoring, forecast, ingest, service, simulate, space


def main() -> None:
    machine = f"{platform.machine()}, {platform.processor() or 'cpu'}"
    print(f"machine: {machine}, Python {platform.python_version()}")
    bench_scoring.main()
    print()
    space.main()
    print()
    agreement.main([])
    print()
    forecast.main([])
    print()
    simulate.main([])
    print()
    ingest.main([])
    print()
    service.main([])  # a 60 s load run on loopback (the service extra)


if __name__ == "__main__":
    main()
