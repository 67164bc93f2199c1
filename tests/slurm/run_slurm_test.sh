#!/usr/bin/env bash
# Single-node SLURM test (make test-slurm): run the pipeline on a small simulated mock community
# through the SLURM executor and locally, and require byte-identical result tables.
#
# As root on Debian 12 it sets SLURM up itself: installs slurmctld, slurmd, slurm-client and munge
# when missing, writes a one-node /etc/slurm/slurm.conf (no accounting), creates the munge key when
# missing and starts munged, slurmctld and slurmd. Daemons it started are stopped at the end by
# PID; daemons that were already running are used as they are and left running.
#
# Environment: SLURM_TEST_LIMIT (seconds for each pipeline run, default 1500),
#              SLURM_TEST_KEEP=1 keeps the scratch folder.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="$REPO/.venv/bin"
export PATH="$BIN:$PATH"
LIMIT="${SLURM_TEST_LIMIT:-1500}"
# Must agree with profiles/slurm/config.yaml (MinJobAge below is >= 3 x this).
INIT_STATUS_SECONDS="$(sed -n 's/^slurm-init-seconds-before-status-checks: *\([0-9]*\).*/\1/p' \
  "$REPO/profiles/slurm/config.yaml")"
INIT_STATUS_SECONDS="${INIT_STATUS_SECONDS:-40}"
MIN_JOB_AGE=$(( INIT_STATUS_SECONDS * 3 > 300 ? INIT_STATUS_SECONDS * 3 : 300 ))
CONF=/etc/slurm/slurm.conf
MARKER="# written by gutbrain16s tests/slurm/run_slurm_test.sh"
TABLES=(results/asv/asv_table.tsv results/taxonomy/asv_taxonomy.tsv
        results/function/ko_abundance.tsv results/function/module_scores.tsv)

WORK="$(mktemp -d /tmp/gutbrain-slurm-test.XXXXXX)"
STATE="$WORK/slurm-state"
STARTED_PIDS=()
WROTE_CONF=""

log() { echo "[slurm-test] $*"; }
fail() { echo "[slurm-test] $*" >&2; echo "SLURM TEST: FAIL ($*)"; exit 1; }

cleanup() {
  local rc=$?
  # Stop only the daemons this script started, newest first, by PID.
  local i pid
  for (( i=${#STARTED_PIDS[@]}-1; i>=0; i-- )); do
    pid="${STARTED_PIDS[$i]}"
    if kill -0 "$pid" 2>/dev/null; then
      log "stopping PID $pid ($(ps -o comm= -p "$pid" 2>/dev/null || echo '?'))"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  # Leave no slurm.conf of ours behind: with it and no slurmctld, every scontrol/squeue call
  # (the SLURM executor plugin makes some whenever Snakemake starts) waits ~9 s for a timeout.
  if [ -n "$WROTE_CONF" ]; then
    if [ -f "$CONF.gutbrain-backup" ]; then mv -f "$CONF.gutbrain-backup" "$CONF"; else rm -f "$CONF"; fi
  fi
  if [ "${SLURM_TEST_KEEP:-0}" = 1 ] || [ "$rc" != 0 ]; then
    log "scratch folder kept: $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail "must run as root (it installs and starts SLURM daemons)"

# ------------------------------------------------------------------ packages
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
   || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  command -v apt-get >/dev/null || fail "SLURM is not installed and apt-get is not available"
  log "installing slurmctld slurmd slurm-client munge"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    slurmctld slurmd slurm-client munge >/dev/null
fi

# ------------------------------------------------------------------ munge
munge_ok() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }
if munge_ok; then
  log "munged already running: using it"
else
  if [ ! -s /etc/munge/munge.key ]; then
    log "creating /etc/munge/munge.key"
    mkdir -p /etc/munge
    if command -v mungekey >/dev/null; then
      mungekey --create --keyfile=/etc/munge/munge.key
    else
      dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
    fi
  fi
  chown -R munge:munge /etc/munge && chmod 700 /etc/munge && chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge
  chmod 755 /run/munge
  rm -f /run/munge/munged.pid
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 1 20); do [ -s /run/munge/munged.pid ] && break; sleep 0.5; done
  [ -s /run/munge/munged.pid ] || fail "munged did not start"
  STARTED_PIDS+=("$(cat /run/munge/munged.pid)")
  munge_ok || fail "munged started but munge -n | unmunge fails"
  log "started munged (PID ${STARTED_PIDS[-1]})"
fi

# ------------------------------------------------------------------ slurm.conf + daemons
ctld_ok() { scontrol ping 2>/dev/null | grep -q "is UP"; }
NODE="$(hostname -s)"
if ctld_ok; then
  log "slurmctld already running: using the cluster as configured"
else
  if [ -f "$CONF" ] && ! grep -qF "$MARKER" "$CONF"; then
    log "saving the existing $CONF as $CONF.gutbrain-backup"
    cp -p "$CONF" "$CONF.gutbrain-backup"
  fi
  WROTE_CONF=1
  MEM_MB="$(free -m | awk '/^Mem:/ {print $2}')"
  MEM_MB=$(( MEM_MB > 2048 ? MEM_MB - 1024 : MEM_MB ))  # leave some for the system
  mkdir -p /etc/slurm "$STATE/ctld" "$STATE/d" "$STATE/log"
  cat > "$CONF" <<EOF
$MARKER
# One node, one partition, no accounting: enough to test the SLURM executor.
ClusterName=gutbrain
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/d
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
# The executor polls squeue; finished jobs must stay visible >= 3 x its first-check delay.
MinJobAge=$MIN_JOB_AGE
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=2 RealMemory=$MEM_MB State=UNKNOWN
PartitionName=main Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
  log "wrote $CONF (node $NODE, 2 CPUs, ${MEM_MB} MB, MinJobAge=$MIN_JOB_AGE)"
  slurmctld || fail "slurmctld did not start (see $STATE/log/slurmctld.log)"
  for _ in $(seq 1 40); do [ -s "$STATE/slurmctld.pid" ] && ctld_ok && break; sleep 0.5; done
  [ -s "$STATE/slurmctld.pid" ] || fail "slurmctld wrote no PID file"
  STARTED_PIDS+=("$(cat "$STATE/slurmctld.pid")")
  ctld_ok || fail "slurmctld is not answering (see $STATE/log/slurmctld.log)"
  log "started slurmctld (PID ${STARTED_PIDS[-1]})"
  slurmd || fail "slurmd did not start (see $STATE/log/slurmd.log)"
  for _ in $(seq 1 20); do [ -s "$STATE/slurmd.pid" ] && break; sleep 0.5; done
  [ -s "$STATE/slurmd.pid" ] || fail "slurmd wrote no PID file"
  STARTED_PIDS+=("$(cat "$STATE/slurmd.pid")")
  log "started slurmd (PID ${STARTED_PIDS[-1]})"
fi

log "waiting for an idle node"
idle=""
for _ in $(seq 1 60); do
  if sinfo -h -N -o '%t' 2>/dev/null | grep -qx 'idle'; then idle=1; break; fi
  sleep 1
done
[ -n "$idle" ] || { sinfo -N -l || true; fail "no idle node in sinfo after 60 s"; }
sinfo -N -o '%N %P %c %m %t'

# ------------------------------------------------------------------ data and config
log "simulating the mock community into $WORK/data"
PYTHONPATH="$REPO/workflow/scripts:$REPO" "$BIN/python" -m tools.simulate mock --source dada2 \
  --out "$WORK/data" --samples 2 --pairs 1500 >/dev/null
"$BIN/python" - "$REPO/config/config.yaml" "$WORK/config.yaml" "$WORK/data/samples.tsv" \
  "$WORK/cache" <<'EOF'
import sys

import yaml

src, dst, sheet, cache = sys.argv[1:]
with open(src) as handle:
    config = yaml.safe_load(handle)
config["samples"] = sheet
config["references"]["cache_dir"] = cache
with open(dst, "w") as handle:
    yaml.safe_dump(config, handle, sort_keys=False)
EOF

run_pipeline() {  # run_pipeline NAME [extra snakemake args...]
  local name="$1"; shift
  mkdir -p "$WORK/$name"
  log "running the pipeline ($name); log: $WORK/$name.log"
  local start rc=0
  start=$(date +%s)
  ( cd "$REPO" && timeout -k 30 "$LIMIT" "$BIN/snakemake" -s "$REPO/Snakefile" \
      -d "$WORK/$name" --configfile "$WORK/config.yaml" "$@" "${TABLES[@]}" ) \
      >"$WORK/$name.log" 2>&1 || rc=$?
  log "$name run: exit $rc after $(( $(date +%s) - start )) s"
  if [ "$rc" != 0 ]; then
    tail -n 60 "$WORK/$name.log" >&2
    fail "$name run failed with exit code $rc (timeout gives 124/137)"
  fi
}

# --slurm-no-account: this cluster has no accounts (plugin 2.8.0 still tries to guess one and
# says so in the log; harmless).
run_pipeline slurm --executor slurm --profile profiles/slurm --workflow-profile none \
  --slurm-no-account
grep -q "has been submitted with SLURM jobid" "$WORK/slurm.log" \
  || fail "the SLURM run submitted no job (see $WORK/slurm.log)"
run_pipeline local --cores 2

# ------------------------------------------------------------------ compare
status=0
for table in "${TABLES[@]}"; do
  if cmp -s "$WORK/slurm/$table" "$WORK/local/$table"; then
    log "identical: $table ($(wc -l < "$WORK/local/$table") lines)"
  else
    log "DIFFERENT: $table"
    diff <(head -n 20 "$WORK/slurm/$table") <(head -n 20 "$WORK/local/$table") >&2 || true
    status=1
  fi
done
submitted="$(grep -c "has been submitted with SLURM jobid" "$WORK/slurm.log" || true)"
if [ "$status" = 0 ]; then
  echo "SLURM TEST: PASS (${#TABLES[@]} tables identical; $submitted SLURM jobs)"
else
  echo "SLURM TEST: FAIL (result tables differ between SLURM and local runs)"
  exit 1
fi
