"""Run the test server: ``python -m grader.testing.devserver --port 8089 --mode honest`` (``--help``)."""

import sys

from grader.testing.devserver._cli import main

sys.exit(main())
