#!/usr/bin/env bash
# Runs every suite in every configuration: the embedded one (SQLite + local disk) with the PostgreSQL and S3
# contract suites, then the behavioural HTTP suites on PostgreSQL + local disk and on PostgreSQL + S3 (two replicas
# included), and the fault suite embedded and on PostgreSQL + S3. Starts the servers first (scripts/services-up.sh;
# root, installs them when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/services-up.sh >/dev/null
# shellcheck disable=SC1091
source "${ASSETD_SERVICES_DIR:-/tmp/assetd-services}/env"
export ASSETD_TEST_REQUIRE_SERVICES=1

echo "== sqlite-disk (all suites, PostgreSQL and S3 contracts included)"
ASSETD_TEST_CONFIG=sqlite-disk npm test
echo "== pg-disk (behavioural suites)"
ASSETD_TEST_CONFIG=pg-disk npm test -- test/integration test/conformance
echo "== pg-s3 (behavioural suites, two replicas)"
ASSETD_TEST_CONFIG=pg-s3 npm test -- test/integration test/conformance
echo "== faults, sqlite-disk (kill -9, full disk, slow clients, fuzzing)"
ASSETD_TEST_CONFIG=sqlite-disk npm run test:faults
echo "== faults, pg-s3 (the same, and PostgreSQL and S3 stopped mid-traffic)"
ASSETD_TEST_CONFIG=pg-s3 npm run test:faults
