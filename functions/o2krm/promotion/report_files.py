"""Writing updated IntentReports back into package files, changing only what changed.

The SDK's surgical patcher rewrites the changed spans of a report's YAML, so comments, quoting
and key order elsewhere stay byte for byte and a later ``kpt fn render`` finds nothing to change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from o2krm.promotion.sources import Bundle

SpecUpdate = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class ReportEdit:
    path: str
    intent: str
    text: str  # the file's new content


def edit_reports(
    bundle: Bundle, texts: Mapping[str, str], intents: Sequence[str], update: SpecUpdate
) -> tuple[list[ReportEdit], list[str]]:
    """New texts for the files holding the IntentReports of ``intents``, and warnings.

    ``texts`` maps the bundle's paths to file contents; ``update`` turns a report's spec into the
    new spec. Reports that would not change produce no edit.
    """
    edits: list[ReportEdit] = []
    warnings: list[str] = []
    for intent in sorted(set(intents)):
        documents = bundle.reports_for(intent)
        if not documents:
            warnings.append(f"no IntentReport for intent {intent!r} in {bundle.where}; only the message records it")
            continue
        for doc in documents:
            if doc.documents_in_file != 1:
                warnings.append(f"{doc.path} holds {doc.documents_in_file} documents; its IntentReport was not updated")
                continue
            old = dict(doc.data)
            spec = old.get("spec")
            new = {**old, "spec": update(dict(spec) if isinstance(spec, dict) else {})}
            if new != old:
                edits.append(ReportEdit(doc.path, intent, patched(texts[doc.path], old, new)))
    return edits, warnings


def patched(text: str, old: Any, new: Any) -> str:
    from o2krm.sdk import yamlio
    from o2krm.sdk.patch import Unpatchable, patch_text

    root = yamlio.compose(text)
    if root is not None:
        try:
            return patch_text(text, root, old, new)
        except Unpatchable:
            pass
    return yamlio.dump(new)
