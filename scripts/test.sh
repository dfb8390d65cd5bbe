#!/usr/bin/env bash
# The whole suite: SQLite; then PostgreSQL + Redis (+ a real Celery worker) when they answer;
# then the browser tests in Debian's Chromium. Under CI=true a missing service or browser fails.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export CONCORD_TESTING=1 PYTHONDONTWRITEBYTECODE=1
unset DEBUG
mkdir -p test-artifacts
ci=${CI:-false}
status=0
summary=()

phase() {  # phase NAME ARGS... : run pytest, keep its closing line
  local name=$1; shift
  echo
  echo "=== Concord tests: $name ==="
  "$@" 2>&1 | tee "test-artifacts/$name.log"
  local rc=${PIPESTATUS[0]}
  local last
  last=$(grep -E "^=+ .*(passed|failed|error|skipped|no tests ran).* in [0-9.]+s.* =+$" "test-artifacts/$name.log" | tail -1)
  summary+=("$name: ${last:-no summary (exit $rc)}")
  [ "$rc" -eq 0 ] || status=1
}

# 1. SQLite, no Redis: tasks run inline.
phase sqlite env -u DATABASE_URL -u REDIS_URL $PY -m pytest -m "not browser" -rfE

# 2. PostgreSQL and Redis, with a real Celery worker.
if urls=$($PY scripts/services.py); then
  eval "export $(echo "$urls" | tr '\n' ' ')"
  phase postgres $PY -m pytest -m "not browser" -rfE
  unset DATABASE_URL REDIS_URL
elif [ "$ci" = "true" ]; then
  echo "CI=true: PostgreSQL and Redis are required." >&2
  summary+=("postgres: ERROR services missing"); status=1
else
  summary+=("postgres: skipped (PostgreSQL or Redis not answering)")
fi

# 3. Browser tests in Debian's Chromium.
chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
need=()
[ -x "$chromium" ] || need+=(chromium)
# A CJK font, so that screenshots of the Chinese interface are readable.
command -v dpkg >/dev/null && ! dpkg -s fonts-wqy-microhei >/dev/null 2>&1 && need+=(fonts-wqy-microhei)
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages: ${need[*]}"
  (apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null)) || true
fi
if [ -x "$chromium" ]; then
  phase browser env -u DATABASE_URL -u REDIS_URL CHROMIUM_PATH="$chromium" DJANGO_ALLOW_ASYNC_UNSAFE=true \
    $PY -m pytest -m browser -rfE
elif [ "$ci" = "true" ]; then
  echo "CI=true: Chromium is required for the browser tests." >&2
  summary+=("browser: ERROR chromium missing"); status=1
else
  summary+=("browser: skipped (no chromium; install Debian's chromium package)")
fi

echo
echo "=== Concord test summary ==="
printf '%s\n' "${summary[@]}"
# One closing line over all phases, in pytest's words.
total() { printf '%s\n' "${summary[@]}" | grep -oE "[0-9]+ $1" | awk '{s+=$1} END {print s+0}'; }
passed=$(total passed); failed=$(total failed); errors=$(total "errors?"); skipped=$(total skipped)
verdict=$([ $status -eq 0 ] && echo "ALL PHASES PASSED" || echo "SOME PHASES FAILED")
echo "=== $passed passed, $failed failed, $errors errors, $skipped skipped in ${#summary[@]} phases: $verdict ==="
exit $status
