HARBOR ?= https://harbor...
.example.com

.PHONY: prune
prune:
	@curl -sf -X DELETE -u "$$HARBOR_USER:$$HARBOR_PASSWORD" \
	  "$(HARBOR)/api/v2.0/projects/team/repositories/app/ar