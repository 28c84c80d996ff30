# shellcheck shell=bash
# What scripts/o2ims_install.sh and scripts/o2ims_uninstall.sh share: messages, option checks,
# durations and running kubectl. Sourced, not run. The sourcing script sets PROG, the EXIT_*
# codes, VERBOSE, WORK_DIR (a scratch directory), KUBECTL (the kubectl command with its
# --kubeconfig and --context), CONTEXT and DEADLINE (in $SECONDS) before it calls these.

say() { printf '%s: %s\n' "$PROG" "$*" >&2; }

debug() { if [[ $VERBOSE == 1 ]]; then say "$@"; fi; }

die() {
  local code=$1
  shift
  printf '%s: error: %s\n' "$PROG" "$*" >&2
  exit "$code"
}

usage_error() { die "$EXIT_USAGE" "$* (see --help)"; }

need_value() {
  if [[ $# -lt 2 || -z $2 ]]; then usage_error "option $1 needs a value"; fi
}

parse_duration() { # DURATION -> seconds on stdout, or return 1
  local value=$1 number unit
  if [[ ! $value =~ ^([0-9]+)([smh]?)$ ]]; then return 1; fi
  number=$((10#${BASH_REMATCH[1]}))
  unit=${BASH_REMATCH[2]}
  case "$unit" in
    m) number=$((number * 60)) ;;
    h) number=$((number * 3600)) ;;
  esac
  if ((number <= 0)); then return 1; fi
  printf '%s\n' "$number"
}

fail_with() { # CODE MESSAGE: die with MESSAGE and kubectl's last error
  local detail=""
  if [[ -s $WORK_DIR/stderr ]]; then detail=$(tr '\n' ' ' <"$WORK_DIR/stderr" | sed 's/ *$//'); fi
  die "$1" "$2${detail:+: $detail}"
}

kube() {
  debug "+ ${KUBECTL[*]} $*"
  local status=0
  "${KUBECTL[@]}" "$@" 2>"$WORK_DIR/stderr" || status=$?
  if [[ $VERBOSE == 1 && -s $WORK_DIR/stderr ]]; then sed 's/^/    /' "$WORK_DIR/stderr" >&2; fi
  return "$status"
}

check_cluster() {
  if ! kube get --raw=/readyz --request-timeout=15s >/dev/null; then
    local where="the current context"
    if [[ -n $CONTEXT ]]; then where="context '$CONTEXT'"; fi
    fail_with "$EXIT_NO_CLUSTER" "cannot reach the Kubernetes cluster of $where (check --kubeconfig, --context or KUBECONFIG)"
  fi
}

remaining() {
  local left=$((DEADLINE - SECONDS))
  if ((left < 1)); then left=1; fi
  printf '%ss' "$left"
}
