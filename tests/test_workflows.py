"""The GitHub Actions workflow: tests on every push and pull request, Pages deploy from main."""

from __future__ import annotations

import pytest
import yaml

from generator import paths

WORKFLOW = paths.ROOT / ".github" / "workflows" / "site.yml"


@pytest.fixture(scope="module")
def workflow():
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the key `on` as True
    return doc


def steps(job):
    return {s.get("uses", "").split("@")[0]: s for s in job["steps"] if "uses" in s}


def runs(job):
    return "\n".join(s.get("run", "") for s in job["steps"])


def test_triggers(workflow):
    on = workflow["on"]
    assert on["push"]["branches"] == ["main"]
    assert "pull_request" in on
    assert "workflow_dispatch" in on


def test_test_job_runs_the_readme_test_command(workflow):
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    test_command = next(
        line.split("#")[0].strip() for line in readme.splitlines() if "make test" in line
    )
    assert test_command in runs(workflow["jobs"]["test"])
    assert (paths.ROOT / ".ci" / "run").read_text().strip().endswith(test_command)


def test_deploy_job_builds_strictly_and_publishes_with_the_pages_artifact_flow(workflow):
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "test"
    assert "refs/heads/main" in deploy["if"]
    assert deploy["permissions"]["pages"] == "write"
    assert deploy["permissions"]["id-token"] == "write"
    assert deploy["environment"]["name"] == "github-pages"
    used = steps(deploy)
    assert {
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    } <= set(used)
    assert used["actions/upload-pages-artifact"]["with"]["path"] == "site"
    assert "gpu-year build --strict" in runs(deploy)
    assert "steps.pages.outputs.base_url" in runs(deploy)  # a fork publishes under its own URL


def test_pull_requests_touching_data_get_the_diff_in_the_summary(workflow):
    job = workflow["jobs"]["data-diff"]
    assert job["if"] == "github.event_name == 'pull_request'"
    assert "gpu-year diff --against" in runs(job)
    assert "GITHUB_STEP_SUMMARY" in runs(job)
    assert "-- data/" in runs(job)


def test_workflow_has_least_privilege_by_default(workflow):
    assert workflow["permissions"] == {"contents": "read"}
