"""The Helm chart rendered by real Helm (helm-python-sdk), every object validated against
the Kubernetes schemas; the Dagster side checked against what the official chart and
dagster-k8s need. Offline: the dependency charts cannot be downloaded, so they are
disabled in the render and our values for them are checked directly."""

import copy
import re
from typing import Any

import helm_python
import kubernetes_validate
import pytest
import yaml
from dagster_k8s.job import (
    DagsterK8sJobConfig,
    UserDefinedDagsterK8sConfig,
    construct_dagster_k8s_job,
)

from bgc_core.settings import load_settings
from tests.support.paths import REPO_ROOT

CHART = REPO_ROOT / "helm" / "bgc"
PRODUCTION = yaml.safe_load(
    (REPO_ROOT / "helm" / "examples" / "production-values.yaml").read_text()
)
KUBERNETES = "1.37.0"
OFFLINE = {"dagster": {"enabled": False}}


def merged(*layers: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for layer in layers:
        stack = [(out, layer)]
        while stack:
            target, source = stack.pop()
            for key, value in source.items():
                if isinstance(value, dict) and isinstance(target.get(key), dict):
                    stack.append((target[key], value))
                else:
                    target[key] = copy.deepcopy(value)
    return out


def render(values: dict[str, Any]) -> list[dict[str, Any]]:
    files = helm_python.Chart.load(CHART).render(
        merged(values, OFFLINE), name="bgc", namespace="analytics"
    )
    return [
        doc
        for path, text in files.items()
        if path.endswith(".yaml")
        for doc in yaml.safe_load_all(text)
        if doc
    ]


def chart_values(values: dict[str, Any] | None = None) -> dict[str, Any]:
    return merged(yaml.safe_load((CHART / "values.yaml").read_text()), values or {})


def pod_specs(objects: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (o["metadata"]["name"], o["spec"]["template"]["spec"])
        for o in objects
        if o["kind"] in ("Deployment", "Job")
    ]


def by_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in objects if o["kind"] == kind]


RELEASES = pytest.mark.parametrize("values", [{}, PRODUCTION], ids=["defaults", "production"])


def test_lint_finds_no_errors() -> None:
    report = helm_python.lint(CHART, OFFLINE)
    assert report["errors"] == []
    serious = [m for m in report["messages"] if m["severity"] >= 2]
    assert [m["error"] for m in serious] == [
        "chart directory is missing these dependencies: dagster,postgresql"
    ]


@RELEASES
def test_every_object_is_valid_kubernetes(values: dict[str, Any]) -> None:
    objects = render(values)
    assert {o["kind"] for o in objects} >= {
        "ConfigMap",
        "Deployment",
        "Service",
        "PodDisruptionBudget",
        "Job",
        "NetworkPolicy",
    }
    for obj in objects:
        kubernetes_validate.validate(obj, KUBERNETES, strict=True)


@RELEASES
def test_every_container_is_locked_down_and_sized(values: dict[str, Any]) -> None:
    for name, spec in pod_specs(render(values)):
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        tmp = [v for v in spec["volumes"] if v["name"] == "tmp"]
        assert tmp == [{"name": "tmp", "emptyDir": {}}], name
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["capabilities"] == {"drop": ["ALL"]}, name
            assert container["resources"]["requests"] and container["resources"]["limits"], name
            assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"], name
            assert not container["image"].endswith(":latest"), name


def test_api_probes_and_read_only_role() -> None:
    [deployment] = [
        d for d in by_kind(render({}), "Deployment") if d["metadata"]["name"] == "bgc-api"
    ]
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert container["ports"] == [{"name": "http", "containerPort": 3000, "protocol": "TCP"}]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["BGC_DATABASE_URL"].startswith("postgresql://bgc_api@")
    assert {"secretRef": {"name": "bgc-db-api"}} in container["envFrom"]
    assert env["BGC_API_STATEMENT_TIMEOUT_MS"] == "5000"
    assert int(env["BGC_API_RATE_LIMIT_PER_MINUTE"]) > 0  # on in production, off locally


def test_api_pods_cache_the_snapshots_in_their_own_volume_within_their_memory() -> None:
    [deployment] = [
        d for d in by_kind(render({}), "Deployment") if d["metadata"]["name"] == "bgc-api"
    ]
    spec = deployment["spec"]["template"]["spec"]
    [container] = spec["containers"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert {"name": "snapshots", "emptyDir": {"sizeLimit": "8Gi"}} in spec["volumes"]
    assert {"name": "snapshots", "mountPath": env["BGC_CACHE_DIR"]} in container["volumeMounts"]
    limit_mi = int(container["resources"]["limits"]["memory"].removesuffix("Mi"))
    assert int(env["BGC_API_DUCKDB_MEMORY_MB"]) < limit_mi  # DuckDB's limit fits the pod's
    assert env["BGC_API_DUCKDB_THREADS"] == "2"


def test_autoscaler_replaces_the_fixed_replica_count() -> None:
    objects = render(PRODUCTION)
    [hpa] = by_kind(objects, "HorizontalPodAutoscaler")
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (3, 10)
    [api] = [d for d in by_kind(objects, "Deployment") if d["metadata"]["name"] == "bgc-api"]
    assert "replicas" not in api["spec"]


def test_refresh_work_memory_reaches_the_pods_through_the_shared_config_map() -> None:
    def shared(values: dict[str, Any]) -> dict[str, str]:
        [config] = [
            c for c in by_kind(render(values), "ConfigMap") if c["metadata"]["name"] == "bgc-config"
        ]
        return dict(config["data"])

    assert shared({})["BGC_REFRESH_WORK_MEM_MB"] == "256"
    assert shared({"database": {"refreshWorkMemMb": 64}})["BGC_REFRESH_WORK_MEM_MB"] == "64"


@RELEASES
def test_no_password_in_any_config_map(values: dict[str, Any]) -> None:
    for config_map in by_kind(render(values), "ConfigMap"):
        for key, value in config_map["data"].items():
            assert "PASSWORD" not in key.upper()
            assert not re.search(r"://[^/@]*:[^/@]+@", value), (key, value)


def test_migrations_run_as_a_pre_install_and_pre_upgrade_hook() -> None:
    [job] = by_kind(render({}), "Job")
    annotations = job["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
    [container] = job["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["bgc", "db", "migrate"]
    password = next(e for e in container["env"] if e["name"] == "BGC_DATABASE_PASSWORD")
    assert password["valueFrom"]["secretKeyRef"] == {
        "name": "bgc-db",
        "key": "BGC_DATABASE_PASSWORD",
    }


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    if not all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items()):
        return False
    return all(
        labels.get(e["key"]) in e["values"]
        for e in selector.get("matchExpressions", [])
        if e["operator"] == "In"
    )


def test_network_policies_select_the_right_pods() -> None:
    objects = render({})
    policies = {p["metadata"]["name"]: p["spec"] for p in by_kind(objects, "NetworkPolicy")}
    pods = {
        o["metadata"]["name"]: o["spec"]["template"]["metadata"]["labels"]
        for o in objects
        if o["kind"] in ("Deployment", "Job")
    }
    api_ingress = policies["bgc-api-ingress"]
    assert _selects(api_ingress["podSelector"], pods["bgc-api"])
    assert not _selects(api_ingress["podSelector"], pods["bgc-migrate"])
    assert api_ingress["ingress"] == [{"ports": [{"port": 3000, "protocol": "TCP"}]}]
    egress = policies["bgc-database-egress"]
    assert all(_selects(egress["podSelector"], labels) for labels in pods.values())
    assert {"port": 5432, "protocol": "TCP"} in egress["egress"][0]["ports"]
    bundled = {
        p["metadata"]["name"]
        for p in by_kind(render({"postgresql": {"enabled": True}}), "NetworkPolicy")
    }
    assert "bgc-postgresql-ingress" in bundled


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"apii": {"replicas": 2}}, "additional properties 'apii' not allowed"),
        ({"api": {"replicas": "two"}}, "replicas"),
        ({"image": {"tag": "latest"}}, "tag"),
        ({"database": {"sslmode": "sometimes"}}, "sslmode"),
        ({"database": {"refreshWorkMemMb": 1}}, "refreshWorkMemMb"),
    ],
)
def test_schema_rejects_misspelt_keys_and_wrong_types(values: dict[str, Any], message: str) -> None:
    with pytest.raises(helm_python.HelmError, match=message):
        render(values)


# --- The Dagster side: our values for the official chart, and the Job its run launcher builds.


def test_dagster_values_use_the_k8s_run_launcher_and_our_code_location() -> None:
    values = chart_values()
    dagster = values["dagster"]
    assert dagster["runLauncher"]["type"] == "K8sRunLauncher"
    launcher = dagster["runLauncher"]["config"]["k8sRunLauncher"]
    assert launcher["envConfigMaps"] == [{"name": values["names"]["config"]}]
    assert launcher["envSecrets"] == [{"name": values["names"]["databaseSecret"]}]
    assert launcher["runK8sConfig"]["jobSpecConfig"]["ttlSecondsAfterFinished"] > 0
    [deployment] = dagster["dagster-user-deployments"]["deployments"]
    assert deployment["image"]["repository"] == values["image"]["repository"]
    assert deployment["image"]["tag"] == values["image"]["tag"]
    assert deployment["dagsterApiGrpcArgs"] == ["-m", "bgc_pipeline.definitions", "-a", "defs"]
    assert deployment["envSecrets"] == launcher["envSecrets"]
    assert dagster["dagsterDaemon"]["runCoordinator"]["type"] == "QueuedRunCoordinator"
    queue = dagster["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]
    assert queue["maxConcurrentRuns"] >= 2  # different files load at the same time
    assert {"key": "bgc/source_file", "value": {"applyLimitPerUniqueValue": True}, "limit": 1} in (
        queue["tagConcurrencyLimits"]
    )  # one file never loads twice at once


def test_dagster_instance_storage_is_our_postgresql_with_psycopg2() -> None:
    values = chart_values()
    postgres = values["dagster"]["postgresql"]
    assert postgres["enabled"] is False
    assert postgres["postgresqlHost"] == values["database"]["host"]
    assert postgres["postgresqlUsername"] == values["database"]["user"]
    assert postgres["postgresqlScheme"] == "postgresql+psycopg2"
    assert values["dagster"]["global"]["postgresqlSecretName"] == values["names"]["databaseSecret"]
    assert values["dagster"]["generatePostgresqlPasswordSecret"] is False


def test_landing_volume_is_the_claim_the_chart_creates() -> None:
    values = chart_values()
    [claim] = by_kind(render({}), "PersistentVolumeClaim")
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    launcher = values["dagster"]["runLauncher"]["config"]["k8sRunLauncher"]
    [deployment] = values["dagster"]["dagster-user-deployments"]["deployments"]
    for volumes, mounts in (
        (launcher["volumes"], launcher["volumeMounts"]),
        (deployment["volumes"], deployment["volumeMounts"]),
    ):
        landing = next(v for v in volumes if v["name"] == "landing")
        assert landing["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
        assert {"name": "landing", "mountPath": values["landing"]["mountPath"]} in mounts


def snake_keys(run_k8s_config: dict[str, Any]) -> dict[str, Any]:
    """``containerConfig`` -> ``container_config``, as the official chart passes them on."""
    return {
        re.sub(r"(?<!^)([A-Z])", r"_\1", key).lower(): value
        for key, value in run_k8s_config.items()
    }


def test_run_job_built_by_dagster_k8s_from_our_values() -> None:
    values = chart_values()
    launcher = values["dagster"]["runLauncher"]["config"]["k8sRunLauncher"]
    image = f"{values['image']['repository']}:{values['image']['tag']}"
    job_config = DagsterK8sJobConfig(
        job_image=image,
        dagster_home="/opt/dagster/dagster_home",
        image_pull_policy=launcher["imagePullPolicy"],
        instance_config_map="bgc-dagster-instance",
        postgres_password_secret=values["dagster"]["global"]["postgresqlSecretName"],
        env_config_maps=[c["name"] for c in launcher["envConfigMaps"]],
        env_secrets=[s["name"] for s in launcher["envSecrets"]],
        volume_mounts=launcher["volumeMounts"],
        volumes=launcher["volumes"],
    )
    args = ["dagster", "api", "execute_run", '{"run_id": "abc"}']
    job = construct_dagster_k8s_job(
        job_config,
        args=args,
        job_name="dagster-run-abc",
        user_defined_k8s_config=UserDefinedDagsterK8sConfig.from_dict(
            snake_keys(launcher["runK8sConfig"])
        ),
    ).to_dict()
    spec = job["spec"]
    assert (
        spec["ttl_seconds_after_finished"]
        == launcher["runK8sConfig"]["jobSpecConfig"]["ttlSecondsAfterFinished"]
    )
    assert spec["backoff_limit"] == 0
    pod = spec["template"]["spec"]
    [container] = pod["containers"]
    assert container["image"] == image
    assert container["args"] == args
    env_from = [
        e["config_map_ref"]["name"] if e.get("config_map_ref") else e["secret_ref"]["name"]
        for e in container["env_from"]
    ]
    assert env_from == ["bgc-config", "bgc-db"]
    assert {"DAGSTER_PG_PASSWORD"} <= {e["name"] for e in container["env"]}
    assert {m["mount_path"] for m in container["volume_mounts"]} >= {"/data/landing", "/tmp"}
    assert container["security_context"]["read_only_root_filesystem"] is True
    assert container["resources"]["limits"]["memory"] == "2Gi"
    assert pod["security_context"]["run_as_non_root"] is True


def test_the_comexstat_routes_get_their_row_limit_and_no_rate_limit_by_default() -> None:
    def api_env(values: dict[str, Any]) -> dict[str, str]:
        [deployment] = [
            d for d in by_kind(render(values), "Deployment") if d["metadata"]["name"] == "bgc-api"
        ]
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        return {e["name"]: e.get("value") for e in container["env"]}

    default = api_env({})
    assert (default["BGC_COMEXSTAT_MAX_ROWS"], default["BGC_COMEXSTAT_RATE_LIMITED"]) == (
        "500000", "false",
    )  # fmt: skip
    chosen = api_env({"api": {"comexstat": {"maxRows": 2_000_000, "rateLimited": True}}})
    assert (chosen["BGC_COMEXSTAT_MAX_ROWS"], chosen["BGC_COMEXSTAT_RATE_LIMITED"]) == (
        "2000000", "true",
    )  # fmt: skip
    for env in (default, chosen):  # what the API reads them as
        settings = load_settings({k: v for k, v in env.items() if k.startswith("BGC_COMEXSTAT")})
        assert settings.comexstat_max_rows == int(env["BGC_COMEXSTAT_MAX_ROWS"])
