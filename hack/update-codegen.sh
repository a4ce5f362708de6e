#!/usr/bin/env bash
# Regenerates skiff's generated code:
#   - apis/generated/openapi/zz_generated.openapi.go  (openapi-gen)
#   - apis/**/zz_generated.defaults.go                (defaulter-gen)
# Generator versions come from the `tool` directives in go.mod (`go tool ...`),
# so there is nothing to install and no version drift between machines.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "${ROOT}" # gengo resolves packages through this module's go.mod

BOILERPLATE=hack/boilerplate.go.txt
MODULE=$(go list -m)

# ---------------------------------------------------------------------------
# OpenAPI definitions.
#
# Every k8s.io/api package that opts in with +k8s:openapi-gen=true, plus the
# apimachinery packages those types reference (ObjectMeta, Quantity,
# IntOrString, RawExtension, version.Info). apiextensions-apiserver and
# kube-aggregator are NOT listed: both ship their own pkg/generated/openapi,
# which the server merges in.
# ---------------------------------------------------------------------------
API_DIR=$(go list -m -f '{{.Dir}}' k8s.io/api)
openapi_pkgs=()
while IFS= read -r dir; do
  openapi_pkgs+=("k8s.io/api/${dir#"${API_DIR}"/}")
done < <(grep -rlE --include='*.go' --exclude='*_test.go' '^// ?\+k8s:openapi-gen=true' "${API_DIR}" \
           | xargs -n1 dirname | sort -u)
openapi_pkgs+=(
  k8s.io/apimachinery/pkg/apis/meta/v1
  k8s.io/apimachinery/pkg/runtime
  k8s.io/apimachinery/pkg/version
  k8s.io/apimachinery/pkg/api/resource
  k8s.io/apimachinery/pkg/util/intstr
)

# With a report file (instead of "-") openapi-gen records API-rule violations
# there and does not fail; upstream types have known violations we can't fix.
# --output-model-name-file is deliberately not passed: all inputs live in the
# read-only module cache and already ship zz_generated.model_name.go, so the map
# keys are their +k8s:openapi-model-package names (e.g.
# "io.k8s.api.apps.v1.Deployment"), not Go import paths.
mkdir -p hack/api-rules
echo "openapi-gen: ${#openapi_pkgs[@]} packages"
go tool openapi-gen \
  --go-header-file "${BOILERPLATE}" \
  --output-dir apis/generated/openapi \
  --output-pkg "${MODULE}/apis/generated/openapi" \
  --output-file zz_generated.openapi.go \
  --report-filename hack/api-rules/violation_exceptions.list \
  "${openapi_pkgs[@]}"

# ---------------------------------------------------------------------------
# Defaulters.
#
# Packages under ./apis whose doc.go carries a package-level
# +k8s:defaulter-gen=<Field> tag (plus +k8s:defaulter-gen-input=k8s.io/api/...)
# hold hand-written SetDefaults_<Type> funcs for k8s.io/api types. Every such
# package is also passed as a peer so that, e.g., apps/v1's Deployment defaulter
# descends into the pod template with core's SetDefaults_PodSpec; without the
# peers that only works by accident of package processing order.
# ---------------------------------------------------------------------------
# Drop old outputs first so a package that loses its tag loses its file too.
find apis -name zz_generated.defaults.go -type f -delete 2>/dev/null || true

defaults_pkgs=()
while IFS= read -r dir; do
  defaults_pkgs+=("${MODULE}/${dir}")
done < <(find apis -name doc.go -type f -exec grep -lE '^// ?\+k8s:defaulter-gen=' {} + 2>/dev/null \
           | xargs -rn1 dirname | sort -u)

if (( ${#defaults_pkgs[@]} == 0 )); then
  echo "defaulter-gen: no tagged packages under ./apis, skipping"
else
  echo "defaulter-gen: ${#defaults_pkgs[@]} packages"
  peers=$(IFS=,; echo "${defaults_pkgs[*]}")
  go tool defaulter-gen \
    --go-header-file "${BOILERPLATE}" \
    --output-file zz_generated.defaults.go \
    --extra-peer-dirs "${peers}" \
    "${defaults_pkgs[@]}"
fi
