"""The SLURM profile (workflow/profiles/slurm) covers every rule of the workflow, and Snakemake
applies it: resources per rule, groups, account and partition from the environment.

The run on a real SLURM cluster is `make cluster-test` (tools/slurm_cluster_test.py).
"""

from __future__ import annotations

import ast
import re

import pytest
import yte

from tests.conftest import REPO, bundled_project, run_snakemake

PROFILE = REPO / "workflow" / "profiles" / "slurm"
RESOURCES = ("mem_mb", "runtime", "cpus_per_task")


def load_profile(monkeypatch, **env: str) -> dict:
    """The profile as Snakemake reads it (YTE template), with `env` set in the environment."""
    for name in ("TRIALFLOW_SLURM_ACCOUNT", "TRIALFLOW_SLURM_PARTITION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with open(PROFILE / "config.yaml") as stream:
        return yte.process_yaml(stream, require_use_yte=True)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return bundled_project(tmp_path_factory.mktemp("slurm_profile"))


@pytest.fixture(scope="module")
def rules(project) -> set[str]:
    result = run_snakemake(project, "--list-rules")
    assert result.returncode == 0, result.stderr[-3000:]
    names = set(result.stdout.split())
    assert {"ingest", "adam", "submission", "ard", "figures", "report", "manifest", "all"} <= names
    return names - {"all"}  # `all` only collects targets: it never runs as a job


def test_every_rule_has_memory_runtime_and_cpus(monkeypatch, rules):
    profile = load_profile(monkeypatch)
    assert profile["executor"] == "slurm"
    per_rule = profile["set-resources"]
    assert set(per_rule) == rules
    for rule, resources in per_rule.items():
        assert set(resources) == set(RESOURCES), rule
        for name in RESOURCES:
            assert isinstance(resources[name], int) and resources[name] >= 1, (rule, name)
    for name in RESOURCES:
        assert name in profile["default-resources"]


def test_every_rule_is_grouped_and_a_group_asks_for_one_cpu(monkeypatch, rules):
    profile = load_profile(monkeypatch)
    assert set(profile["groups"]) == rules
    assert set(profile["group-components"]) == set(profile["groups"].values())
    # Without a per-group limit Snakemake adds up the CPUs of the jobs that could run side by
    # side (5 for one analysis), more than a small node has.
    assert profile["resources"] == {"cpus_per_task": 1}
    assert profile["set-resource-scopes"] == {"cpus_per_task": "local"}


def test_no_account_or_partition_unless_the_environment_names_one(monkeypatch):
    defaults = load_profile(monkeypatch)["default-resources"]
    assert "slurm_account" not in defaults and "slurm_partition" not in defaults


@pytest.mark.parametrize("account,partition", [("proj_42", "batch"), ("all", "123456")])
def test_account_and_partition_come_from_the_environment(monkeypatch, account, partition):
    """Snakemake evaluates resource values as Python expressions: the profile quotes them, so
    a name like `all` (a Python builtin) or `123456` (a number) stays the same text."""
    defaults = load_profile(
        monkeypatch, TRIALFLOW_SLURM_ACCOUNT=account, TRIALFLOW_SLURM_PARTITION=partition
    )["default-resources"]
    assert ast.literal_eval(defaults["slurm_account"]) == account
    assert ast.literal_eval(defaults["slurm_partition"]) == partition


@pytest.mark.slow
def test_snakemake_applies_the_profile_to_every_job(monkeypatch, project, rules):
    """A dry run with the profile: each job carries its rule's resources and the account and
    partition named in the environment."""
    monkeypatch.setenv("TRIALFLOW_SLURM_ACCOUNT", "all")
    monkeypatch.setenv("TRIALFLOW_SLURM_PARTITION", "123456")
    result = run_snakemake(project, "--workflow-profile", str(PROFILE), "-n", "-F")
    assert result.returncode == 0, result.stderr[-3000:]
    per_rule = load_profile(monkeypatch)["set-resources"]
    jobs = re.findall(
        r"^\s*(?:local)?rule (\w+):\n(?:.*\n)*?\s*resources: (.*)$",
        result.stdout + result.stderr,
        re.MULTILINE,
    )
    seen = set()
    for rule, line in jobs:
        if rule == "all":
            continue
        values = dict(item.split("=", 1) for item in line.split(", "))
        for name in RESOURCES:
            assert values[name] == str(per_rule[rule][name]), (rule, name, line)
        assert values["slurm_account"] == "all", line
        assert values["slurm_partition"] == "123456", line
        seen.add(rule)
    assert seen == rules
