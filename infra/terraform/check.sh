#!/usr/bin/env bash
# The checks that can run here (no provider registry is reachable, so `init` and `validate` cannot): OpenTofu's
# formatter, which also parses every file and fails on a syntax error, and a structural check with HashiCorp's
# terraform-config-inspect that every module parses, and every variable and output is described. Both tools are
# built from the Go module proxy once into ~/.cache/crossgate/go-bin. Usage: check.sh [DIR] (default: this folder).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=${1:-$here}
bin=${CROSSGATE_CACHE:-$HOME/.cache/crossgate}/go-bin
mkdir -p "$bin"
tofu_version=v1.10.10
inspect_version=v0.0.0-20260904064934-75d64de68c31
if [ ! -x "$bin/tofu-$tofu_version" ]; then
  # tofu's go.mod has replace directives, so it cannot be `go install`ed: build it inside its module
  go mod download github.com/opentofu/opentofu@$tofu_version
  (cd "$(go env GOMODCACHE)/github.com/opentofu/opentofu@$tofu_version" && CGO_ENABLED=0 go build -trimpath -o "$bin/tofu-$tofu_version" ./cmd/tofu)
fi
if [ ! -x "$bin/terraform-config-inspect-$inspect_version" ]; then
  built=$(mktemp -d)
  GOBIN=$built go install github.com/hashicorp/terraform-config-inspect@$inspect_version
  mv "$built/terraform-config-inspect" "$bin/terraform-config-inspect-$inspect_version"
fi
"$bin/tofu-$tofu_version" fmt -check -recursive -diff "$target"
status=0
for module in "$target"/modules/* "$target"/examples/*; do
  "$bin/terraform-config-inspect-$inspect_version" --json "$module" | python3 -c '
import json, sys
module = json.load(sys.stdin)
problems = [d["summary"] + ": " + d.get("detail", "") for d in module.get("diagnostics") or [] if d.get("severity") == "error"]
problems += ["variable %s has no description" % n for n, v in module["variables"].items() if not v.get("description")]
problems += ["output %s has no description" % n for n, o in module["outputs"].items() if not o.get("description")]
for problem in problems:
    print("%s: %s" % (module["path"], problem))
sys.exit(1 if problems else 0)
' || status=1
done
exit $status
