"""Publishing kpt packages as Porch package revisions in git (drafts/, proposed/, <pkg>/v<N>).

``publish_revision``, ``publish_revisions`` (several packages in one push per lifecycle step)
and ``read_revision`` (in ``o2krm.porch.publish``) are the API; the
``o2krm-publish`` command (``o2krm.porch.cli``) wraps them. ``layout`` holds Porch's git
conventions as pure functions, ``git`` the git CLI calls, ``checks`` the render check.
"""
