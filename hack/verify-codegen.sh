#!/usr/bin/env bash
# Fails if the generated code in the working tree is not what
# hack/update-codegen.sh produces. Compares files rather than using git, so it
# also works on uncommitted trees; the working tree is restored afterwards.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "${ROOT}"

TMP=$(mktemp -d)

# Every file update-codegen.sh owns, as paths relative to ROOT.
generated_files() {
  find apis -type f \( -name zz_generated.defaults.go -o -name zz_generated.openapi.go \) 2>/dev/null || true
  [[ -f hack/api-rules/violation_exceptions.list ]] && echo hack/api-rules/violation_exceptions.list || true
}

# snapshot DIR: copy the generated files into DIR, keeping their paths.
snapshot() {
  mkdir -p "$1"
  generated_files | while IFS= read -r f; do
    mkdir -p "$1/$(dirname "$f")" && cp -p "$f" "$1/$f"
  done
}

# Put the tree back exactly as it was, whether we pass, fail or are interrupted.
restore() {
  generated_files | while IFS= read -r f; do rm -f "$f"; done
  (cd "${TMP}/before" && find . -type f -print0) | while IFS= read -r -d '' f; do
    mkdir -p "$(dirname "$f")" && cp -p "${TMP}/before/$f" "$f"
  done
  rm -rf "${TMP}"
}

snapshot "${TMP}/before"
trap restore EXIT

hack/update-codegen.sh
snapshot "${TMP}/after"

# -N: a file that update-codegen would add or delete also counts as a diff.
if ! diff -ruN "${TMP}/before" "${TMP}/after" >"${TMP}/diff"; then
  echo >&2 "ERROR: generated code is out of date. Run hack/update-codegen.sh and commit the result."
  echo >&2 "Changed files:"
  diff -rqN "${TMP}/before" "${TMP}/after" | sed -E "s#${TMP}/(before|after)/##g" >&2 || true
  head -n 100 "${TMP}/diff" >&2
  exit 1
fi
echo "Generated code is up to date."
