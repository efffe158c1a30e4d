"""The fine-tuned transformer (``TransformerEncoder``): real all-MiniLM-L6-v2, small data."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

from dialogue.exceptions import ProjectError
from dialogue.nlu import EntityTaggerConfig, NLUConfig, NLUPipeline, train_nlu
from dialogue.nlu.config import EncoderConfig
from dialogue.nlu.entity_tagger import train_entity_tagger
from dialogue.nlu.tokens import tokenize_with_offsets
from dialogue.nlu.tuned_encoder import TunedEncoder, _alignment, _piece_targets, uses_bfloat16
from dialogue.project import Project, ProjectConfig
from dialogue.training_data import TrainingExample
from dialogue.training_data.annotation import parse_annotated_text

pytestmark = [pytest.mark.slow, pytest.mark.model]

_PIPELINE = """
pipeline:
- name: IntentClassifier
  epochs: 20
- name: TransformerEncoder
  epochs: 4
  learning_rate: 0.0001
- name: EntityTagger
  epochs: 20
"""


@pytest.fixture(scope="module")
def tuned_pipeline(shop_project: Project) -> NLUPipeline:
    config = NLUConfig.from_project_config(ProjectConfig.from_yaml(_PIPELINE))
    return train_nlu(shop_project.nlu, config, domain=shop_project.domain)


def test_the_pipeline_reads_the_encoder_options() -> None:
    config = NLUConfig.from_project_config(ProjectConfig.from_yaml(_PIPELINE))
    assert config.encoder == EncoderConfig(epochs=4, learning_rate=1e-4)
    assert NLUConfig.from_dict(config.to_dict()) == config


@pytest.mark.parametrize(
    ("pipeline", "message"),
    [
        ("- name: TransformerEncoder\n  epochs: 0\n", "epochs and batch_size must be >= 1"),
        ("- name: TransformerEncoder\n  dropout: 0.1\n", "unknown option"),
        ("- name: TransformerEncoder\n  label_smoothing: 1.5\n", "label_smoothing"),
        ("- name: TransformerEncoder\n  precision: float16\n", "precision must be auto"),
        (
            "- name: TransformerEncoder\n- name: SentenceEmbeddings\n",
            "either SentenceEmbeddings or TransformerEncoder",
        ),
    ],
)
def test_bad_encoder_options_are_refused(pipeline: str, message: str) -> None:
    with pytest.raises(ProjectError, match=message):
        NLUConfig.from_project_config(ProjectConfig.from_yaml("pipeline:\n" + pipeline))


def test_tokens_line_up_with_word_pieces_in_chinese_and_mixed_text(
    tuned_pipeline: NLUPipeline,
) -> None:
    tuned = tuned_pipeline.classifier.tuned
    assert tuned is not None
    for text in ["我的订单A10001到哪了", "is the Aurora X2 银色 in stock?", "emoji 🙂 ok", ""]:
        encoding = tuned.encode(text)
        tokens = tokenize_with_offsets(text)
        assert encoding.token_states.shape == (len(tokens), tuned.dimension)
        assert encoding.intent_logits.shape == (len(tuned.intents),)
    batch = tuned.tokenizer(["我的A10001"], return_offsets_mapping=True, return_tensors="pt")
    offsets = batch["offset_mapping"][0]
    # 我, 的, A10001: every kefu token averages the pieces inside it, special tokens none.
    align = _alignment("我的A10001", offsets)
    assert align.shape[0] == 3
    assert torch.allclose(align.sum(1), torch.ones(3))
    assert align[:, 0].sum() == 0 and align[:, -1].sum() == 0  # [CLS], [SEP]
    # Only the first piece of a token carries its tag in fine-tuning.
    targets = _piece_targets("我的A10001", offsets, [0, 0, 1], -100)
    assert targets[0] == -100 and targets[1:3] == [0, 0] and targets.count(1) == 1


def test_a_tuned_pipeline_classifies_and_tags_and_round_trips(
    tuned_pipeline: NLUPipeline, tmp_path: Path
) -> None:
    assert tuned_pipeline.tagger is not None and tuned_pipeline.tagger.context_dim == 384
    result = tuned_pipeline.parse("where is my order A10003?")
    assert result.intent.name == "order_status"
    assert sum(s.confidence for s in result.intent_ranking) == pytest.approx(1.0, abs=1e-4)
    assert [(e.entity, e.value) for e in result.entities] == [("order_id", "A10003")]
    chinese = tuned_pipeline.parse("Aurora X2 多少钱?")
    assert [(e.entity, e.value) for e in chinese.entities] == [("product", "Aurora X2")]
    tuned_pipeline.save(tmp_path)
    stored = sorted(p.name for p in (tmp_path / "encoder").iterdir())
    assert "model.safetensors" in stored
    assert not [name for name in stored if name.endswith((".bin", ".pt", ".pkl"))]
    loaded = NLUPipeline.load(tmp_path)
    assert isinstance(loaded.classifier.tuned, TunedEncoder)
    for text in ["where is my order A10003?", "Aurora X2 多少钱?", "hello there"]:
        again = loaded.parse(text)
        want = tuned_pipeline.parse(text)
        assert again.intent.name == want.intent.name
        assert again.intent.confidence == pytest.approx(want.intent.confidence, abs=1e-5)
        assert again.entities == want.entities


def test_quantized_serving_uses_per_row_int8_weights_and_round_trips(
    shop_project: Project, tmp_path: Path
) -> None:
    pipeline = _PIPELINE.replace("  epochs: 4\n", "  epochs: 4\n  quantize: true\n")
    config = NLUConfig.from_project_config(ProjectConfig.from_yaml(pipeline))
    trained = train_nlu(shop_project.nlu, config, domain=shop_project.domain)
    tuned = trained.classifier.tuned
    assert tuned is not None
    linears = [m for m in tuned._serving.modules() if isinstance(m, DynamicLinear)]
    # Six layers of q, k, v, attention output, feed-forward in and out; BERT's pooler.
    assert len(linears) == 6 * 6 + 1
    assert {m.weight().qscheme() for m in linears} == {torch.per_channel_affine}
    # What is stored is the float model; loading quantizes it again, the same way.
    assert {p.dtype for p in tuned.model.parameters()} == {torch.float32}
    trained.save(tmp_path)
    loaded = NLUPipeline.load(tmp_path)
    for text in ["where is my order A10003?", "Aurora X2 多少钱?"]:
        want, again = trained.parse(text), loaded.parse(text)
        assert again.intent.name == want.intent.name
        assert again.intent.confidence == pytest.approx(want.intent.confidence, abs=1e-5)
        assert again.entities == want.entities
    result = loaded.parse("where is my order A10003?")
    assert result.intent.name == "order_status"
    assert [(e.entity, e.value) for e in result.entities] == [("order_id", "A10003")]


def test_precision_can_be_forced_either_way() -> None:
    assert uses_bfloat16("bfloat16") and not uses_bfloat16("float32")
    assert isinstance(uses_bfloat16("auto"), bool)


def test_bfloat16_fine_tuning_trains_a_working_model(shop_project: Project) -> None:
    pipeline = _PIPELINE.replace("  epochs: 4\n", "  epochs: 4\n  precision: bfloat16\n")
    config = NLUConfig.from_project_config(ProjectConfig.from_yaml(pipeline))
    assert config.encoder is not None and config.encoder.precision == "bfloat16"
    seen: set[torch.dtype] = set()

    def record(module: torch.nn.Module, _inputs: object, output: object) -> None:
        if isinstance(module, torch.nn.Linear) and isinstance(output, torch.Tensor):
            seen.add(output.dtype)

    hook = torch.nn.modules.module.register_module_forward_hook(record)
    try:
        trained = train_nlu(shop_project.nlu, config, domain=shop_project.domain)
    finally:
        hook.remove()
    assert torch.bfloat16 in seen  # the transformer's layers computed in bfloat16
    tuned = trained.classifier.tuned
    assert tuned is not None
    # The weights stay float32 (bfloat16 is only the arithmetic of the forward pass).
    assert {p.dtype for p in tuned.model.parameters()} == {torch.float32}
    result = trained.parse("where is my order A10003?")
    assert result.intent.name == "order_status"
    assert [(e.entity, e.value) for e in result.entities] == [("order_id", "A10003")]


def test_a_tagger_trained_with_token_states_needs_them() -> None:
    parsed = [parse_annotated_text(f"order [A1000{i}](order_id) please") for i in range(4)]
    examples = [TrainingExample(p.text, "status", p.entities) for p in parsed]
    contexts = [torch.randn(len(tokenize_with_offsets(e.text)), 16) for e in examples]
    tagger = train_entity_tagger(examples, EntityTaggerConfig(epochs=2), contexts=contexts)
    assert tagger is not None and tagger.context_dim == 16
    with pytest.raises(ValueError, match="token states"):
        tagger.tag("order A10001 please", "status")
    assert isinstance(tagger.tag("order A10001 please", "status", context=contexts[1]), list)
