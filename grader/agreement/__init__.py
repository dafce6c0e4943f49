"""Agreement with human grades (``grader calibrate``): reading human-graded data (:mod:`.io`),
grading it and measuring agreement (:mod:`.measure`), the metrics themselves (:mod:`.metrics`)."""
