#!/usr/bin/env bash
# The alerting rules' unit tests: `promtool test rules` feeds tests/packaging/dmr-alerts.test.yml's
# series to resources/monitoring/dmr-alerts.yml and checks which alerts fire, with their labels
# and texts, and which stay quiet. Skipped (77) without promtool (Debian's prometheus package).
#
#   alert_rules_test.sh SOURCE_DIR
set -euo pipefail

src="${1:?usage: alert_rules_test.sh SOURCE_DIR}"
if ! command -v promtool >/dev/null; then
    echo "SKIP: no promtool (apt-get install prometheus)"
    exit 77
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# promtool reads rule_files relative to the test file.
cp "$src/resources/monitoring/dmr-alerts.yml" "$src/tests/packaging/dmr-alerts.test.yml" "$work/"
cd "$work"
promtool test rules dmr-alerts.test.yml
