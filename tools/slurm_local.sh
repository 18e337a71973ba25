#!/usr/bin/env bash
# A real single-node SLURM on this machine, for eisweep's integration tests.
#
#   tools/slurm_local.sh start DIR   install (apt) if needed, write DIR/slurm.conf, start munged,
#                                    slurmctld and slurmd; print the SLURM_CONF to export
#   tools/slurm_local.sh stop DIR    stop them by their PIDs
#
# The machines run in a sandbox without systemd or cgroups, hence proctrack/linuxproc,
# task/none and no accounting. Everything lives under DIR.
set -euo pipefail
cmd=${1:?usage: slurm_local.sh start|stop DIR}
dir=${2:?usage: slurm_local.sh start|stop DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
chmod 755 "$dir" # munged runs as the munge user and must reach its pid file here
conf="$dir/slurm.conf"

stop() {
  local pids=()
  for p in slurmd slurmctld; do
    [ -f "$dir/$p.pid" ] && pids+=("$(cat "$dir/$p.pid")")
    # and any started with this configuration but without a pid file
    pids+=($(pgrep -f "^$p -f $conf" || true))
  done
  [ -f "$dir/munge/munged.pid" ] && pids+=("$(cat "$dir/munge/munged.pid")")
  [ ${#pids[@]} -eq 0 ] && return 0
  kill "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 20); do # up to 10 s to shut down, then SIGKILL
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.5
  done
  kill -9 "${pids[@]}" 2>/dev/null || true
  rm -f "$dir"/*.pid
}

if [ "$cmd" = stop ]; then stop; exit 0; fi
[ "$cmd" = start ] || { echo "usage: slurm_local.sh start|stop DIR" >&2; exit 2; }

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq slurm-wlm munge >/dev/null
fi

host=$(hostname -s)
cpus=$(nproc)
mkdir -p "$dir"/{state,spool,log,munge}
cat > "$conf" <<CONF
ClusterName=eisweep-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
# Requeued jobs wait cred_expire seconds (default 120) before they start again; short for tests.
AuthInfo=cred_expire=10
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmdSpoolDir=$dir/spool
StateSaveLocation=$dir/state
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=${EISWEEP_SLURMCTLD_PORT:-16817}
SlurmdPort=${EISWEEP_SLURMD_PORT:-16818}
MaxArraySize=1001
InactiveLimit=0
KillWait=10
MinJobAge=300
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

# munge: a key, its directories owned by the munge user, the daemon as that user.
if [ ! -f /etc/munge/munge.key ]; then
  if command -v mungekey >/dev/null; then mungekey --create >/dev/null 2>&1 || true; fi
  [ -f /etc/munge/munge.key ] || dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
fi
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/lib/munge /var/log/munge
chown munge:munge /run/munge /var/lib/munge /var/log/munge "$dir/munge"
if ! pgrep -x munged >/dev/null; then
  runuser -u munge -- /usr/sbin/munged --pid-file="$dir/munge/munged.pid"
fi

export SLURM_CONF=$conf
slurmctld -f "$conf"
slurmd -f "$conf"
# Wait until the node is up.
for _ in $(seq 60); do
  if sinfo -h -o '%T' 2>/dev/null | grep -qE 'idle|mixed|allocated'; then
    echo "SLURM_CONF=$conf"
    exit 0
  fi
  sleep 1
done
echo "slurm_local.sh: the node did not come up; see $dir/log" >&2
sinfo >&2 || true
exit 1
