"""``python -m grader`` runs the command line."""

from grader.cli.app import main

main()
