"""Agreement with human grades (``grader calibrate``): reading human-graded data (:mod:`.io`),
grading it and measuring agreement (:mod:`.measure`, the public face, over :mod:`.rubrics`,
:mod:`.report` and :mod:`.chart`), the metrics themselves (:mod:`.metrics`), per-criterion agreement
(:mod:`.criteria`)."""
