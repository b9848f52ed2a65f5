#!/bin/bash
# emuscim-healthcheck: the container image's HEALTHCHECK probe.
#
# Sends `GET /healthz` to the server in this container and exits 0 only if the status line of
# the reply is `HTTP/1.x 200`; anything else (refused, timed out, TLS failure, another status)
# exits 1. It needs no extra package for plain HTTP (bash's /dev/tcp), and the `openssl`
# command line for HTTPS.
#
# Where to knock, by default taken from the server's own settings:
#   EMUSCIM_LISTEN    HOST:PORT the server listens on (0.0.0.0 / :: / empty host -> loopback)
#   EMUSCIM_TLS_CERT  set and non-empty -> HTTPS, as emuscim itself decides
# Overrides, for a server configured through --config or flags instead of the environment:
#   EMUSCIM_HEALTHCHECK_ADDR     HOST:PORT to probe (IPv6 in brackets: [::1]:8080)
#   EMUSCIM_HEALTHCHECK_TLS      1 = HTTPS, 0 = plain HTTP
#   EMUSCIM_HEALTHCHECK_TIMEOUT  seconds for the whole exchange (default 3)
set -u

addr="${EMUSCIM_HEALTHCHECK_ADDR:-${EMUSCIM_LISTEN:-127.0.0.1:8080}}"
port="${addr##*:}"
host="${addr%:*}"
[[ "$host" == "$addr" ]] && host=""   # no colon at all: treat the value as a bare port
host="${host#[}"
host="${host%]}"
case "$host" in
  "" | 0.0.0.0 | "*") host=127.0.0.1 ;;
  "::") host=::1 ;;
esac
if [[ ! "$port" =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
  echo "emuscim-healthcheck: cannot take a port from '$addr'" >&2
  exit 1
fi

tls="${EMUSCIM_HEALTHCHECK_TLS:-}"
if [[ -z "$tls" ]]; then
  if [[ -n "${EMUSCIM_TLS_CERT:-}" ]]; then tls=1; else tls=0; fi
fi
limit="${EMUSCIM_HEALTHCHECK_TIMEOUT:-3}"

# User-Agent too, so the probe passes `strict` / compat.require_user_agent setups as well.
request=$'GET /healthz HTTP/1.1\r\nHost: localhost\r\nUser-Agent: emuscim-healthcheck\r\nAccept: application/json\r\nConnection: close\r\n\r\n'

if [[ "$tls" == 1 ]]; then
  connect="$host:$port"
  [[ "$host" == *:* ]] && connect="[$host]:$port"
  # -quiet implies -ign_eof: s_client keeps reading after our request until the server closes
  # (Connection: close). The certificate is not verified: this checks liveness, not trust.
  status_line="$(printf '%s' "$request" |
    timeout "$limit" openssl s_client -quiet -connect "$connect" -servername localhost 2>/dev/null |
    head -n 1)"
else
  # shellcheck disable=SC2016  # $0..$2 are expanded by the inner bash
  status_line="$(timeout "$limit" bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    printf "%s" "$2" >&3
    IFS= read -r line <&3 || exit 1
    printf "%s\n" "$line"' "$host" "$port" "$request" 2>/dev/null)"
fi

status_line="${status_line%$'\r'}"
if [[ "$status_line" =~ ^HTTP/1\.[01]\ 200($|\ ) ]]; then
  exit 0
fi
echo "emuscim-healthcheck: GET /healthz on $host:$port (tls=$tls) answered '${status_line:-nothing}'" >&2
exit 1
