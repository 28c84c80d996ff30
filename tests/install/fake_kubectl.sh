#!/usr/bin/env bash
# A stand-in for kubectl that answers the calls the install scripts make, for tests without a
# cluster (support.FakeCluster sets it up). In bash, not Python: the scripts call kubectl a dozen
# times per run and an interpreter start each time would dominate the test time.
#
# `kubectl kustomize` goes to the real kubectl ($FAKE_KUBECTL_REAL). Every other call is logged in
# $FAKE_KUBECTL_DIR/calls: one line per call, its arguments separated by the unit separator (\x1f);
# the file of `-f FILE` is copied to files/<call number>.yaml. Answers come from the cluster state
# in $FAKE_KUBECTL_DIR/state/ (one file per fact, written by FakeCluster):
#   crd/<name>        exists; holds its app.kubernetes.io/part-of label
#   namespace/<name>  exists; holds its label
#   objects/<crd>     the objects of that CRD, one "kind/name" per line
#   foreign_pods      pods without o2krm's label, one per line
#   can_i             "yes" or "no"
#   endpoints         addresses of the kubernetes Service
#   wait, apply       "ok", "timeout" (wait only) or "error"
set -euo pipefail

if [[ ${1:-} == kustomize ]]; then exec "$FAKE_KUBECTL_REAL" "$@"; fi

dir=$FAKE_KUBECTL_DIR # FakeCluster creates calls, files/ and state/
state=$dir/state
previous=""
for arg in "$@"; do
  if [[ $previous == -f ]]; then
    mapfile -t logged <"$dir/calls"
    cp "$arg" "$dir/files/${#logged[@]}.yaml"
  fi
  previous=$arg
done
log() {
  local IFS=$'\x1f'
  printf '%s\n' "$*" >>"$dir/calls"
}
log "$@"

fact() { if [[ -f $state/$1 ]]; then cat "$state/$1"; else printf '%s' "$2"; fi; }

args=("$@")
while [[ ${args[0]:-} == --kubeconfig || ${args[0]:-} == --context ]]; do args=("${args[@]:2}"); done
set -- "${args[@]}"

case "${1:-}" in
  auth)
    answer=$(fact can_i yes)
    echo "$answer"
    [[ $answer == yes ]]
    ;;
  apply)
    if [[ $(fact apply ok) != ok ]]; then
      echo "error: the server rejected the request" >&2
      exit 1
    fi
    echo applied
    ;;
  wait)
    case "$(fact wait ok)" in
      timeout)
        echo "error: timed out waiting for the condition on customresourcedefinitions/x" >&2
        exit 1
        ;;
      error)
        echo 'error: the server doesn'"'"'t have a resource type "clusterpolicy"' >&2
        exit 1
        ;;
    esac
    ;;
  delete) echo deleted ;;
  get)
    resource=${2:-}
    name=${3:-}
    if [[ $name == -* ]]; then name=""; fi
    labels=0
    for arg in "$@"; do if [[ $arg == jsonpath=* ]]; then labels=1; fi; done
    ignore=0
    for arg in "$@"; do if [[ $arg == --ignore-not-found ]]; then ignore=1; fi; done
    case "$resource" in
      --raw=/readyz) echo ok ;;
      crd | namespace)
        kind=$resource
        if [[ $kind == crd ]]; then kind=customresourcedefinition.apiextensions.k8s.io; fi
        if [[ ! -f $state/$resource/$name ]]; then
          if [[ $ignore == 1 ]]; then exit 0; fi
          echo "Error from server (NotFound): $kind \"$name\" not found" >&2
          exit 1
        fi
        if [[ $labels == 1 ]]; then cat "$state/$resource/$name"; else printf '%s/%s' "$kind" "$name"; fi
        ;;
      pods) fact foreign_pods "" ;;
      endpointslices) fact endpoints "" ;;
      *)
        if [[ -f $state/crd/$resource ]]; then
          fact "objects/$resource" ""
        else
          echo "error: the server doesn't have a resource type \"$resource\"" >&2
          exit 1
        fi
        ;;
    esac
    ;;
  *)
    echo "fake kubectl: unexpected call: $*" >&2
    exit 99
    ;;
esac
