# Container images: one per KRM function and one for o2imsctl, built from the root Dockerfile.
# Included from the Makefile; also usable alone: make -f mk/images.mk images
#
# Names and tags follow the kpt function catalog: <registry>/<fn>:vX.Y.Z for the image and
# <fn>/vX.Y.Z for the git tag, X.Y.Z being the project version in pyproject.toml.
#
#   make images                         build every image (docker or podman, whichever is installed)
#   make image-pr-generate              build one
#   make images-push IMAGE_REGISTRY=registry.example.com/ran    build and push every image
#   make images-list                    print the image references
#   make images-git-tags                tag the current commit <fn>/vX.Y.Z for every image

IMAGE_REGISTRY ?= ghcr.io/o2krm
IMAGE_FUNCTIONS := intent-translate pr-generate network-config slo-gate-inject policy-validate set-labels
IMAGE_TOOLS := o2imsctl
IMAGE_TARGETS := $(IMAGE_FUNCTIONS) $(IMAGE_TOOLS)

O2KRM_VERSION ?= $(shell sed -n 's/^version *= *"\([^"]*\)".*/\1/p' pyproject.toml | head -n 1)
IMAGE_TAG ?= v$(O2KRM_VERSION)
VCS_REF ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
# docker if installed, else podman; override with CONTAINER_ENGINE=podman.
CONTAINER_ENGINE ?= $(firstword $(foreach engine,docker podman,$(if $(shell command -v $(engine) 2>/dev/null),$(engine))))

IMAGE_BUILD_TARGETS := $(addprefix image-,$(IMAGE_TARGETS))
IMAGE_PUSH_TARGETS := $(addprefix image-push-,$(IMAGE_TARGETS))

.PHONY: images images-push images-list images-git-tags images-engine $(IMAGE_BUILD_TARGETS) $(IMAGE_PUSH_TARGETS)

images: $(IMAGE_BUILD_TARGETS)  ## build every image

images-push: $(IMAGE_PUSH_TARGETS)  ## build and push every image to $(IMAGE_REGISTRY)

images-list:  ## print the image references
	@$(foreach target,$(IMAGE_TARGETS),echo $(IMAGE_REGISTRY)/$(target):$(IMAGE_TAG);)

images-engine:
	@if [ -z "$(O2KRM_VERSION)" ]; then \
	  echo "images: no version found in pyproject.toml (run make from the repository root)" >&2; exit 1; fi
	@if [ -z "$(CONTAINER_ENGINE)" ]; then \
	  echo "images: neither docker nor podman is installed; install one of them (or set CONTAINER_ENGINE)" >&2; \
	  exit 1; fi
	@if ! $(CONTAINER_ENGINE) info >/dev/null 2>&1; then \
	  echo "images: $(CONTAINER_ENGINE) is installed but cannot reach its engine ('$(CONTAINER_ENGINE) info' fails);" \
	    "start it, or pick another engine with CONTAINER_ENGINE=..." >&2; \
	  exit 1; fi

$(IMAGE_BUILD_TARGETS): image-%: images-engine
	DOCKER_BUILDKIT=1 $(CONTAINER_ENGINE) build --file Dockerfile --target $* \
	  --build-arg O2KRM_VERSION=$(O2KRM_VERSION) --build-arg VCS_REF=$(VCS_REF) \
	  --tag $(IMAGE_REGISTRY)/$*:$(IMAGE_TAG) .

$(IMAGE_PUSH_TARGETS): image-push-%: image-%
	$(CONTAINER_ENGINE) push $(IMAGE_REGISTRY)/$*:$(IMAGE_TAG)

images-git-tags:  ## tag the current commit <fn>/vX.Y.Z for every image; an existing tag must already be here
	@test -n "$(O2KRM_VERSION)" || { echo "images: no version found in pyproject.toml" >&2; exit 1; }
	@head=$$(git rev-parse HEAD) || exit 1; \
	for target in $(IMAGE_TARGETS); do \
	  tag=$$target/$(IMAGE_TAG); \
	  if git rev-parse -q --verify "refs/tags/$$tag" >/dev/null; then \
	    if [ "$$(git rev-parse "$$tag^{commit}")" != "$$head" ]; then \
	      echo "images: tag $$tag already exists on another commit; bump the version in pyproject.toml" >&2; \
	      exit 1; fi; \
	    echo "$$tag (exists)"; \
	  else \
	    git tag "$$tag" || exit 1; echo "$$tag"; \
	  fi; \
	done
