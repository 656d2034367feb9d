#!/usr/bin/env bash
# A real single-node SLURM cluster on 127.0.0.1, entirely inside one directory, for the
# sweep tests (cmd/balnet/sweep_slurm_test.go) and for trying balnet sweep --slurm locally.
#
#   scripts/slurm-cluster.sh start DIR   # DIR: a fresh (empty or new) directory
#   export SLURM_CONF=DIR/slurm.conf     # every client (sbatch, squeue, sinfo) needs it
#   scripts/slurm-cluster.sh stop DIR    # stops exactly the daemons start started
#
# start installs Debian's slurmctld, slurmd, slurm-client and munge with apt-get when they
# are missing and we are root, or always when CI=true. Everything — munge key and socket,
# slurm.conf, state, spool, logs — lives in DIR; the daemons run in the foreground of
# background shells, so their PIDs are known at once (DIR/daemons: "name pid" lines), and
# stop sends SIGTERM to those PIDs only, after checking /proc/PID/comm. The set-up follows
# what was measured on this machine kind: proctrack/linuxproc and task/none (no cgroups
# here: proctrack/cgroup makes every step fail while jobs report COMPLETED), ports
# 6817/6818 checked free first, a fresh state directory (an old one brings its jobs back).
set -euo pipefail

die() { echo "slurm-cluster: $*" >&2; exit 1; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

install_packages() {
    local missing=0
    for b in slurmctld slurmd sbatch munged; do
        command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] || missing=1
    done
    if [ "${CI:-}" = true ] || { [ "$missing" = 1 ] && [ "$(id -u)" = 0 ]; }; then
        if [ "$missing" = 1 ] || [ "${CI:-}" = true ]; then
            echo "slurm-cluster: installing slurmctld slurmd slurm-client munge" >&2
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                slurmctld slurmd slurm-client munge >&2
        fi
    elif [ "$missing" = 1 ]; then
        die "slurmctld, slurmd, sbatch or munged is missing (apt-get install slurmctld slurmd slurm-client munge, as root)"
    fi
}

# wait_for CMD... : retry every 0.2 s for up to 20 s.
wait_for() {
    local end=$((SECONDS + 20))
    while [ "$SECONDS" -lt "$end" ]; do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.2
    done
    return 1
}

start() {
    local dir=$1
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ -z "$(ls -A "$dir")" ] || die "$dir is not empty: give a fresh directory"
    install_packages
    export PATH="$PATH:/usr/sbin:/sbin"
    for p in 6817 6818; do
        port_in_use "$p" && die "port $p is in use (a leftover cluster?): stop it first"
    done
    # Every directory above the munge socket must be o+x (mktemp -d makes 0700).
    chmod 755 "$dir"
    mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
    chmod 755 "$dir/munge"
    dd if=/dev/urandom bs=1024 count=1 of="$dir/munge/munge.key" status=none
    chmod 0400 "$dir/munge/munge.key"
    : >"$dir/daemons"

    munged --foreground --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
        --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" \
        --seed-file="$dir/munge/munged.seed" --origin=127.0.0.1 >>"$dir/log/munged.out" 2>&1 &
    echo "munged $!" >>"$dir/daemons"
    wait_for test -S "$dir/munge/munge.socket" || { stop "$dir"; die "munged did not start: $(tail -5 "$dir/log/munged.log" 2>/dev/null)"; }

    # slurmctld accepts only its own host name as SlurmctldHost; the address is 127.0.0.1.
    local node
    node=$(hostname -s)
    cat >"$dir/slurm.conf" <<EOF
ClusterName=balnet
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerParameters=batch_sched_delay=0
MailProg=/bin/true
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF="$dir/slurm.conf"
    slurmctld -D -f "$SLURM_CONF" >>"$dir/log/slurmctld.out" 2>&1 &
    echo "slurmctld $!" >>"$dir/daemons"
    slurmd -D -N "$node" -f "$SLURM_CONF" >>"$dir/log/slurmd.out" 2>&1 &
    echo "slurmd $!" >>"$dir/daemons"
    if ! wait_for sh -c "timeout 3 sinfo -h -N -o %T | grep -qx idle"; then
        echo "slurm-cluster: the node did not become idle; logs:" >&2
        tail -20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 2>/dev/null || true
        stop "$dir"
        exit 1
    fi
    echo "slurm-cluster: up in $dir; export SLURM_CONF=$SLURM_CONF" >&2
}

stop() {
    local dir=$1
    [ -f "$dir/daemons" ] || die "$dir/daemons is missing: nothing started there"
    local pids=()
    # Stop in reverse order: slurmd, slurmctld, then munged.
    while read -r name pid; do
        [ -n "$pid" ] || continue
        if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ]; then
            kill -TERM "$pid" 2>/dev/null || true
            pids+=("$pid:$name")
        fi
    done < <(tac "$dir/daemons")
    for entry in "${pids[@]}"; do
        local pid=${entry%%:*} name=${entry#*:}
        for _ in $(seq 50); do
            [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] || break
            sleep 0.1
        done
        if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ]; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    : >"$dir/daemons"
}

case "${1:-}" in
start) [ $# -eq 2 ] || die "usage: $0 start DIR"; start "$2" ;;
stop) [ $# -eq 2 ] || die "usage: $0 stop DIR"; stop "$2" ;;
*) die "usage: $0 start|stop DIR" ;;
esac
