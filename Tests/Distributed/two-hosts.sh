#!/usr/bin/env bash
# A two-host data-parallel run simulated on one machine: two network namespaces (nnkit-a 10.77.0.1, nnkit-b
# 10.77.0.2) joined by a veth pair, mpirun in the first with one rank per "host", the remote daemon started in the
# second by a launcher that stands in for ssh (`ip netns exec`), and MPI's traffic on TCP over the veth only. The
# weights must equal those of a 2-rank run on one host bit for bit (with two ranks the sum has one order).
#   bash Tests/Distributed/two-hosts.sh [NNRUN]      (needs root, iproute2 and Open MPI; default NNRUN: the MPI build)
set -euo pipefail
cd "$(dirname "$0")/../.."
nnrun=$(realpath "${1:-$( [ -x .build-mpi/release/nnrun ] && echo .build-mpi/release/nnrun || echo .build-mpi/debug/nnrun )}")
work=$(mktemp -d)
cleanup() { ip netns del nnkit-a 2>/dev/null || true; ip netns del nnkit-b 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
cleanup; work=$(mktemp -d)

if ! ip netns add nnkit-a 2> "$work/netns.err"; then
  echo "two hosts: skipped, network namespaces cannot be made here: $(cat "$work/netns.err")"
  exit 0
fi
ip netns add nnkit-b
ip link add nnkit-va type veth peer name nnkit-vb
ip link set nnkit-va netns nnkit-a
ip link set nnkit-vb netns nnkit-b
ip -n nnkit-a addr add 10.77.0.1/24 dev nnkit-va
ip -n nnkit-b addr add 10.77.0.2/24 dev nnkit-vb
for ns in nnkit-a nnkit-b; do ip -n $ns link set lo up; done
ip -n nnkit-a link set nnkit-va up
ip -n nnkit-b link set nnkit-vb up

# The "ssh" to 10.77.0.2: run the daemon's command line in the other namespace.
cat > "$work/netns-rsh" <<'AGENT'
#!/bin/sh
host=$1; shift
case "$host" in 10.77.0.2) ns=nnkit-b ;; *) ns=nnkit-a ;; esac
exec ip netns exec "$ns" /bin/sh -c "$*"
AGENT
chmod +x "$work/netns-rsh"

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
train=("$nnrun" train Models/spiral-mlp.yaml --threads 1 --batch-size 30 --epochs 50 --quiet)
ip netns exec nnkit-a mpirun -np 2 --host 10.77.0.1:1,10.77.0.2:1 --mca plm_rsh_agent "$work/netns-rsh" \
  --mca btl tcp,self --mca btl_tcp_if_include 10.77.0.0/24 --mca oob_tcp_if_include 10.77.0.0/24 \
  -x PATH "${train[@]}" --out "$work/two-hosts.safetensors" 2>&1 | sed 's/^/two hosts: /'
echo "veth traffic (host a): $(ip -n nnkit-a -s link show nnkit-va | awk '/RX:/{getline; rx=$1} /TX:/{getline; tx=$1} END{print rx " bytes received, " tx " bytes sent"}')"
mpirun -np 2 --oversubscribe "${train[@]}" --out "$work/one-host.safetensors" | sed 's/^/one host:  /'
python3 - "$work/two-hosts.safetensors" "$work/one-host.safetensors" <<'PY'
import sys
from safetensors.numpy import load_file
a, b = load_file(sys.argv[1]), load_file(sys.argv[2])
names = [k for k in a if not k.startswith("optimizer.")]
same = all((a[k] == b[k]).all() for k in names)
print(f"{len(names)} tensors; two hosts and one host are {'bit-identical' if same else 'DIFFERENT'}")
sys.exit(0 if same else 1)
PY
