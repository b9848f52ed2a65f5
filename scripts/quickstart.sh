#!/usr/bin/env bash
# Quick start: installs what is missing, builds, creates enterprise "acme" (short code "acme")
# with a fresh token printed once, and runs the server on 127.0.0.1:8080 with its embedded
# SQLite database (./emuscim.db). Ctrl-C stops it gracefully.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
EMUSCIM_BUILD_TESTS=OFF EMUSCIM_BUILD_BENCH=OFF TARGETS=emuscim scripts/build.sh
db=${EMUSCIM_DB:-emuscim.db}
listen=${EMUSCIM_LISTEN:-127.0.0.1:8080}
build/emuscim enterprise add acme --short-code acme --db "$db" >/dev/null
token=$(build/emuscim token add --enterprise acme --db "$db")
cat <<MSG

emuscim is starting on http://$listen (database: $db)
Enterprise: acme (short code acme)
Token (shown once):  $token

Try:
  curl -s -H "Authorization: Bearer $token" http://$listen/scim/v2/enterprises/acme/Users
  curl -s -H "Authorization: Bearer $token" -H 'Content-Type: application/scim+json' \\
       -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"mona@example.com","externalId":"E1","active":true}' \\
       http://$listen/scim/v2/enterprises/acme/Users

MSG
exec build/emuscim serve --listen "$listen" --db "$db"
