#!/usr/bin/env bash
# Installs (when missing) and starts the real servers the scale-out suites need, on loopback only, and waits on
# their health checks: PostgreSQL (Debian's cluster) and a single-node, in-memory Ceph RADOS Gateway (S3).
# Prints the environment for the tests as `export` lines (also written to $ASSETD_SERVICES_DIR/env).
# Root is needed (apt-get, and Ceph's daemons). Safe to run again: running servers are reused.
set -euo pipefail

BASE=${ASSETD_SERVICES_DIR:-/tmp/assetd-services}
RGW_PORT=${ASSETD_RGW_PORT:-57480}
MON_PORT=${ASSETD_MON_PORT:-56789}
S3_KEY=assetdtestkey
S3_SECRET=assetdtestsecret0000000000000000
DB_PASSWORD=assetd-test
mkdir -p "$BASE"
log() { echo "services-up: $*" >&2; }

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds=$1 what=$2; shift 2
  for _ in $(seq "$seconds"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  log "$what did not come up in ${seconds}s"; return 1
}

install_missing() {
  local missing=()
  compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
  command -v radosgw >/dev/null || missing+=(ceph-mon ceph-osd radosgw)
  command -v curl >/dev/null || missing+=(curl)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

start_postgres() {
  local version; version=$(ls /etc/postgresql | sort -n | tail -1)
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    log "starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
  wait_for 60 PostgreSQL pg_isready -q -h 127.0.0.1 -p 5432
  # The test role may create a database per test server.
  su postgres -c "psql -q -v ON_ERROR_STOP=1" <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'assetd_test') THEN
    CREATE ROLE assetd_test LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
  END IF;
END \$\$;
SQL
  su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='assetd_test'\"" | grep -q 1 \
    || su postgres -c "createdb -O assetd_test assetd_test"
}

# A freshly started OSD sometimes sends its first command before its monitor client knows the cluster's fsid; the
# monitor refuses it ("wrong fsid") and the OSD exits (code 250). Seen on about 1 start in 3, so a fresh OSD is tried
# again a few times.
start_osd() {
  local dir=$1 c="-c $1/ceph.conf"
  for attempt in $(seq 10); do
    rm -rf "$dir/osd0"; mkdir -p "$dir/osd0"
    ceph-osd $c -i 0 --mkfs --osd-objectstore memstore >/dev/null 2>&1 \
      && ceph-osd $c -i 0 --pid-file "$dir/run/osd.pid" 2>/dev/null && return 0
    log "OSD start attempt $attempt failed; trying again"
    sleep 1
  done
  return 1
}

start_ceph() {
  local dir="$BASE/ceph"
  if curl -sf -m 2 "http://127.0.0.1:$RGW_PORT/" >/dev/null 2>&1; then log "RGW already up"; return 0; fi
  log "starting Ceph (mon, memstore OSD, radosgw) under $dir"
  # Daemons of an earlier run take seconds to exit; a new monitor must not start while the old one holds its port.
  local stale=()
  for pidfile in "$dir"/run/*.pid; do [ -f "$pidfile" ] && stale+=("$(cat "$pidfile")"); done
  if [ ${#stale[@]} -gt 0 ]; then
    kill "${stale[@]}" 2>/dev/null || true
    wait_for 30 "the old Ceph daemons' exit" bash -c 'for p; do kill -0 "$p" 2>/dev/null && exit 1; done; exit 0' _ "${stale[@]}" || true
  fi
  rm -rf "$dir"; mkdir -p "$dir"/{mon-a,osd0,run,log,rgw}
  local fsid; fsid=$(cat /proc/sys/kernel/random/uuid)
  cat > "$dir/ceph.conf" <<CONF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$MON_PORT
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
mon allow pool size one = true
osd crush chooseleaf type = 0
osd objectstore = memstore
memstore device bytes = 4294967296
run dir = $dir/run
log file = $dir/log/\$name.log
admin socket = $dir/run/\$name.asok
keyring = $dir/keyring
ms bind ipv6 = false
[mon.a]
mon data = $dir/mon-a
mon addr = v1:127.0.0.1:$MON_PORT
[osd.0]
osd data = $dir/osd0
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw data = $dir/rgw
# Deleted objects are freed within a minute, not hours later: test runs delete a lot from a 4 GiB memstore.
rgw gc obj min wait = 30
rgw gc processor period = 30
CONF
  local c="-c $dir/ceph.conf"
  ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  monmaptool --create --addv a "[v1:127.0.0.1:$MON_PORT]" --fsid "$fsid" "$dir/monmap" >/dev/null
  ceph-mon $c --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/keyring"
  ceph-mon $c -i a --pid-file "$dir/run/mon.pid"
  timeout 60 ceph $c osd create >/dev/null
  start_osd "$dir" || { log "the Ceph OSD did not start; see $dir/log/osd.0.log"; return 1; }
  radosgw $c -n client.rgw.a --pid-file "$dir/run/rgw.pid"
  wait_for 90 "Ceph RGW" curl -sf -m 2 "http://127.0.0.1:$RGW_PORT/"
  timeout 60 radosgw-admin $c user create --uid=assetd-test --display-name=assetd-test \
    --access-key="$S3_KEY" --secret-key="$S3_SECRET" >/dev/null
}

install_missing
start_postgres
start_ceph

cat > "$BASE/env" <<ENV
export ASSETD_TEST_DATABASE_URL=postgres://assetd_test:$DB_PASSWORD@127.0.0.1:5432/assetd_test
export ASSETD_TEST_S3_ENDPOINT=http://127.0.0.1:$RGW_PORT
export ASSETD_TEST_S3_ACCESS_KEY_ID=$S3_KEY
export ASSETD_TEST_S3_SECRET_ACCESS_KEY=$S3_SECRET
ENV
cat "$BASE/env"
log "ready"
