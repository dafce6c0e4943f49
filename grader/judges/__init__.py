"""The judges: the LLM judge (:mod:`.llm`) over the OpenAI adapter (:mod:`.openai_api`, the one package
that imports ``openai``), and the embedded offline judge (:mod:`.local`)."""
