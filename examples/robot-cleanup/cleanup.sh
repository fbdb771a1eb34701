#!/bin/bash
# Nightly cleanup: deletes the given tags of team/app with the robot account robot$team+cleanup,
# which has every permission in the project. Every DELETE answers 401 Unauthorized (story 5 in
# examples/README.md): the script sends the registry token from /service/token to Harbor's API,
# which takes Basic authentication.
set -euo pipefail
HARBOR=https://harbor.example.com
PROJECT=team
REPO=app
TOKEN=$(curl -s -u "$ROBOT_NAME:$ROBOT_SECRET" \
  "$HARBOR/service/token?service=harbor-registry&scope=repository:$PROJECT/$REPO:pull,push,delete" | jq -r .token)
for tag in "$@"; do
  curl -sf -X DELETE -H "Authorization: Bearer $TOKEN" \
    "$HARBOR/api/v2.0/projects/$PROJECT/repositories/$REPO/artifacts/$tag/tags/$tag"
done
