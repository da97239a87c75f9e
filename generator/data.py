"""Load the catalog in ``data/``: GPUs, models and the scenario, cross-checked, as one ``Catalog``.

Every problem is collected and reported together, each naming the file, the entry (index and id)
and the field, so one run of ``gpu-year validate`` shows everything that needs fixing. The entry
types are in ``schema``, name look-up in ``lookup``, the per-file reading in ``validation``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError

from generator import localdata
from generator.coverage import check_sources
from generator.lookup import resolve
from generator.schema import PRECISIONS, Gpu, GpuArchitecture, Model, Scenario
from generator.validation import entry_label, load_list, problems_from, suggest, with_line
from generator.yamlio import DataError, Document, Problem, parse_yaml

DATA_FILES = ("gpus.yaml", "models.yaml", "scenario.yaml")
# Optional: the architecture rates GPU entries derive peaks from (absent in old revisions).
ARCH_FILE = "architectures.yaml"


# ---------------------------------------------------------------- the catalog


@dataclass(frozen=True)
class Catalog:
    """The validated data: GPUs and models keyed by id (in file order), and the scenario."""

    gpus: dict[str, Gpu]
    models: dict[str, Model]
    scenario: Scenario
    local: localdata.Local | None = None  # formats.yaml and measurements.yaml, when present
    architectures: dict[str, GpuArchitecture] = dataclasses.field(default_factory=dict)

    def gpu(self, key: str) -> Gpu:
        """A GPU by id (directly: the engine looks ids up in loops) or by what people type."""
        return self.gpus.get(key) or self.gpus[resolve(key, self.gpus, "GPU")]

    def model(self, key: str) -> Model:
        """A model by id, or by what people type."""
        return self.models.get(key) or self.models[resolve(key, self.models, "model")]


def load_catalog(directory: str | Path) -> Catalog:
    """Load, validate and cross-check ``gpus.yaml``, ``models.yaml`` and ``scenario.yaml``.

    Raises ``DataError`` listing every problem found.
    """
    d = Path(directory)
    problems: list[Problem] = []
    if not d.is_dir():
        raise DataError([Problem(str(d), "", "", "data directory not found")])
    docs: dict[str, Document] = {}
    archs = (
        load_list(d / ARCH_FILE, "architectures", GpuArchitecture, problems, docs)
        if (d / ARCH_FILE).is_file()
        else {}
    )
    gpus = load_list(d / "gpus.yaml", "gpus", Gpu, problems, docs)
    gpus = dict(_derive(gpus, archs, str(d / "gpus.yaml"), problems))
    models = load_list(d / "models.yaml", "models", Model, problems, docs)

    mfile = str(d / "models.yaml")
    for i, m in enumerate(models.values()):
        hw = m.training_hardware
        if hw and hw.gpu and gpus and hw.gpu not in gpus:
            label = entry_label("models", i, {"id": m.id})
            problems.append(
                Problem(
                    mfile,
                    label,
                    "training_hardware.gpu",
                    f"unknown GPU {hw.gpu!r}{suggest(hw.gpu, gpus)}",
                )
            )

    scenario = None
    sfile = str(d / "scenario.yaml")
    sdoc = None
    try:
        sdoc = docs[sfile] = parse_yaml(d / "scenario.yaml")
        if not isinstance(sdoc.data, dict):
            raise DataError([Problem(sfile, "", "", "expected a mapping")])
        scenario = Scenario.model_validate(sdoc.data)
    except DataError as e:
        problems.extend(e.problems)
    except ValidationError as err:
        problems.extend(problems_from(err, sfile, "", sdoc))
    if scenario is not None:
        problems.extend(check_sources(scenario, sfile, ""))
        for key in ("recipes", "claims"):
            for i, r in enumerate(getattr(scenario, key)):
                problems.extend(check_sources(r, sfile, entry_label(key, i, {"id": r.id})))
        problems.extend(_check_scenario(scenario, gpus, models, sfile))
    local = localdata.load_local(d, gpus, models, problems, docs)
    if problems:
        raise DataError([with_line(p, docs) for p in problems])
    assert scenario is not None
    return Catalog(gpus=gpus, models=models, scenario=scenario, local=local, architectures=archs)


def _derive(
    gpus: dict[str, Gpu], archs: dict[str, GpuArchitecture], file: str, problems: list[Problem]
) -> Iterator[tuple[str, Gpu]]:
    """Every GPU, those with a derivation given their computed peaks."""
    for i, (gid, g) in enumerate(gpus.items()):
        if g.derivation is None:
            yield gid, g
        elif (arch := archs.get(g.derivation.architecture)) is None:
            name = g.derivation.architecture
            problems.append(
                Problem(
                    file,
                    entry_label("gpus", i, {"id": gid}),
                    "derivation.architecture",
                    f"unknown architecture {name!r} (not in {ARCH_FILE}){suggest(name, archs)}",
                )
            )
        else:
            yield gid, g.derived(arch)


def _check_scenario(s: Scenario, gpus: dict, models: dict, file: str) -> Iterator[Problem]:
    q = s.question
    if gpus and q.gpu not in gpus:
        yield Problem(file, "question", "gpu", f"unknown GPU {q.gpu!r}{suggest(q.gpu, gpus)}")
    elif gpus and gpus[q.gpu].peak(q.precision) is None:
        have = ", ".join(p for p in PRECISIONS if gpus[q.gpu].peak(p))
        yield Problem(
            file, "question", "precision", f"{q.gpu} has no {q.precision} peak (it has: {have})"
        )
    if models and q.model not in models:
        yield Problem(
            file, "question", "model", f"unknown model {q.model!r}{suggest(q.model, models)}"
        )
    for key in ("chart_gpus", "small_model_gpus"):
        for i, g in enumerate(getattr(s, key)):
            if gpus and g not in gpus:
                yield Problem(file, "", f"{key}[{i}]", f"unknown GPU {g!r}{suggest(g, gpus)}")
    yield from _check_claims(s, gpus, models, file)
    ids = [r.id for r in s.recipes]
    if s.training_recipe not in ids:
        yield Problem(
            file, "", "training_recipe", f"no recipe {s.training_recipe!r} (have: {', '.join(ids)})"
        )
    if len(set(ids)) != len(ids):
        yield Problem(file, "", "recipes", "duplicate recipe id")


def _check_claims(s: Scenario, gpus: dict, models: dict, file: str) -> Iterator[Problem]:
    for i, c in enumerate(s.claims):
        label = entry_label("claims", i, {"id": c.id})
        if c.gpu and gpus and c.gpu not in gpus:
            yield Problem(file, label, "gpu", f"unknown GPU {c.gpu!r}{suggest(c.gpu, gpus)}")
        elif c.gpu and gpus and c.precision and gpus[c.gpu].peak(c.precision) is None:
            yield Problem(file, label, "precision", f"{c.gpu} has no {c.precision} peak")
        if models and c.model not in models:
            yield Problem(
                file, label, "model", f"unknown model {c.model!r}{suggest(c.model, models)}"
            )
        elif (
            models
            and models[c.model].training_compute is None
            and not models[c.model].training_tokens
        ):
            yield Problem(
                file, label, "model", f"{c.model} has no training compute to compare with"
            )


def json_schemas() -> dict[str, str]:
    """JSON Schema documents for the three data files, keyed by file name."""

    def wrap(key: str, cls: type[BaseModel]) -> dict:
        item = cls.model_json_schema(by_alias=True)
        defs = item.pop("$defs", {})
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": f"gpu-year {key}",
            "type": "object",
            "additionalProperties": False,
            "required": [key],
            "properties": {key: {"type": "array", "items": item}},
            "$defs": defs,
        }

    scenario = Scenario.model_json_schema(by_alias=True)
    scenario["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    docs = {
        "gpus.schema.json": wrap("gpus", Gpu),
        "models.schema.json": wrap("models", Model),
        "scenario.schema.json": scenario,
        "architectures.schema.json": wrap("architectures", GpuArchitecture),
    }
    return {
        k: json.dumps(v, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        for k, v in docs.items()
    } | localdata.local_json_schemas()
