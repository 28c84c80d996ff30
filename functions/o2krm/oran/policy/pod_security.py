"""Pod Security Standards (Kubernetes docs, "Pod Security Standards", v1.31) on every pod template.

Baseline and restricted controls are checked as the Pod Security admission controller checks them,
with one deliberate difference: a restricted control that a baseline finding on the same container
already implies is not reported twice (a privileged container always allows privilege escalation;
a capability outside the baseline set is not reported again by restricted's capability control).
That keeps an exemption for a privileged O-RAN DU to the one control it actually needs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from o2krm.oran.policy.config import PolicyConfig
from o2krm.oran.policy.package import Item, Package, Violation, as_list, as_map, path

# (group, kind) -> path of the pod template's object (holding metadata and spec); "" is the resource.
POD_TEMPLATE_PATHS: Final[dict[tuple[str, str], tuple[str, ...]]] = {
    ("", "Pod"): (),
    ("", "PodTemplate"): ("template",),
    ("", "ReplicationController"): ("spec", "template"),
    ("apps", "Deployment"): ("spec", "template"),
    ("apps", "StatefulSet"): ("spec", "template"),
    ("apps", "DaemonSet"): ("spec", "template"),
    ("apps", "ReplicaSet"): ("spec", "template"),
    ("batch", "Job"): ("spec", "template"),
    ("batch", "CronJob"): ("spec", "jobTemplate", "spec", "template"),
}

BASELINE_CAPABILITIES: Final = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)
SAFE_SYSCTLS: Final = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    }
)
SELINUX_TYPES: Final = frozenset({"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"})
RESTRICTED_VOLUME_TYPES: Final = frozenset(
    {
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "persistentVolumeClaim",
        "projected",
        "secret",
    }
)
CONFINED_SECCOMP: Final = ("RuntimeDefault", "Localhost")
APPARMOR_ANNOTATION: Final = "container.apparmor.security.beta.kubernetes.io/"
CONTAINER_LISTS: Final = ("initContainers", "containers", "ephemeralContainers")


@dataclass(frozen=True)
class Container:
    name: str
    body: Mapping[str, Any]
    field: str

    @property
    def security(self) -> Mapping[str, Any]:
        return as_map(self.body.get("securityContext"))

    @property
    def security_field(self) -> str:
        return path(self.field, "securityContext")


@dataclass(frozen=True)
class PodTemplate:
    item: Item
    annotations: Mapping[str, Any]
    annotations_field: str
    spec: Mapping[str, Any]
    spec_field: str
    containers: tuple[Container, ...]

    @property
    def security(self) -> Mapping[str, Any]:
        return as_map(self.spec.get("securityContext"))

    @property
    def security_field(self) -> str:
        return path(self.spec_field, "securityContext")

    @property
    def is_windows(self) -> bool:
        return as_map(self.spec.get("os")).get("name") == "windows"

    def violation(self, rule: str, field: str, message: str, container: Container | None = None) -> Violation:
        where = f"container {container.name!r}" if container else "the pod"
        return Violation(
            self.item.index,
            rule,
            f"{where}: {message}",
            field,
            container=container.name if container else None,
        )


def pod_template(item: Item) -> PodTemplate | None:
    """The pod template of a workload, or None for resources that hold none."""
    steps = POD_TEMPLATE_PATHS.get((item.group, item.kind))
    if steps is None:
        return None
    node: Any = item.body
    base = ""
    for step in steps:
        node = as_map(node).get(step)
        base = path(base, step)
    template = as_map(node)
    spec = as_map(template.get("spec"))
    spec_field = path(base, "spec")
    metadata_field = path(base, "metadata")
    containers = tuple(
        Container(str(as_map(body).get("name", "")), as_map(body), path(path(spec_field, key), i))
        for key in CONTAINER_LISTS
        for i, body in enumerate(as_list(spec.get(key)))
    )
    return PodTemplate(
        item=item,
        annotations=as_map(as_map(template.get("metadata")).get("annotations")),
        annotations_field=path(metadata_field, "annotations"),
        spec=spec,
        spec_field=spec_field,
        containers=containers,
    )


def check(package: Package, config: PolicyConfig) -> Iterator[Violation]:
    if config.pod_security_level == "privileged":
        return
    for item in package.of_kinds(POD_TEMPLATE_PATHS):
        pod = pod_template(item)
        if pod is None:
            continue
        yield from baseline(pod)
        if config.pod_security_level == "restricted":
            yield from restricted(pod)


# --- baseline ------------------------------------------------------------------------------------


def baseline(pod: PodTemplate) -> Iterator[Violation]:
    yield from _host_process(pod)
    yield from _host_namespaces(pod)
    for c in pod.containers:
        if c.security.get("privileged") is True:
            yield pod.violation(
                "pss.baseline.privileged",
                path(c.security_field, "privileged"),
                "privileged mode is not allowed; remove securityContext.privileged or exempt the container",
                c,
            )
        for j, capability in enumerate(_added_capabilities(c)):
            if capability not in BASELINE_CAPABILITIES:
                yield pod.violation(
                    "pss.baseline.capabilities",
                    path(path(path(c.security_field, "capabilities"), "add"), j),
                    f"capability {capability!r} is not in the baseline set; drop it or exempt the container",
                    c,
                )
        for j, port in enumerate(as_list(c.body.get("ports"))):
            if as_map(port).get("hostPort") not in (None, 0):
                yield pod.violation(
                    "pss.baseline.host-ports",
                    path(path(path(c.field, "ports"), j), "hostPort"),
                    f"hostPort {as_map(port).get('hostPort')} binds a node port; use a Service instead",
                    c,
                )
        if c.security.get("procMount") not in (None, "Default"):
            yield pod.violation(
                "pss.baseline.proc-mount",
                path(c.security_field, "procMount"),
                f"procMount {c.security.get('procMount')!r} is not allowed; use Default",
                c,
            )
    for i, volume in enumerate(as_list(pod.spec.get("volumes"))):
        if "hostPath" in as_map(volume):
            yield pod.violation(
                "pss.baseline.host-path-volumes",
                path(path(path(pod.spec_field, "volumes"), i), "hostPath"),
                f"volume {as_map(volume).get('name')!r} mounts a host path; use a PersistentVolumeClaim",
            )
    yield from _apparmor(pod)
    yield from _selinux(pod)
    yield from _unconfined_seccomp(pod)
    for i, sysctl in enumerate(as_list(pod.security.get("sysctls"))):
        name = as_map(sysctl).get("name")
        if name not in SAFE_SYSCTLS:
            yield pod.violation(
                "pss.baseline.sysctls",
                path(path(path(pod.security_field, "sysctls"), i), "name"),
                f"sysctl {name!r} is not in the safe set",
            )


def _host_process(pod: PodTemplate) -> Iterator[Violation]:
    message = "Windows HostProcess containers are not allowed"
    if as_map(pod.security.get("windowsOptions")).get("hostProcess") is True:
        field = path(path(pod.security_field, "windowsOptions"), "hostProcess")
        yield pod.violation("pss.baseline.host-process", field, message)
    for c in pod.containers:
        if as_map(c.security.get("windowsOptions")).get("hostProcess") is True:
            field = path(path(c.security_field, "windowsOptions"), "hostProcess")
            yield pod.violation("pss.baseline.host-process", field, message, c)


def _host_namespaces(pod: PodTemplate) -> Iterator[Violation]:
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.spec.get(key) is True:
            yield pod.violation(
                "pss.baseline.host-namespaces",
                path(pod.spec_field, key),
                f"{key} shares the node's namespace; remove it, or exempt the workload (e.g. an SR-IOV DU)",
            )


def _added_capabilities(c: Container) -> list[Any]:
    return as_list(as_map(c.security.get("capabilities")).get("add"))


def _apparmor(pod: PodTemplate) -> Iterator[Violation]:
    message = "AppArmor profile {} is not allowed; use RuntimeDefault or Localhost"
    for security, field, container in _security_contexts(pod):
        profile_type = as_map(security.get("appArmorProfile")).get("type")
        if profile_type is not None and profile_type not in CONFINED_SECCOMP:
            yield pod.violation(
                "pss.baseline.apparmor",
                path(path(field, "appArmorProfile"), "type"),
                message.format(repr(profile_type)),
                container,
            )
    by_name = {c.name: c for c in pod.containers}
    for key in sorted(k for k in pod.annotations if isinstance(k, str) and k.startswith(APPARMOR_ANNOTATION)):
        value = pod.annotations[key]
        if value != "runtime/default" and not (isinstance(value, str) and value.startswith("localhost/")):
            container = by_name.get(key[len(APPARMOR_ANNOTATION) :])
            yield pod.violation(
                "pss.baseline.apparmor",
                path(pod.annotations_field, key),
                message.format(repr(value)),
                container,
            )


def _selinux(pod: PodTemplate) -> Iterator[Violation]:
    for security, field, container in _security_contexts(pod):
        options = as_map(security.get("seLinuxOptions"))
        options_field = path(field, "seLinuxOptions")
        selinux_type = options.get("type")
        if selinux_type is not None and selinux_type not in SELINUX_TYPES:
            yield pod.violation(
                "pss.baseline.selinux",
                path(options_field, "type"),
                f"SELinux type {selinux_type!r} is not allowed; use container_t or leave it unset",
                container,
            )
        for key in ("user", "role"):
            if options.get(key) not in (None, ""):
                yield pod.violation(
                    "pss.baseline.selinux",
                    path(options_field, key),
                    f"a custom SELinux {key} is not allowed",
                    container,
                )


def _unconfined_seccomp(pod: PodTemplate) -> Iterator[Violation]:
    for security, field, container in _security_contexts(pod):
        if as_map(security.get("seccompProfile")).get("type") == "Unconfined":
            yield pod.violation(
                "pss.baseline.seccomp",
                path(path(field, "seccompProfile"), "type"),
                "seccomp profile Unconfined is not allowed; use RuntimeDefault",
                container,
            )


def _security_contexts(pod: PodTemplate) -> Iterator[tuple[Mapping[str, Any], str, Container | None]]:
    yield pod.security, pod.security_field, None
    for c in pod.containers:
        yield c.security, c.security_field, c


# --- restricted ----------------------------------------------------------------------------------


def restricted(pod: PodTemplate) -> Iterator[Violation]:
    for i, volume in enumerate(as_list(pod.spec.get("volumes"))):
        for source in sorted(k for k in as_map(volume) if k != "name"):
            if source not in RESTRICTED_VOLUME_TYPES and source != "hostPath":  # hostPath: baseline
                yield pod.violation(
                    "pss.restricted.volume-types",
                    path(path(path(pod.spec_field, "volumes"), i), source),
                    f"volume type {source!r} is not allowed; use configMap, secret, emptyDir, projected, "
                    "persistentVolumeClaim, csi, ephemeral or downwardAPI",
                )
    yield from _run_as_non_root(pod)
    yield from _run_as_user(pod)
    if pod.is_windows:  # the remaining controls are Linux-only
        return
    for c in pod.containers:
        if c.security.get("allowPrivilegeEscalation") is not False and c.security.get("privileged") is not True:
            yield pod.violation(
                "pss.restricted.privilege-escalation",
                path(c.security_field, "allowPrivilegeEscalation"),
                "set securityContext.allowPrivilegeEscalation: false",
                c,
            )
        yield from _restricted_capabilities(pod, c)
    yield from _confined_seccomp(pod)


def _run_as_non_root(pod: PodTemplate) -> Iterator[Violation]:
    rule = "pss.restricted.run-as-non-root"
    for c in pod.containers:
        if c.security.get("runAsNonRoot") is False:
            yield pod.violation(rule, path(c.security_field, "runAsNonRoot"), "runAsNonRoot must not be false", c)
    if pod.security.get("runAsNonRoot") is False:
        yield pod.violation(rule, path(pod.security_field, "runAsNonRoot"), "runAsNonRoot must not be false")
        return
    if pod.security.get("runAsNonRoot") is True:
        return
    unset = [c for c in pod.containers if c.security.get("runAsNonRoot") is None]
    if unset and len(unset) == len(pod.containers):
        yield pod.violation(rule, path(pod.security_field, "runAsNonRoot"), "set securityContext.runAsNonRoot: true")
    else:
        for c in unset:
            yield pod.violation(
                rule, path(c.security_field, "runAsNonRoot"), "set securityContext.runAsNonRoot: true", c
            )


def _run_as_user(pod: PodTemplate) -> Iterator[Violation]:
    for security, field, container in _security_contexts(pod):
        if security.get("runAsUser") == 0 and not isinstance(security.get("runAsUser"), bool):
            yield pod.violation(
                "pss.restricted.run-as-user",
                path(field, "runAsUser"),
                "runAsUser 0 runs as root; use a non-zero user id",
                container,
            )


def _restricted_capabilities(pod: PodTemplate, c: Container) -> Iterator[Violation]:
    rule = "pss.restricted.capabilities"
    capabilities_field = path(c.security_field, "capabilities")
    drop = as_list(as_map(c.security.get("capabilities")).get("drop"))
    if "ALL" not in drop:
        yield pod.violation(rule, path(capabilities_field, "drop"), "capabilities must drop ALL", c)
    for j, capability in enumerate(_added_capabilities(c)):
        if capability != "NET_BIND_SERVICE" and capability in BASELINE_CAPABILITIES:
            yield pod.violation(
                rule,
                path(path(capabilities_field, "add"), j),
                f"capability {capability!r} may not be added; only NET_BIND_SERVICE is allowed",
                c,
            )


def _confined_seccomp(pod: PodTemplate) -> Iterator[Violation]:
    rule = "pss.restricted.seccomp"
    pod_type = as_map(pod.security.get("seccompProfile")).get("type")
    if pod_type in CONFINED_SECCOMP or pod_type == "Unconfined":  # Unconfined: reported by baseline
        return
    unset = [c for c in pod.containers if as_map(c.security.get("seccompProfile")).get("type") is None]
    message = "set securityContext.seccompProfile.type: RuntimeDefault (or Localhost)"
    if unset and len(unset) == len(pod.containers):
        yield pod.violation(rule, path(path(pod.security_field, "seccompProfile"), "type"), message)
        return
    for c in unset:
        yield pod.violation(rule, path(path(c.security_field, "seccompProfile"), "type"), message, c)
    for c in pod.containers:
        container_type = as_map(c.security.get("seccompProfile")).get("type")
        if container_type is not None and container_type not in (*CONFINED_SECCOMP, "Unconfined"):
            field = path(path(c.security_field, "seccompProfile"), "type")
            yield pod.violation(rule, field, f"seccomp profile {container_type!r} is not allowed; {message}", c)
