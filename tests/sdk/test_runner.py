"""The function entry point, through the example function set-labels."""

from __future__ import annotations

import subprocess
import sys

from o2krm.sdk import yamlio

from .conftest import run_function as run

ITEM = """\
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: cm  # a comment
    annotations:
      config.kubernetes.io/index: '0'
      config.kubernetes.io/path: 'cm.yaml'
      internal.config.kubernetes.io/index: '0'
      internal.config.kubernetes.io/path: 'cm.yaml'
      internal.config.kubernetes.io/seqindent: 'compact'
      internal.config.kubernetes.io/id: '1'
      config.k8s.io/id: '1'
  data:
    single: 'quoted'
    double: "quoted"
"""


def resource_list(items: str = ITEM, config: str = "  data:\n    team: ran\n") -> str:
    header = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"
    cfg = "functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: function-input\n" + config
    return header + ("items:\n" + items if items else "items: []\n") + cfg


def test_sets_label_and_keeps_comments_quotes_and_kpt_annotations() -> None:
    result = run(resource_list())
    assert result.code == 0, result.err
    assert "    name: cm  # a comment\n" in result.out
    assert "single: 'quoted'" in result.out and 'double: "quoted"' in result.out
    for line in ITEM.splitlines():
        if "config.k" in line:
            assert line in result.out
    assert result.data["items"][0]["metadata"]["labels"] == {"team": "ran"}


def test_second_run_changes_nothing() -> None:
    first = run(resource_list()).out
    assert run(first).out == first


def test_v1beta1_and_plain_stream_inputs() -> None:
    beta = resource_list().replace("config.kubernetes.io/v1\n", "config.kubernetes.io/v1beta1\n", 1)
    result = run(beta)
    assert result.code == 0 and result.out.startswith("apiVersion: config.kubernetes.io/v1beta1\n")
    stream = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# c\napiVersion: v1\nkind: Secret\nmetadata:\n  name: b\n"
    result = run(stream, "team=ran")
    assert result.code == 0, result.err
    docs = yamlio.load_all(result.out)
    assert [d["metadata"]["labels"]["team"] for d in docs] == ["ran", "ran"]
    assert "# c\n" in result.out


def test_items_order_is_kept_and_untouched_items_are_byte_identical() -> None:
    items = "".join(ITEM.replace("name: cm", f"name: cm{i}") for i in range(5))
    items += "- apiVersion: v1\n  kind: Secret\n  metadata: {name: s}\n"
    result = run(resource_list(items, "  data:\n    team: ran\n    kinds: '[Secret]'\n"))
    assert result.code == 0, result.err
    names = [i["metadata"]["name"] for i in result.data["items"]]
    assert names == ["cm0", "cm1", "cm2", "cm3", "cm4", "s"]
    assert items.split("- apiVersion: v1\n  kind: Secret")[0] in result.out
    assert "metadata: {name: s, labels: {team: ran}}" in result.out


def test_empty_resource_list_and_missing_items() -> None:
    for text in (resource_list(items=""), "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"):
        result = run(text, "team=ran")
        assert result.code == 0, result.err
        assert result.data["items"] in ([], None)


def test_malformed_yaml_is_an_error_result_not_a_traceback() -> None:
    result = run("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- a: [unclosed\n", "x=y")
    assert result.code == 1
    assert "Traceback" not in result.err
    message = result.data["results"][0]["message"]
    assert "not valid YAML" in message and "items[0]" in message


def test_non_mapping_item_and_wrong_resource_list_version() -> None:
    result = run("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- just a string\n", "x=y")
    assert result.code == 1 and "is not a mapping" in result.data["results"][0]["message"]
    result = run("apiVersion: config.kubernetes.io/v9\nkind: ResourceList\nitems: []\n", "x=y")
    assert result.code == 1 and "v9" in result.data["results"][0]["message"]


def test_function_config_errors_name_the_field() -> None:
    result = run(resource_list(config="  data:\n    kinds: '{not: a list}'\n"))
    assert result.code == 1
    error = result.data["results"][0]
    assert error["field"]["path"] == "data.kinds"
    assert error["resourceRef"]["name"] == "function-input"
    result = run(resource_list(config="  data:\n    'Bad Key!': x\n"))
    assert result.code == 1 and "not a valid label key" in result.err
    # nothing half-written: items come back as they went in
    assert "labels" not in result.out.split("functionConfig")[0]


def test_huge_strings_and_unicode() -> None:
    huge = "x" * 2_000_000
    items = ITEM.replace("single: 'quoted'", f"single: '{huge}'") + (
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: ünïcødé-名前\n  data:\n    k: 😀\n"
    )
    result = run(resource_list(items))
    assert result.code == 0, result.err[:200]
    data = result.data
    assert data["items"][0]["data"]["single"] == huge
    assert data["items"][1]["metadata"]["name"] == "ünïcødé-名前"
    assert data["items"][1]["metadata"]["labels"] == {"team": "ran"}


def test_unknown_argument_is_a_usage_error() -> None:
    result = run(resource_list(), "--frobnicate")
    assert result.code == 2 and "unknown argument" in result.err


def test_console_script_help_version_and_debug() -> None:
    exe = [sys.executable, "-c", "from o2krm.fns.set_labels import main; raise SystemExit(main())"]
    help_run = subprocess.run([*exe, "--help"], capture_output=True, text=True, check=False)
    assert help_run.returncode == 0 and "set-labels" in help_run.stdout and "Usage" in help_run.stdout
    version = subprocess.run([*exe, "--version"], capture_output=True, text=True, check=False)
    assert version.returncode == 0 and version.stdout.startswith("set-labels 0.")
    bad = subprocess.run(exe, input=b"\xff\xfe", capture_output=True, check=False)
    assert bad.returncode == 1 and b"not UTF-8" in bad.stderr and b"Traceback" not in bad.stderr
    scalar = subprocess.run([*exe, "team=x"], input="just text", capture_output=True, text=True, check=False)
    assert scalar.returncode == 1 and "is not a mapping" in scalar.stderr


def test_nothing_to_do_passes_input_through_unparsed() -> None:
    from o2krm.sdk.runner import KrmFunction

    fn = KrmFunction(name="noop", process="does.not.exist:fn", kinds=[("example.com", "Widget")])
    text = resource_list()
    result = run(text, function=fn)
    assert result.code == 0 and result.out == text
    widget = "- apiVersion: example.com/v1\n  kind: Widget\n  metadata:\n    name: w\n"
    result = run(resource_list(widget), function=fn)
    assert result.code == 1 and "internal error" in result.data["results"][0]["message"]


def test_set_labels_runs_without_importing_pydantic() -> None:
    """Its config is a plain class: a call (Porch starts a process for each) does not pay the
    80 ms of importing pydantic."""
    script = (
        "import io, sys\n"
        "from o2krm.fns.set_labels import FUNCTION\n"
        f"code = FUNCTION.run([], io.StringIO({resource_list()!r}), io.StringIO(), sys.stderr)\n"
        "assert code == 0, code\n"
        "print('pydantic' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
