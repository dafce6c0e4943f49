"""The judges: the LLM judge (:mod:`.llm`) and the embedded offline judge (:mod:`.local`)."""
