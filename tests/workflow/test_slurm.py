"""profiles/slurm on a real single-node SLURM cluster (tests/slurm_cluster.py) against a local run.

A tiny configuration's BM25 and dense runs and their metrics go through `snakemake --profile
profiles/slurm` with only test overrides on the command line (partition `debug`, a 1 s first status
check, --verbose); every job must be submitted with sbatch and finish in SLURM, and the outputs must
be byte-identical to a local `--cores 2` run of the same targets. Skipped where no cluster can start.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from scratch_project import copy_project, environment
from slurm_cluster import PARTITION, SlurmCluster, cluster_fixture

PROFILE = "profiles/slurm"
RUNS = ["bm25.original", "dense.tiny.original"]
OUTPUTS = [
    *(f"results/cldr/runs/{run}.trec" for run in RUNS),
    *(f"data/metrics/cldr/{run}.csv" for run in RUNS),
    *(f"data/metrics/cldr/queries/{run}.csv" for run in RUNS),
]
TARGETS = OUTPUTS[:4]  # the queries' metrics come with them
# The jobs these targets need, one SLURM job each (the evaluate rule twice).
RULES = sorted(["prepare_cldr", "bm25_index", "bm25_search", "embed_shard", "embed", "dense_search", "evaluate", "evaluate"])
SLURM_SECONDS = 240  # the run takes 60-100 s: the limit only stops a hung one (SLURM.md, gotchas 2 and 3)
LOCAL_SECONDS = 180


def _profile(root: Path) -> dict:
    return yaml.safe_load((root / PROFILE / "config.yaml").read_text())


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, project_root: Path):
    """A cluster whose node fits the largest job the profile asks for (it may declare more than the machine has)."""
    sizes = _profile(project_root)["set-resources"].values()
    cpus = max(int(size.get("cpus_per_task", 1)) for size in sizes)
    memory_mb = max(int(size.get("mem_mb", 0)) for size in sizes)
    yield from cluster_fixture(tmp_path_factory, cpus=cpus, memory_mb=memory_mb)


def _tiny_project(project_root: Path, target: Path, tiny_bert: Path) -> Path:
    root = copy_project(project_root, target)
    params = yaml.safe_load((root / "params.yaml").read_text())
    params["conditions"] = ["original"]  # no translation job: the shortest chain that reaches both runs' metrics
    params["cldr"]["max_entities"] = 160
    params["encoders"] = {"tiny": {"model": str(tiny_bert), "max_length": 32, "batch_size": 16}}
    params["finetune"]["encoders"] = ["tiny"]
    params["rerank"]["models"] = ["tiny"]
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    return root


def test_the_profiles_name_only_existing_rules_and_the_default_profile_overrides_none_of_slurms_keys(project_root: Path):
    rules = {m for f in (project_root / "workflow/rules").glob("*.smk") for m in re.findall(r"^\s*rule (\w+):", f.read_text(), flags=re.M)}
    slurm = _profile(project_root)
    assert set(slurm["set-resources"]) <= rules, set(slurm["set-resources"]) - rules  # Snakemake ignores unknown names silently
    assert {"translate_shard", "embed_shard", "finetune", "rerank_train", "rerank"} <= set(slurm["set-resources"])
    assert all(not ({"gpu", "gres"} <= set(size)) for size in slurm["set-resources"].values())  # mutually exclusive in the plugin
    assert slurm["executor"] == "slurm" and slurm["slurm-status-command"] == "squeue"
    assert "slurm_account" not in slurm["default-resources"]  # SLURM.md, gotcha 5: guessing works without accounting
    # profiles/default is loaded for every run, after --profile, and wins key by key.
    default = yaml.safe_load((project_root / "profiles/default/config.yaml").read_text())
    assert not set(default) & (set(slurm) | {"cores", "jobs", "executor", "default-resources", "set-resources"}), default


@pytest.mark.slow
def test_the_slurm_profile_submits_every_job_to_slurm_and_matches_a_local_run(
    cluster: SlurmCluster, tiny_bert: Path, project_root: Path, tmp_path: Path
):
    on_slurm = _tiny_project(project_root, tmp_path / "slurm", tiny_bert)
    local = _tiny_project(project_root, tmp_path / "local", tiny_bert)
    snakemake = [sys.executable, "-m", "snakemake"]
    # The local run goes on meanwhile: SLURM's jobs spend most of their time waiting for status polls.
    local_run = subprocess.Popen(
        ["timeout", "-k", "10", str(LOCAL_SECONDS), *snakemake, "--cores", "2", *TARGETS],
        cwd=local,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # A command-line --default-resources replaces the profile's whole entry: keep its values, add the partition.
        defaults = [f"{key}={value}" for key, value in _profile(on_slurm)["default-resources"].items()]
        command = [
            *("timeout", "-k", "10", str(SLURM_SECONDS), *snakemake, "--profile", PROFILE),
            *("--default-resources", *defaults, f"slurm_partition={PARTITION}"),
            *("--slurm-init-seconds-before-status-checks", "1", "--verbose", *TARGETS),
        ]
        env = {**environment(), "SLURM_CONF": str(cluster.conf)}
        result = subprocess.run(command, cwd=on_slurm, env=env, capture_output=True, text=True)
        local_output, _ = local_run.communicate(timeout=LOCAL_SECONDS + 20)
    finally:
        if local_run.poll() is None:
            local_run.kill()
            local_run.wait()
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"rc {result.returncode}:\n{log[-6000:]}\nslurmctld: {cluster.log('slurmctld').read_text()[-2000:]}"
    assert local_run.returncode == 0, local_output[-4000:]

    calls = re.findall(r"^sbatch call: (sbatch .*)$", log, flags=re.MULTILINE)
    job_ids = re.findall(r"has been submitted with SLURM jobid (\d+)", log)
    assert len(calls) == len(job_ids) == len(set(job_ids)) == len(RULES), (calls, job_ids)
    rules = [re.search(r"/slurm_logs/rule_(\w+)/", call).group(1) for call in calls]
    assert sorted(rules) == RULES
    assert all(f" -p {PARTITION} " in call for call in calls), calls
    sizes = _profile(on_slurm)["set-resources"]
    for rule, call in zip(rules, calls, strict=True):  # the profile's sizes reach sbatch
        size = sizes[rule]
        assert f" -t {size['runtime']} " in call and f" --mem {size['mem_mb']} " in call, call
        assert f" --cpus-per-task={size['cpus_per_task']} " in call, call
    states = dict(line.split("|")[:2] for line in cluster.jobs())
    assert {job: states.get(job) for job in job_ids} == dict.fromkeys(job_ids, "COMPLETED")

    for path in OUTPUTS:
        assert (on_slurm / path).read_bytes() == (local / path).read_bytes(), path
    assert (on_slurm / OUTPUTS[0]).stat().st_size > 0
