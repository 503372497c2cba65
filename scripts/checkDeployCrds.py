#!/usr/bin/env python3
"""Checks what kubernetes-validate cannot: the custom resources (KEDA's ScaledObject and
TriggerAuthentication, the Prometheus Operator's PodMonitor), whose schemas come with their CRDs
and are not in Kubernetes' own, and the ports and names the rendered objects must agree on.

Usage: checkDeployCrds.py <rendered.yaml>...   (the output of `kubectl kustomize <overlay>`)
Prints one line per problem and exits 1 if there is any.
"""
import sys

import yaml

# The Temporal trigger's metadata keys (KEDA 2.17+ docs, "Temporal" scaler).
TEMPORAL_TRIGGER_KEYS = {
    "endpoint", "endpointFromEnv", "namespace", "taskQueue", "targetQueueSize",
    "activationTargetQueueSize", "queueTypes", "workerDeploymentName", "workerDeploymentBuildId",
    "includeRunningWorkflowCount", "workflowTaskQueueForCount", "apiKeyFromEnv",
    "minConnectTimeout", "unsafeSsl", "tlsServerName", "enableTLS",
}
TEMPORAL_AUTH_PARAMETERS = {"apiKey", "ca", "cert", "key", "keyPassword"}
QUEUE_TYPES = {"workflow", "activity", "nexus"}


def check(path, docs, problems):
    def fail(obj, message):
        meta = obj.get("metadata", {})
        problems.append(f"{path}: {obj.get('kind')}/{meta.get('name')}: {message}")

    by_kind = {}
    for d in docs:
        by_kind.setdefault(d.get("kind"), []).append(d)
    deployments = {d["metadata"]["name"]: d for d in by_kind.get("Deployment", [])}
    config = {}
    for cm in by_kind.get("ConfigMap", []):
        if cm["metadata"]["name"].startswith("hookline-config"):
            config.update(cm.get("data", {}))
    auths = {a["metadata"]["name"]: a for a in by_kind.get("TriggerAuthentication", [])}

    def container_ports(deployment):
        ports = {}
        for c in deployment["spec"]["template"]["spec"]["containers"]:
            for p in c.get("ports", []):
                ports[p.get("name")] = p["containerPort"]
        return ports

    def env_names(deployment):
        names = set()
        for c in deployment["spec"]["template"]["spec"]["containers"]:
            names |= {e["name"] for e in c.get("env", [])}
            for source in c.get("envFrom", []):
                ref = source.get("configMapRef")
                if ref and ref["name"].startswith("hookline-config"):
                    names |= set(config)
        return names

    # Each process's metrics port in the ConfigMap is the port its pods declare and are scraped on.
    expected_ports = {
        "hookline-receiver": {"metrics": config.get("RECEIVER_METRICS_PORT")},
        "hookline-worker": {
            "metrics": config.get("WORKER_METRICS_PORT"),
            "sdk-metrics": (config.get("TEMPORAL_METRICS_ADDRESS") or ":").rsplit(":", 1)[1],
        },
    }
    for name, wanted in expected_ports.items():
        d = deployments.get(name)
        if d is None:
            problems.append(f"{path}: Deployment/{name} missing")
            continue
        ports = container_ports(d)
        for port_name, value in wanted.items():
            if value is None or str(ports.get(port_name)) != str(value):
                fail(d, f"port {port_name} is {ports.get(port_name)}, the ConfigMap says {value}")
        annotations = d["spec"]["template"]["metadata"].get("annotations", {})
        scrape_port = annotations.get("prometheus.io/port")
        if scrape_port is not None and scrape_port != str(ports.get("metrics")):
            fail(d, f"prometheus.io/port {scrape_port} is not the metrics port {ports.get('metrics')}")

    for so in by_kind.get("ScaledObject", []):
        if so.get("apiVersion") != "keda.sh/v1alpha1":
            fail(so, f"apiVersion {so.get('apiVersion')}, expected keda.sh/v1alpha1")
        spec = so.get("spec", {})
        target = deployments.get(spec.get("scaleTargetRef", {}).get("name"))
        if target is None:
            fail(so, "scaleTargetRef names no Deployment of this overlay")
        lo, hi = spec.get("minReplicaCount"), spec.get("maxReplicaCount")
        if not (isinstance(lo, int) and isinstance(hi, int) and 0 <= lo <= hi):
            fail(so, f"minReplicaCount {lo} / maxReplicaCount {hi} are not 0 <= min <= max")
        for key in ("pollingInterval", "cooldownPeriod"):
            if key in spec and not isinstance(spec[key], int):
                fail(so, f"{key} must be an integer")
        for trigger in spec.get("triggers", []):
            if trigger.get("type") != "temporal":
                fail(so, f"trigger type {trigger.get('type')}, expected temporal")
                continue
            meta = trigger.get("metadata", {})
            for key, value in meta.items():
                if key not in TEMPORAL_TRIGGER_KEYS:
                    fail(so, f"unknown temporal trigger key {key}")
                if not isinstance(value, str):
                    fail(so, f"trigger metadata {key} must be a string (quote it)")
            if ("endpoint" in meta) == ("endpointFromEnv" in meta):
                fail(so, "exactly one of endpoint and endpointFromEnv")
            env = meta.get("endpointFromEnv")
            if env is not None and target is not None and env not in env_names(target):
                fail(so, f"endpointFromEnv {env} is not set in the target's containers")
            if meta.get("taskQueue") != config.get("TEMPORAL_TASK_QUEUE"):
                fail(so, f"taskQueue {meta.get('taskQueue')} is not TEMPORAL_TASK_QUEUE {config.get('TEMPORAL_TASK_QUEUE')}")
            if meta.get("namespace") != config.get("TEMPORAL_NAMESPACE"):
                fail(so, f"namespace {meta.get('namespace')} is not TEMPORAL_NAMESPACE {config.get('TEMPORAL_NAMESPACE')}")
            for key in ("targetQueueSize", "activationTargetQueueSize"):
                if key in meta and not str(meta[key]).isdigit():
                    fail(so, f"{key} must be a whole number")
            for queue_type in meta.get("queueTypes", "workflow").split(","):
                if queue_type not in QUEUE_TYPES:
                    fail(so, f"queueTypes has {queue_type}")
            ref = trigger.get("authenticationRef")
            if ref is not None and ref.get("name") not in auths:
                fail(so, f"authenticationRef {ref.get('name')} names no TriggerAuthentication")
            if config.get("TEMPORAL_API_KEY") is not None:
                fail(so, "TEMPORAL_API_KEY belongs in a Secret, not the ConfigMap")

    for auth in auths.values():
        for ref in auth.get("spec", {}).get("secretTargetRef", []):
            if ref.get("parameter") not in TEMPORAL_AUTH_PARAMETERS:
                fail(auth, f"parameter {ref.get('parameter')} is not one the Temporal scaler reads")
            if not ref.get("name") or not ref.get("key"):
                fail(auth, "secretTargetRef needs name and key")

    for pm in by_kind.get("PodMonitor", []):
        if pm.get("apiVersion") != "monitoring.coreos.com/v1":
            fail(pm, f"apiVersion {pm.get('apiVersion')}")
        selector = pm["spec"]["selector"]["matchLabels"]
        matched = [
            d for d in deployments.values()
            if selector.items() <= d["spec"]["template"]["metadata"]["labels"].items()
        ]
        if len(matched) != 1:
            fail(pm, f"selector matches {len(matched)} Deployments, expected 1")
            continue
        ports = container_ports(matched[0])
        for endpoint in pm["spec"].get("podMetricsEndpoints", []):
            if endpoint.get("port") not in ports:
                fail(pm, f"port {endpoint.get('port')} is no named container port of {matched[0]['metadata']['name']}")


def main(paths):
    problems = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            docs = [d for d in yaml.safe_load_all(f) if d]
        check(path, docs, problems)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
