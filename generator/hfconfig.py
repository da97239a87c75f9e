"""A model read from a Hugging Face ``config.json``: its architecture and exact parameter count.

``MODEL`` on the command line may be a path to a ``config.json`` or ``hf:ORG/NAME`` (fetched with
huggingface_hub into its cache). Parameters are counted matrix by matrix the way the
transformers implementation of each ``model_type`` lays them out (embeddings, attention with
GQA or DeepSeek's MLA, gated MLP or mixture of experts, norms), so a count equals the
checkpoint's tensor sizes, not the nominal "8B" of the name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from generator.schema import Model

HF = "hf:"
_REPO = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}$")
# Dense decoder families (llama-style: RMSNorm, gated MLP); MoE and MLA handled where marked.
DENSE = {"llama", "mistral", "qwen2", "qwen3", "gemma", "gemma2", "gemma3_text", "olmo2", "phi3"}
MOE = {"mixtral", "qwen2_moe", "qwen3_moe", "deepseek_v2", "deepseek_v3", "gpt_oss"}
SUPPORTED = sorted(DENSE | MOE)
_TIED_BY_DEFAULT = {"gemma", "gemma2", "gemma3_text"}


class ConfigError(ValueError):
    """A config.json that cannot be read or describes an architecture this module cannot count."""


def is_config(arg: str) -> bool:
    """Whether a MODEL argument names a config (``hf:…`` or a ``….json`` file), not an id."""
    return arg.startswith(HF) or arg.endswith(".json")


@dataclass(frozen=True)
class Config:
    data: dict[str, Any]
    name: str  # ORG/NAME, or the file's folder name
    url: str  # where the config was read (a huggingface.co page for hf:)


def read(arg: str) -> Config:
    """The config a MODEL argument names; ``ConfigError`` with the reason otherwise."""
    if arg.startswith(HF):
        repo = arg.removeprefix(HF)
        path = _fetch(repo)
        url = f"https://huggingface.co/{repo}/blob/main/config.json"
        return Config(_parse(path, arg), repo, url)
    path = Path(arg)
    if not path.is_file():
        raise ConfigError(f"no such file: {arg}")
    name = path.resolve().parent.name or path.stem
    return Config(_parse(path, arg), name, "https://gpu-year.invalid/config.json")


def _parse(path: Path, arg: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ConfigError(f"{arg}: not a readable JSON file ({e})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{arg}: expected a JSON object, as in a Hugging Face config.json")
    return data


def _fetch(repo: str) -> Path:
    """``config.json`` of a Hugging Face repository, from huggingface_hub's cache or the hub."""
    if not _REPO.match(repo) or ".." in repo or "--" in repo:
        raise ConfigError(f"expected hf:ORG/NAME (e.g. hf:Qwen/Qwen2.5-7B), got {HF}{repo[:60]}")
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import (
        EntryNotFoundError,
        GatedRepoError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
    )

    local = "download its config.json and pass the file's path instead"
    try:
        return Path(hf_hub_download(repo, "config.json"))
    except GatedRepoError:
        raise ConfigError(
            f"{repo} is gated: accept its licence on https://huggingface.co/{repo} and log in "
            f"(`hf auth login`), or {local}"
        ) from None
    except RepositoryNotFoundError:
        raise ConfigError(f"no Hugging Face repository {repo} (or it is private)") from None
    except (LocalEntryNotFoundError, OfflineModeIsEnabled):
        raise ConfigError(
            f"cannot reach huggingface.co and {repo}'s config.json is not cached: connect, or "
            f"{local}"
        ) from None
    except EntryNotFoundError:
        raise ConfigError(f"{repo} has no config.json (is it a model repository?)") from None
    except (HfHubHTTPError, OSError) as e:
        raise ConfigError(f"cannot fetch {repo}'s config.json: {e}; or {local}") from None


@dataclass(frozen=True)
class Counted:
    parameters: int
    active: int | None  # per token, for mixtures of experts
    architecture: dict[str, int]


def _int(c: dict, key: str, default: int | None = None) -> int:
    v = c.get(key, default)
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise ConfigError(f"config.json: {key} must be a whole number, got {str(v)[:60]}")
    return v


def count(cfg: dict[str, Any]) -> Counted:
    """Exact parameters (total and active) and the catalog's architecture fields of a config."""
    c = cfg.get("text_config") or cfg  # multimodal checkpoints: the language model only
    mt = c.get("model_type") or cfg.get("model_type")
    if mt == "gemma3":
        mt = "gemma3_text"
    if mt not in DENSE | MOE:
        raise ConfigError(
            f"config.json: model_type {str(mt)[:60]!r} is not one gpu-year can count; it knows "
            f"{', '.join(SUPPORTED)} (give the model as `custom --params N` instead)"
        )
    d, n_layers = _int(c, "hidden_size"), _int(c, "num_hidden_layers")
    heads = _int(c, "num_attention_heads")
    kv = _int(c, "num_key_value_heads", heads)
    if not (d and n_layers and heads and kv) or heads % kv:
        raise ConfigError(
            "config.json: hidden_size, layers and heads must be > 0, kv heads | heads"
        )
    hd = _int(c, "head_dim", d // heads) if c.get("head_dim") is not None else d // heads
    vocab = _int(c, "vocab_size")
    tied = bool(
        c.get("tie_word_embeddings", cfg.get("tie_word_embeddings", mt in _TIED_BY_DEFAULT))
    )

    attn, kv_values = _attention(c, mt, d, heads, kv, hd)
    norms = 4 * d if mt in ("gemma2", "gemma3_text") else 2 * d

    ffn = _int(c, "intermediate_size")
    dense_mlp = 3 * d * ffn + (2 * ffn + d if c.get("mlp_bias") else 0)
    total = active = 0
    for layer in range(n_layers):
        mlp, mlp_active = _mlp(c, mt, layer, d, dense_mlp)
        total += attn + norms + mlp
        active += attn + norms + mlp_active
    emb = vocab * d * (1 if tied else 2)
    total += emb + d
    active += emb + d

    arch = {
        "layers": n_layers,
        "d_model": d,
        "heads": heads,
        "kv_heads": kv,
        "vocab_size": vocab,
    }
    if mt in ("deepseek_v2", "deepseek_v3") or hd * heads != d:
        arch["kv_cache_dim"] = kv_values
    if c.get("max_position_embeddings"):
        arch["context_length"] = _int(c, "max_position_embeddings")
    arch |= _window(c, mt, n_layers)
    return Counted(total, active if mt in MOE else None, arch)


def _attention(c: dict, mt: str, d: int, heads: int, kv: int, hd: int) -> tuple[int, int]:
    """Parameters of one attention block, and the values it caches per token."""
    if mt in ("deepseek_v2", "deepseek_v3"):
        nope, rope = _int(c, "qk_nope_head_dim"), _int(c, "qk_rope_head_dim")
        vd, kvr = _int(c, "v_head_dim"), _int(c, "kv_lora_rank")
        qr = c.get("q_lora_rank")
        q = d * heads * (nope + rope) if not qr else d * qr + qr + qr * heads * (nope + rope)
        attn = q + d * (kvr + rope) + kvr + kvr * heads * (nope + vd) + heads * vd * d
        kv_values = kvr + rope  # MLA caches the compressed latent and the shared RoPE key
    else:
        attn = 2 * d * heads * hd + 2 * d * kv * hd
        if mt == "qwen2" or (mt == "qwen2_moe" and c.get("qkv_bias", True)):
            attn += heads * hd + 2 * kv * hd  # q, k and v biases
        elif c.get("attention_bias"):
            attn += heads * hd + 2 * kv * hd + d
        if mt in ("qwen3", "qwen3_moe", "gemma3_text"):
            attn += 2 * hd  # per-head RMSNorm of q and k
        elif mt == "olmo2":
            attn += heads * hd + kv * hd  # RMSNorm over all q and all k
        if mt == "gpt_oss":
            attn += heads  # attention sinks
        kv_values = 2 * kv * hd
    return attn, kv_values


def _mlp(c: dict, mt: str, layer: int, d: int, dense: int) -> tuple[int, int]:
    """Parameters of one layer's feed-forward block: in total and active per token."""
    if mt not in MOE:
        return dense, dense
    if mt in ("deepseek_v2", "deepseek_v3"):
        if layer < _int(c, "first_k_dense_replace", 0):
            return dense, dense
        experts, k = _int(c, "n_routed_experts"), _int(c, "num_experts_per_tok")
        expert = 3 * d * _int(c, "moe_intermediate_size")
        shared = _int(c, "n_shared_experts", 0) * expert
        router = d * experts + (experts if mt == "deepseek_v3" else 0)  # v3: score bias
        return experts * expert + shared + router, k * expert + shared + router
    if mt in ("qwen2_moe", "qwen3_moe"):
        sparse_step = _int(c, "decoder_sparse_step", 1)
        if layer in (c.get("mlp_only_layers") or []) or (layer + 1) % sparse_step:
            return dense, dense
        experts, k = _int(c, "num_experts"), _int(c, "num_experts_per_tok")
        expert = 3 * d * _int(c, "moe_intermediate_size")
        shared_ffn = c.get("shared_expert_intermediate_size") or 0
        shared = 3 * d * shared_ffn + (d if shared_ffn else 0)  # and its sigmoid gate
        return experts * expert + shared + d * experts, k * expert + shared + d * experts
    experts = _int(c, "num_local_experts")
    k = _int(c, "num_experts_per_tok", c.get("experts_per_token"))
    ffn = _int(c, "intermediate_size")
    if mt == "gpt_oss":  # biased experts (gate+up fused, then down) and a biased router
        expert = d * 2 * ffn + 2 * ffn + ffn * d + d
        router = d * experts + experts
    else:
        expert, router = 3 * d * ffn, d * experts
    return experts * expert + router, k * expert + router


def _window(c: dict, mt: str, n_layers: int) -> dict[str, int]:
    """attention_window and local_layers for sliding-window (or chunked) attention."""
    window = c.get("sliding_window")
    types = c.get("layer_types")
    if isinstance(types, list) and window:
        local = sum(t == "sliding_attention" for t in types)
        return {"attention_window": window, "local_layers": local} if local else {}
    if not window or (mt in ("qwen2", "qwen3", "qwen2_moe", "qwen3_moe")):
        return {}  # Qwen configs carry a window their released models do not use
    if mt == "gemma2":
        return {"attention_window": window, "local_layers": n_layers // 2}
    if mt == "gemma3_text":
        pattern = _int(c, "sliding_window_pattern", 6)
        return {"attention_window": window, "local_layers": n_layers - n_layers // pattern}
    return {"attention_window": window}


def entry(cfg: Config, tokens: float | None = None, flops: float | None = None) -> dict[str, Any]:
    """A catalog entry (models.yaml) for the config, its figures sourced to the config."""
    n = count(cfg.data)
    org, _, short = cfg.name.rpartition("/")
    raw: dict[str, Any] = {
        "id": _slug(cfg.name),
        "name": short or cfg.name,
        "organization": org or "unknown",
        "release_date": date.today().isoformat(),
        "open_weights": True,
        "parameters": n.parameters,
    }
    if n.active is not None:
        raw["active_parameters"] = n.active
    if tokens is not None:
        raw["training_tokens"] = tokens
    if flops is not None:
        raw["training_compute"] = {"flops": flops, "kind": "estimated", "by": "given"}
    raw["architecture"] = n.architecture
    fields = ["parameters", "architecture"] + (["active_parameters"] if n.active else [])
    raw["sources"] = [{"url": cfg.url, "title": f"{cfg.name} config.json", "fields": fields}]
    if tokens is not None or flops is not None:
        given = ["training_tokens"] * (tokens is not None) + ["training_compute"] * (
            flops is not None
        )
        raw["sources"].append(
            {"url": "https://gpu-year.invalid/command-line", "title": "given", "fields": given}
        )
    return raw


def model(cfg: Config, tokens: float | None = None, flops: float | None = None) -> Model:
    """The config as a catalog ``Model``, its id prefixed so it never shadows a catalog entry."""
    raw = entry(cfg, tokens, flops)
    raw["id"] = f"config-{raw['id']}"[:64].rstrip("-.")
    try:
        return Model.model_validate(raw)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"config.json gives an impossible {where}: {first['msg']}") from None


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9.]+", "-", name.lower()).strip("-.")[:60] or "model"
    return slug if slug[0].isalnum() else "m" + slug
