#!/usr/bin/env bash
# Refreshes the third-party browser files of the web UI from adapters/http/web/package-lock.json
# (npm ci: exactly the locked versions, integrity-checked), and copies the built files with
# their licences into the folders that are committed:
#   adapters/http/web/assets/vendor/  embedded in the binary (htmx, its SSE extension)
#   tests/browser/vendor/             used only by the browser tests (axe-core)
# Run it after changing package.json; `cargo build` itself never needs npm.
set -euo pipefail
cd "$(dirname "$0")/../adapters/http/web"
npm ci --ignore-scripts --no-audit --no-fund
vendor=assets/vendor
rm -rf "$vendor" && mkdir -p "$vendor"
cp node_modules/htmx.org/dist/htmx.min.js "$vendor/htmx.min.js"
cp node_modules/htmx.org/LICENSE "$vendor/htmx.LICENSE"
cp node_modules/htmx-ext-sse/dist/sse.min.js "$vendor/htmx-sse.min.js"
cp node_modules/htmx-ext-sse/LICENSE "$vendor/htmx-sse.LICENSE"
tests=../../../tests/browser/vendor
rm -rf "$tests" && mkdir -p "$tests"
cp node_modules/axe-core/axe.min.js "$tests/axe.min.js"
cp node_modules/axe-core/LICENSE "$tests/axe-core.LICENSE"
cp node_modules/axe-core/LICENSE-3RD-PARTY.txt "$tests/axe-core.LICENSE-3RD-PARTY.txt"
{
  echo "Third-party files of the web UI, copied by scripts/vendor-web.sh from the npm packages"
  echo "locked in adapters/http/web/package-lock.json:"
  node -e 'const l=require("./package-lock.json");for(const [k,v] of Object.entries(l.packages)){if(k)console.log("- "+k.replace("node_modules/","")+" "+v.version+" ("+(v.license||"see its LICENSE")+")")}'
} > "$vendor/README.md"
cp "$vendor/README.md" "$tests/README.md"
echo "vendored into $vendor and $tests"
