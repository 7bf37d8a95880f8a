#!/usr/bin/env bash
# A one-node Slurm cluster on localhost, in a folder of its own, for the Slurm executor's tests.
#
#   scripts/slurm-local.sh start DIR   installs Slurm and munge if missing (bootstrap.sh), writes DIR/slurm.conf,
#                                      starts munged, slurmctld and slurmd with their state, logs and sockets
#                                      in DIR, and waits until the node is idle
#   scripts/slurm-local.sh stop DIR    stops the three daemons started from DIR
#
# After `start`, `export SLURM_CONF=DIR/slurm.conf` points sbatch, squeue, scancel and sinfo at it. Nothing
# outside DIR is configured or changed, so a machine's own Slurm (if any) is left alone. There is no
# accounting daemon (slurmdbd needs a database server): `sacct` is unavailable, and `mitosis status` falls back
# to squeue and the task logs.
set -euo pipefail
cmd="${1:-}"; dir="${2:-}"
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

stop() {
  for p in slurmd slurmctld munged; do
    [ -f "$dir/$p.pid" ] || continue
    pid="$(cat "$dir/$p.pid" 2>/dev/null || true)"
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/$p.pid"
  done
}

if [ "$cmd" = "stop" ]; then stop; echo "slurm-local: stopped ($dir)" >&2; exit 0; fi
[ "$cmd" = "start" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

# Debian's slurmctld, slurmd, slurm-client and munge come with the project's bootstrap (idempotent).
bash "$(dirname "$0")/bootstrap.sh"
command -v slurmctld >/dev/null || { echo "slurm-local: slurmctld not found after bootstrap" >&2; exit 1; }

stop   # a previous start from the same folder
host="$(hostname -s)"
cpus="$(nproc)"
mem_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
# Ports of our own, away from Slurm's defaults (6817/6818), so a machine's own Slurm is not disturbed.
base=$(( 26000 + RANDOM % 2000 * 2 ))
mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
chmod 700 "$dir" "$dir/munge"
[ -f "$dir/munge/munge.key" ] || { head -c 1024 /dev/urandom > "$dir/munge/munge.key"; chmod 400 "$dir/munge/munge.key"; }
user="$(id -un)"
cat > "$dir/slurm.conf" <<EOF
# Written by scripts/slurm-local.sh: a one-node test cluster.
ClusterName=mitosis-local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=$user
SlurmdUser=$user
SlurmctldPort=$base
SlurmdPort=$(( base + 1 ))
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
# CPUs are the consumable resource (memory is not: a task without --mem would otherwise hold the whole node).
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MinJobAge=600
KillWait=5
InactiveLimit=0
SlurmdTimeout=300
PlugStackConfig=$dir/plugstack.conf
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
: > "$dir/plugstack.conf"
export SLURM_CONF="$dir/slurm.conf"

# The daemons get no stdio of ours, and no other descriptor we inherited (a caller's pipes, or those of
# another thread of it, leaked without close-on-exec): whoever reads them to their end must not wait for them.
for fd in $(ls /proc/$$/fd); do
  [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null || true
done
munged --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
  --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge/munge.seed" --force \
  </dev/null >>"$dir/daemons.out" 2>&1
slurmctld -f "$dir/slurm.conf" -i </dev/null >>"$dir/daemons.out" 2>&1
slurmd -f "$dir/slurm.conf" -N "$host" </dev/null >>"$dir/daemons.out" 2>&1
for _ in $(seq 100); do
  state="$(sinfo -h -n "$host" -o %T 2>/dev/null || true)"
  [ "$state" = "idle" ] && { echo "slurm-local: up ($dir, node $host, $cpus CPUs, ${mem_mb} MB)" >&2; exit 0; }
  sleep 0.2
done
echo "slurm-local: the node did not become idle (state '${state:-none}'); logs:" >&2
tail -n 20 "$dir/slurmctld.log" "$dir/slurmd.log" "$dir/munged.log" >&2 || true
stop
exit 1
