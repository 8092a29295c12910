"""`python -m accord`: the command line, as the `accord` script runs it."""

from accord.cli import main

main()
