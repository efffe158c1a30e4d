from __future__ import annotations

from pathlib import Path

import pytest
import torch

from dialogue.nlu import IntentClassifierConfig, NLUConfig, NLUPipeline, train_nlu
from dialogue.nlu.embeddings import SentenceEncoder
from dialogue.project import Project, ProjectConfig

pytestmark = [pytest.mark.slow, pytest.mark.model]


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder()


def test_encoder_gives_normalised_vectors_that_mean_something(encoder: SentenceEncoder) -> None:
    vectors = encoder.encode(["where is my order", "track my package", "what a lovely day"])
    assert vectors.shape == (3, 384)
    assert torch.allclose(vectors.norm(dim=1), torch.ones(3), atol=1e-5)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])
    again = encoder.encode(["track my package"])
    assert torch.equal(again[0], vectors[1])  # cached


def test_pipeline_with_sentence_embeddings_round_trips(
    shop_project: Project, tmp_path: Path
) -> None:
    config = NLUConfig.from_project_config(
        ProjectConfig.from_yaml(
            "pipeline:\n- name: SentenceEmbeddings\n- name: IntentClassifier\n  epochs: 10\n"
        )
    )
    assert config.intent == IntentClassifierConfig(epochs=10, sentence_embeddings=True)
    pipeline = train_nlu(shop_project.nlu, config, domain=shop_project.domain)
    assert pipeline.classifier.net.dense_dim == 384
    result = pipeline.parse("could you tell me where my parcel is")
    assert result.intent.name == "order_status"
    pipeline.save(tmp_path)
    assert NLUPipeline.load(tmp_path).parse(result.text) == result
