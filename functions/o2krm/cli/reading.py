"""Reading ``--from FILE|-``: YAML or JSON, one or more documents, ``kind: List`` expanded."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO

from o2krm.cli.errors import CliError


def read_documents(source: str, stdin: TextIO) -> list[tuple[str, Any]]:
    """(label, document) pairs in file order; labels name the file and, when several, the document."""
    import yaml

    label = "stdin" if source == "-" else source
    try:
        text = stdin.read() if source == "-" else Path(source).expanduser().read_text(encoding="utf-8")
    except IsADirectoryError:
        raise CliError(f"{source} is a directory; pass a file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise CliError(f"cannot read {label}: {getattr(err, 'strerror', None) or err}") from None
    try:
        documents = [
            d for d in yaml.load_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) if d is not None
        ]
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise CliError(f"{label} is not valid YAML{at}: {getattr(err, 'problem', None) or err}") from None
    expanded: list[Any] = []
    for document in documents:
        if isinstance(document, dict) and document.get("kind") == "List" and isinstance(document.get("items"), list):
            expanded.extend(document["items"])
        else:
            expanded.append(document)
    if not expanded:
        raise CliError(f"{label} holds no objects")
    if len(expanded) == 1:
        return [(label, expanded[0])]
    return [(f"{label} (object {index})", doc) for index, doc in enumerate(expanded, start=1)]
