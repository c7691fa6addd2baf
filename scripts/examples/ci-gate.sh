#!/bin/sh
# A CI or deploy step that gates on Healthchecks: fails (exit 1) when any check
# tagged "prod" is down, so a deploy does not go out on top of a broken cron job;
# exit 2 when no check carries the tag (a typo must not pass the gate).
#   GitHub Actions:  - run: scripts/examples/ci-gate.sh
#                      env: { HC_API_KEY: "${{ secrets.HC_API_KEY_READONLY }}" }
#   GitLab CI:       script: [scripts/examples/ci-gate.sh]
# A read-only API key is enough.
set -eu
hcctl status --tag prod ${HC_FAIL_ON_GRACE:+--fail-on grace}
