"""A Hugging Face config.json as MODEL: exact parameters, KV cache, and clear errors.

Expected counts are the published ones: the checkpoint's ``metadata.total_size`` in bytes / 2
(BF16 safetensors index) or the model card's figure, with the tolerance the card's rounding
allows. The configs are copied from the repositories' config.json (fields that do not affect
the count left out).
"""

from __future__ import annotations

import json

import pytest
import yaml

from generator import paths
from generator.cli import cli
from generator.hfconfig import ConfigError, count

LLAMA_31_8B = {
    "architectures": ["LlamaForCausalLM"],
    "attention_bias": False,
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "max_position_embeddings": 131072,
    "mlp_bias": False,
    "model_type": "llama",
    "num_attention_heads": 32,
    "num_hidden_layers": 32,
    "num_key_value_heads": 8,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
    "vocab_size": 128256,
}
MISTRAL_7B = {
    "model_type": "mistral",
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "vocab_size": 32000,
    "sliding_window": 4096,
    "max_position_embeddings": 32768,
}
QWEN25_7B = {
    "model_type": "qwen2",
    "hidden_size": 3584,
    "intermediate_size": 18944,
    "num_hidden_layers": 28,
    "num_attention_heads": 28,
    "num_key_value_heads": 4,
    "vocab_size": 152064,
    "tie_word_embeddings": False,
    "sliding_window": 131072,
    "use_sliding_window": False,
}
GEMMA2_9B = {
    "model_type": "gemma2",
    "hidden_size": 3584,
    "intermediate_size": 14336,
    "num_hidden_layers": 42,
    "num_attention_heads": 16,
    "num_key_value_heads": 8,
    "head_dim": 256,
    "vocab_size": 256000,
    "sliding_window": 4096,
}
MIXTRAL_8X7B = {
    "model_type": "mixtral",
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "num_local_experts": 8,
    "num_experts_per_tok": 2,
    "vocab_size": 32000,
}
DEEPSEEK_V3 = {
    "model_type": "deepseek_v3",
    "hidden_size": 7168,
    "intermediate_size": 18432,
    "moe_intermediate_size": 2048,
    "num_hidden_layers": 61,
    "first_k_dense_replace": 3,
    "n_routed_experts": 256,
    "n_shared_experts": 1,
    "num_experts_per_tok": 8,
    "num_attention_heads": 128,
    "num_key_value_heads": 128,
    "q_lora_rank": 1536,
    "kv_lora_rank": 512,
    "qk_nope_head_dim": 128,
    "qk_rope_head_dim": 64,
    "v_head_dim": 128,
    "vocab_size": 129280,
}


@pytest.mark.parametrize(
    ("config", "published", "rel"),
    [
        (LLAMA_31_8B, 16_060_522_496 / 2, 0),  # safetensors total_size, BF16
        (MISTRAL_7B, 14_483_464_192 / 2, 0),  # Mistral-7B-v0.1 safetensors total_size
        (QWEN25_7B, 7.61e9, 0.001),  # model card: "Number of Parameters: 7.61B"
        (GEMMA2_9B, 18_483_411_968 / 2, 0),  # gemma-2-9b safetensors total_size (FP32 /4 = same)
        (MIXTRAL_8X7B, 93_405_585_408 / 2, 0),  # Mixtral-8x7B-v0.1 safetensors total_size
        (DEEPSEEK_V3, 671e9, 0.001),  # paper: 671B total (without the 14B MTP module)
    ],
)
def test_parameter_counts_match_the_published_checkpoints(config, published, rel):
    assert count(config).parameters == pytest.approx(published, rel=rel, abs=0)


@pytest.mark.parametrize(
    ("config", "active"),
    [(MIXTRAL_8X7B, 12.9e9), (DEEPSEEK_V3, 37e9)],  # Mistral's "12.9B active", V3 paper "37B"
)
def test_mixtures_of_experts_count_active_parameters(config, active):
    # the papers round to one decimal (12.9B) or to whole billions (37B): ±2 %
    assert count(config).active == pytest.approx(active, rel=0.02)


def test_attention_shapes_come_from_the_config():
    assert count(DEEPSEEK_V3).architecture["kv_cache_dim"] == 512 + 64  # MLA latent + RoPE key
    assert count(GEMMA2_9B).architecture == {
        "layers": 42,
        "d_model": 3584,
        "heads": 16,
        "kv_heads": 8,
        "vocab_size": 256000,
        "kv_cache_dim": 2 * 8 * 256,  # head_dim 256 ≠ 3584 / 16
        "attention_window": 4096,
        "local_layers": 21,  # every other layer
    }
    assert "attention_window" not in count(QWEN25_7B).architecture  # use_sliding_window: false
    assert count(MISTRAL_7B).architecture["attention_window"] == 4096


@pytest.fixture
def llama_config():
    """meta-llama/Llama-3.1-8B's config.json as published (also used by the README)."""
    path = paths.ROOT / "tests/fixtures/hf/Llama-3.1-8B/config.json"
    assert {
        k: v for k, v in json.loads(path.read_text()).items() if k in LLAMA_31_8B
    } == LLAMA_31_8B
    return path


def test_a_config_as_model_gives_published_weight_bytes_and_kv_cache(runner, llama_config):
    args = ["infer", "rtx-4090", str(llama_config), "--quant", "fp16", "--context", "8192"]
    result = runner.invoke(cli, [*args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["memory"]["weights"]["value"] == 16_060_522_496  # 2 bytes × 8,030,261,248
    # K and V: 2 × 32 layers × 8 heads × 128 values × 2 bytes × 8,192 tokens
    assert out["memory"]["kv_cache"]["value"] == 2 * 32 * 8 * 128 * 2 * 8192


def test_finetune_and_compare_take_a_config(runner, llama_config):
    ft = runner.invoke(cli, ["finetune", "rtx-4090", str(llama_config), "--json"])
    assert ft.exit_code == 0, ft.output
    assert json.loads(ft.output)["model"].startswith("config-")  # never a catalog entry's id
    bare = runner.invoke(cli, ["compare", "h100-sxm", str(llama_config)])
    assert bare.exit_code == 2
    assert "--tokens or --flops" in bare.output
    args = ["compare", "h100-sxm", str(llama_config), "--tokens", "15e12", "--json"]
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    # 6 · N · D = 6 × 8,030,261,248 × 15e12
    assert json.loads(result.output)["training_flops"] == pytest.approx(6 * 8_030_261_248 * 15e12)


def test_from_config_prints_an_entry_that_validates_once_its_date_is_sourced(
    runner, llama_config, data_copy
):
    result = runner.invoke(cli, ["model", "from-config", str(llama_config)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (entry,) = yaml.safe_load(result.output)
    assert entry["parameters"] == 8_030_261_248
    assert entry["architecture"]["kv_heads"] == 8
    entry.update(id="test-from-config", name="Test from config")
    models = data_copy / "models.yaml"
    doc = yaml.safe_load(models.read_text(encoding="utf-8"))
    doc["models"].append(entry)
    models.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    check = runner.invoke(cli, ["validate", "--data", str(data_copy)], catch_exceptions=False)
    # the one figure a config cannot source is left for the contributor to fill in
    assert check.exit_code == 1
    assert "1 problem" in check.output
    assert "release_date: no source supports this figure" in check.output
    entry["sources"].append(
        {"url": "https://example.org/card", "title": "card", "fields": ["release_date"]}
    )
    models.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    check = runner.invoke(cli, ["validate", "--data", str(data_copy)], catch_exceptions=False)
    assert check.exit_code == 0, check.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not a readable JSON file"),
        ("[1, 2]", "expected a JSON object"),
        ('{"model_type": "bert", "hidden_size": 768}', "model_type 'bert' is not one"),
        ('{"model_type": "llama", "hidden_size": "big"}', "hidden_size must be a whole number"),
    ],
)
def test_a_malformed_config_is_one_clear_error(runner, tmp_path, content, message):
    path = tmp_path / "config.json"
    path.write_text(content)
    result = runner.invoke(cli, ["infer", "rtx-4090", str(path)], catch_exceptions=False)
    assert result.exit_code == 2
    assert message in result.output
    assert result.output.count("Error") == 1


def test_hf_offline_and_malformed_repo_say_what_to_do(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    result = runner.invoke(cli, ["infer", "rtx-4090", "hf:Qwen/Qwen2.5-7B"], catch_exceptions=False)
    assert result.exit_code == 2
    assert "not cached" in result.output
    assert "config.json" in result.output
    bad = runner.invoke(cli, ["infer", "rtx-4090", "hf:../../etc"], catch_exceptions=False)
    assert bad.exit_code == 2
    assert "expected hf:ORG/NAME" in bad.output


def test_unknown_architecture_is_refused_by_count():
    with pytest.raises(ConfigError, match=r"knows .*llama"):
        count({"model_type": "t5"})
