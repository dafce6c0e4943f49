"""The embedded offline judge: sentence embeddings (:mod:`.embedding`), its model (:mod:`.model`)
and the judge (:mod:`.judge`)."""
