"""The in-process sentence embedder (grader/embedding.py) over the shipped int8 ONNX MiniLM."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from grader.errors import ConfigError, GraderError
from grader.judges.local.embedding import EMBEDDING_DIM, MAX_TOKENS, Embedder, get_embedder

REFERENCE = Path(__file__).parent / "data" / "minilm_reference.npz"


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return get_embedder()


@pytest.fixture(scope="module")
def tokenizer(embedder: Embedder):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(embedder.tokenizer_path))
    tok.no_truncation()
    tok.no_padding()
    return tok


def cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_shapes_dtype_and_unit_norms(embedder: Embedder) -> None:
    texts = ["A short one.", "", "A somewhat longer sentence about photosynthesis in green plants."]
    vectors = embedder.encode(texts)
    assert vectors.shape == (3, EMBEDDING_DIM)
    assert vectors.dtype == np.float32
    assert np.all(np.isfinite(vectors))
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_empty_input_gives_zero_rows_without_loading(tmp_path: Path) -> None:
    lazy = Embedder(tmp_path)  # no model here: an empty input must not need one
    vectors = lazy.encode([])
    assert vectors.shape == (0, EMBEDDING_DIM)
    assert vectors.dtype == np.float32


def test_identical_texts_have_cosine_one(embedder: Embedder) -> None:
    text = "Temporal coherence is the core challenge in video generation."
    together = embedder.encode([text, "something else entirely", text])
    alone = embedder.encode([text])[0]
    assert cos(together[0], together[2]) == pytest.approx(1.0, abs=1e-5)
    assert cos(together[0], alone) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize(
    ("text", "paraphrase", "unrelated"),
    [
        (
            "How do I reset my password?",
            "What are the steps to change a forgotten password?",
            "The capital of Australia is Canberra.",
        ),
        (
            "A man is playing a guitar on stage.",
            "Someone is performing a song on the guitar in front of an audience.",
            "Interest rates were raised to fight inflation.",
        ),
        (
            "Plants use sunlight to turn water and carbon dioxide into sugar.",
            "Photosynthesis converts light energy into chemical energy stored in glucose.",
            "The train to Edinburgh was delayed by a signal failure.",
        ),
    ],
)
def test_paraphrase_scores_above_unrelated(embedder: Embedder, text: str, paraphrase: str, unrelated: str) -> None:
    a, p, u = embedder.encode([text, paraphrase, unrelated])
    assert cos(a, p) > 0.45
    assert cos(a, u) < 0.2
    assert cos(a, p) - cos(a, u) > 0.4


def test_order_is_restored_after_length_bucketing(embedder: Embedder) -> None:
    # Lengths deliberately out of order, and batches small enough that buckets differ.
    texts = [
        "Short.",
        "A considerably longer sentence that will be sorted before the short ones when batching by length.",
        "Mid-length text about the French Revolution.",
        "ok",
        "Newton's second law states that force equals mass times acceleration, F = ma, in newtons.",
        "Water boils at 100 degrees Celsius at sea level.",
        "yes",
    ]
    batched = embedder.encode(texts, batch_size=3)
    for i, text in enumerate(texts):
        alone = embedder.encode([text])[0]
        assert cos(batched[i], alone) > 0.999, f"row {i} ({text!r}) does not match its own embedding"
    # Different batch sizes agree too.
    np.testing.assert_allclose(embedder.encode(texts, batch_size=32), batched, atol=1e-4)


def _long_text(tokenizer, words: list[str], at_least: int) -> str:
    text = " ".join(words)
    while len(tokenizer.encode(text).ids) < at_least:
        text += " " + " ".join(words)
    return text


def test_long_texts_are_not_truncated_at_128_tokens(embedder: Embedder, tokenizer) -> None:
    base = _long_text(
        tokenizer, ["the", "committee", "reviewed", "the", "annual", "budget", "report", "in", "detail"], 150
    )
    first = base + " Afterwards everyone went to the beach to swim in the sea and eat ice cream." * 4
    second = base + " Then the fire alarm rang and the building was evacuated by the police." * 4
    counts = [len(tokenizer.encode(t).ids) for t in (base, first, second)]
    assert counts[0] >= 150 and counts[1] > 200 and counts[2] > 200 and max(counts) <= MAX_TOKENS
    a, b = embedder.encode([first, second])  # one batch, both beyond the shipped 128-token limit
    assert cos(a, b) < 0.99, "tokens after 150 were ignored: the 128-token truncation is still on"


def test_texts_are_truncated_at_256_tokens(embedder: Embedder, tokenizer) -> None:
    base = _long_text(
        tokenizer, ["the", "committee", "reviewed", "the", "annual", "budget", "report", "in", "detail"], 300
    )
    a, b = embedder.encode([base + " cats and dogs", base + " stock market crash"])
    assert cos(a, b) == pytest.approx(1.0, abs=1e-5)


def test_parity_with_the_fp32_reference() -> None:
    data = np.load(REFERENCE)
    texts = [str(t) for t in data["texts"]]
    reference = data["embeddings"]
    assert reference.shape == (len(texts), EMBEDDING_DIM) and len(texts) >= 20
    assert max(data["token_counts"]) > 128  # the reference covers a long text too
    vectors = get_embedder().encode(texts)
    similarity = (vectors * reference).sum(axis=1) / np.linalg.norm(reference, axis=1)
    worst = int(np.argmin(similarity))
    assert similarity.min() >= 0.99, f"cosine {similarity[worst]:.4f} for {texts[worst]!r}"


def test_missing_model_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        Embedder(tmp_path).encode(["hello"])
    error = caught.value
    assert isinstance(error, GraderError)
    assert str(tmp_path / "model.onnx") in error.message
    assert "scripts/build_embedding_model.py" in error.one_line()


def test_unreadable_model_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "model.onnx").write_bytes(b"not an onnx model")
    (tmp_path / "tokenizer.json").write_text(get_embedder().tokenizer_path.read_text(encoding="utf-8"))
    with pytest.raises(ConfigError, match="cannot load the embedding model"):
        Embedder(tmp_path).encode(["hello"])


def test_bad_arguments() -> None:
    with pytest.raises(TypeError):
        get_embedder().encode("a bare string, not a list")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        get_embedder().encode(["x"], batch_size=0)
    with pytest.raises(ValueError):
        Embedder(threads=0)


def test_get_embedder_is_shared() -> None:
    assert get_embedder() is get_embedder()
