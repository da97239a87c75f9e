"""Finding a GPU or model by what people type: a name never answers for another product.

The catalog here is built in the test with the variants the real one has or will have (4070 and
4070 Ti, T4 and M4 Max, L4 and L40S, two V100s, two M3 Max GPUs, Llama 3 and 3.1 8B, Qwen2.5 7B
and 72B); every expectation is written out by hand.
"""

from __future__ import annotations

import copy
import json

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.data import load_catalog
from generator.lookup import UnknownEntry, resolve
from tests.conftest import write_mini_data

M3_30 = {"en": "30-core GPU", "de": "GPU mit 30 Kernen"}
M3_40 = {"en": "40-core GPU", "de": "GPU mit 40 Kernen"}
GPUS = {
    "rtx-4090": ("NVIDIA GeForce RTX 4090", None),
    "rtx-4070": ("NVIDIA GeForce RTX 4070", None),
    "rtx-4070-ti": ("NVIDIA GeForce RTX 4070 Ti", None),
    "rtx-4070-super": ("NVIDIA GeForce RTX 4070 Super", None),
    "rtx-4060": ("NVIDIA GeForce RTX 4060", None),
    "rtx-4060-ti-8gb": ("NVIDIA GeForce RTX 4060 Ti 8 GB", None),
    "rtx-4060-ti-16gb": ("NVIDIA GeForce RTX 4060 Ti 16 GB", None),
    "rtx-3080-10gb": ("NVIDIA GeForce RTX 3080 10 GB", None),
    "rtx-3080-12gb": ("NVIDIA GeForce RTX 3080 12 GB", None),
    "gtx-1080-ti": ("NVIDIA GeForce GTX 1080 Ti", None),
    "t4": ("NVIDIA T4", None),
    "l4": ("NVIDIA L4", None),
    "l40s": ("NVIDIA L40S", None),
    "v100-sxm2": ("NVIDIA Tesla V100 SXM2 32 GB", None),
    "v100-pcie": ("NVIDIA Tesla V100 PCIe 32 GB", None),
    "apple-m4-max": ("Apple M4 Max", M3_40),
    "apple-m3-max-30c": ("Apple M3 Max", M3_30),
    "apple-m3-max-40c": ("Apple M3 Max", M3_40),
    "tpu-v4": ("Google Cloud TPU v4", {"en": "per chip", "de": "pro Chip"}),
}
MODELS = {
    "llama-3-8b": "Llama 3 8B",
    "llama-3.1-8b": "Llama 3.1 8B",
    "llama-3.1-70b": "Llama 3.1 70B",
    "qwen2.5-7b": "Qwen2.5-7B",
    "qwen2.5-72b": "Qwen2.5-72B",
    "mistral-7b": "Mistral 7B (v0.1)",
}
# names in other scripts, as a maker or a translated catalog would write them
FOREIGN = {
    "ascend-910b": "华为昇腾910B",
    "mlu370": "寒武纪思元370",
    "elbrus-1": "Ускоритель Эльбрус 1",
    "elbrus-2": "Ускоритель Байкал 2",
    "alpha-1": "Επιταχυντής Άλφα",
}


def _entries(catalog, base, names):
    return {
        i: base.model_copy(update={"id": i, "name": n, "qualifier": q})
        for i, (n, q) in names.items()
    }


@pytest.fixture(scope="module")
def gpus(catalog):
    return _entries(
        catalog, catalog.gpus["rtx-4090"], GPUS | {k: (v, None) for k, v in FOREIGN.items()}
    )


@pytest.fixture(scope="module")
def models(catalog):
    return _entries(
        catalog, catalog.models["llama-2-7b"], {k: (v, None) for k, v in MODELS.items()}
    )


def refusal(key, entries, what="GPU") -> str:
    with pytest.raises(UnknownEntry) as e:
        resolve(key, entries, what)
    return str(e.value)


@pytest.mark.parametrize(
    ("typed", "gpu_id"),
    [
        ("RTX 4070", "rtx-4070"),
        ("4070", "rtx-4070"),
        ("rtx4070", "rtx-4070"),
        ("rtx-4070", "rtx-4070"),
        ("NVIDIA GeForce RTX 4070", "rtx-4070"),
        ("ＲＴＸ　４０７０", "rtx-4070"),  # full-width, as a Japanese keyboard types it
        ("4070 Ti", "rtx-4070-ti"),
        ("4070ti", "rtx-4070-ti"),
        ("geforce 4070 super", "rtx-4070-super"),
        ("T4", "t4"),
        ("L4", "l4"),
        ("L40S", "l40s"),
        ("4060", "rtx-4060"),
        ("4060 Ti 16GB", "rtx-4060-ti-16gb"),
        ("RTX 3080 12 GB", "rtx-3080-12gb"),
        ("GTX 1080 Ti", "gtx-1080-ti"),
        ("V100 SXM2", "v100-sxm2"),
        ("M4 Max", "apple-m4-max"),
        ("m3 max 40-core", "apple-m3-max-40c"),
        ("M3 Max GPU mit 30 Kernen", "apple-m3-max-30c"),
        ("TPU v4", "tpu-v4"),
        ("tpu v4 pro chip", "tpu-v4"),
    ],
)
def test_a_gpu_is_found_by_its_own_words(gpus, typed, gpu_id):
    assert resolve(typed, gpus, "GPU") == gpu_id


@pytest.mark.parametrize(
    ("typed", "model_id"),
    [
        ("llama 3.1 8b", "llama-3.1-8b"),
        ("Llama 3 8B", "llama-3-8b"),
        ("llama3 8b", "llama-3-8b"),
        ("qwen2.5 7b", "qwen2.5-7b"),
        ("Qwen2.5 7B", "qwen2.5-7b"),
        ("qwen 2.5 7b", "qwen2.5-7b"),
        ("qwen2.5-72b", "qwen2.5-72b"),
        ("mistral 7b", "mistral-7b"),  # the id, though the name adds "(v0.1)"
    ],
)
def test_a_model_is_found_by_its_own_words(models, typed, model_id):
    assert resolve(typed, models, "model") == model_id


def test_every_id_and_name_finds_its_entry(catalog, gpus, models):
    for entries in (gpus, models, catalog.gpus, catalog.models):
        for eid, e in entries.items():
            for key in (eid, e.label("en"), e.label("de")):
                assert resolve(key, entries, "x") == eid, key


def test_a_bare_name_with_variants_lists_them(gpus):
    assert refusal("RTX 3080", gpus) == (
        "ambiguous GPU 'RTX 3080': it matches rtx-3080-10gb (NVIDIA GeForce RTX 3080 10 GB), "
        "rtx-3080-12gb (NVIDIA GeForce RTX 3080 12 GB); give one of these ids"
    )
    assert refusal("V100", gpus) == (
        "ambiguous GPU 'V100': it matches v100-sxm2 (NVIDIA Tesla V100 SXM2 32 GB), "
        "v100-pcie (NVIDIA Tesla V100 PCIe 32 GB); give one of these ids"
    )
    assert refusal("M3 Max", gpus) == (
        "ambiguous GPU 'M3 Max': it matches apple-m3-max-30c (Apple M3 Max (30-core GPU)), "
        "apple-m3-max-40c (Apple M3 Max (40-core GPU)); give one of these ids"
    )
    assert "rtx-4060-ti-8gb" in refusal("4060 Ti", gpus)
    assert "rtx-4060-ti-16gb" in refusal("4060 Ti", gpus)


def test_a_name_is_never_answered_by_a_longer_one(gpus):
    assert refusal("GTX 1080", gpus) == (
        "no GPU named 'GTX 1080'; did you mean gtx-1080-ti (NVIDIA GeForce GTX 1080 Ti)?"
    )
    without_plain = {k: v for k, v in gpus.items() if k != "rtx-4060"}
    message = refusal("4060", without_plain)
    assert message.startswith("ambiguous GPU '4060': it matches rtx-4060-ti-8gb (")
    only_16 = {k: v for k, v in without_plain.items() if k != "rtx-4060-ti-8gb"}
    assert refusal("RTX 4060", only_16) == (
        "no GPU named 'RTX 4060'; did you mean rtx-4060-ti-16gb (NVIDIA GeForce RTX 4060 Ti 16 GB)?"
    )
    without_t4 = {k: v for k, v in gpus.items() if k != "t4"}
    assert "apple-m4-max" not in refusal("T4", without_t4)  # "T4" is never inside "M4"
    without_l4 = {k: v for k, v in gpus.items() if k != "l4"}
    assert refusal("L4", without_l4).startswith("unknown GPU 'L4'.")  # nor inside "L40S"


def test_model_versions_are_whole_words(models):
    without_31 = {k: v for k, v in models.items() if k != "llama-3.1-8b"}
    assert refusal("llama 3.1 8b", without_31, "model").startswith("unknown model")
    without_7b = {k: v for k, v in models.items() if k != "qwen2.5-7b"}
    assert refusal("qwen2.5 7b", without_7b, "model").startswith("unknown model")
    assert refusal("llama 8b", models, "model") == (
        "ambiguous model 'llama 8b': it matches llama-3-8b (Llama 3 8B), "
        "llama-3.1-8b (Llama 3.1 8B); give one of these ids"
    )


def test_an_unknown_name_suggests_real_entries(gpus, models):
    message = refusal("RTX 4007 Ti", gpus)
    assert message.startswith(
        "unknown GPU 'RTX 4007 Ti'. Did you mean rtx-4070-ti (NVIDIA GeForce RTX 4070 Ti), "
    )
    assert message.endswith("? (`gpu-year list gpus` shows all ids)")
    message = refusal("lama 3.1 70b", models, "model")
    assert "Did you mean llama-3.1-70b (Llama 3.1 70B)" in message
    assert message.endswith("(`gpu-year list models` shows all ids)")


def test_a_long_list_of_matches_is_cut(gpus):
    message = refusal("RTX", gpus)
    assert message.count(" (NVIDIA GeForce RTX") == 8  # of the 9 RTX cards
    assert "and 1 more; give one of these ids (`gpu-year list gpus` shows all ids)" in message


@pytest.mark.parametrize(
    ("typed", "gpu_id"),
    [
        ("华为昇腾910B", "ascend-910b"),
        ("华为昇腾 910b", "ascend-910b"),
        ("寒武纪思元370", "mlu370"),
        ("ускоритель эльбрус 1", "elbrus-1"),
        ("УСКОРИТЕЛЬ-БАЙКАЛ-2", "elbrus-2"),
        ("ускоритель эльбрус-1", "elbrus-1"),
        ("ΕΠΙΤΑΧΥΝΤΉΣ ΆΛΦΑ", "alpha-1"),
    ],
)
def test_names_in_other_scripts_are_found(gpus, typed, gpu_id):
    assert resolve(typed, gpus, "GPU") == gpu_id


def _foreign_names(gpus, models, scenario):
    # the old look-up folded each of these to "" or to its digits alone: "duplicate names"
    for g, name in zip(
        gpus["gpus"], ["华为昇腾910B", "寒武纪思元370", "Ускоритель Эльбрус"], strict=False
    ):
        g["name"] = name
    extra = copy.deepcopy(gpus["gpus"][-1])
    extra.update(id="baikal", name="Ускоритель Байкал")
    gpus["gpus"].append(extra)
    models["models"][0]["name"] = "Επιταχυντής Άλφα"
    models["models"][1]["name"] = "Γλωσσικό Μοντέλο Βήτα"


def test_names_in_other_scripts_validate_and_answer(tmp_path):
    data = write_mini_data(tmp_path / "data", _foreign_names)
    runner = CliRunner()
    r = runner.invoke(cli, ["validate", "--data", str(data)], catch_exceptions=False)
    assert r.exit_code == 0, r.output  # before: "already the name of gpus[0]"
    r = runner.invoke(
        cli,
        ["compare", "寒武纪思元370", "γλωσσικό μοντέλο βήτα", "--data", str(data), "--json"],
        catch_exceptions=False,
    )
    assert r.exit_code == 0, r.output
    found = json.loads(r.stdout)
    catalog = load_catalog(data)
    assert catalog.gpus[found["gpu"]].name == "寒武纪思元370"
    assert catalog.models[found["model"]].name == "Γλωσσικό Μοντέλο Βήτα"


def test_a_name_without_letters_or_digits_is_refused(tmp_path):
    def rename(gpus, models, scenario):
        gpus["gpus"][0]["name"] = "🚀"

    data = write_mini_data(tmp_path / "data", rename)
    r = CliRunner().invoke(cli, ["validate", "--data", str(data)], catch_exceptions=False)
    assert r.exit_code == 1
    assert "name: the string '🚀' has no letter or digit" in r.output


def test_the_command_line_refuses_a_name_with_variants(runner):
    r = runner.invoke(cli, ["compare", "V100", "gpt-3"], catch_exceptions=False)
    assert r.exit_code == 2
    assert "Error: Invalid value for 'GPU': ambiguous GPU 'V100': it matches v100-sxm2" in r.output
    r = runner.invoke(cli, ["infer", "GTX 1080", "llama-2-7b"], catch_exceptions=False)
    assert r.exit_code == 2
    assert "no GPU named 'GTX 1080'; did you mean gtx-1080-ti" in r.output
    r = runner.invoke(cli, ["finetune", "rtx-4090", "llama 2"], catch_exceptions=False)
    assert r.exit_code == 2
    assert "ambiguous model 'llama 2': it matches llama-2-7b" in r.output
