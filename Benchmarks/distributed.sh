#!/usr/bin/env bash
# Data-parallel training throughput: for the Fashion-MNIST MLP and LeNet, NNKit on 1 process × 2 threads, NNKit on
# 2 MPI ranks × 1 thread, and PyTorch DDP (Gloo, 2 processes × 1 thread, Benchmarks/ddp.py) in the same run.
#   bash Benchmarks/distributed.sh [MLP_EPOCHS] [LENET_EPOCHS]      (default 3 and 2)
# Needs the release MPI build (swift build -c release --traits MPI --scratch-path .build-mpi), mpirun, Debian's
# python3-torch and dataset-fashion-mnist. A missing peer is reported as such. samples/s are the mean of the timed
# epochs (NNKit: every epoch after the first; PyTorch: after one warm-up epoch); allreduce is the share of the
# training time rank 0 spent in MPI_Allreduce.
set -euo pipefail
cd "$(dirname "$0")/.."
nnrun=.build-mpi/release/nnrun
data=/usr/share/datasets/fashion-mnist
[ -x "$nnrun" ] || { echo "missing $nnrun: swift build -c release --traits MPI --scratch-path .build-mpi" >&2; exit 1; }
root=(); [ "$(id -u)" = 0 ] && root=(--allow-run-as-root)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

mean() {  # mean FILE FIELD: the field's mean over the JSONL lines after the first
  python3 -c "import json,sys; r=[json.loads(l) for l in open(sys.argv[1])][1:]; print(sum(x.get(sys.argv[2]) or 0 for x in r)/len(r))" "$1" "$2"
}

printf '| model | NNKit 1 process × 2 threads | NNKit 2 ranks × 1 thread | allreduce share | PyTorch DDP 2 × 1 (Gloo) | 2 ranks / 1 process | 2 ranks / DDP |\n|---|---|---|---|---|---|---|\n'
for spec in "fashion-mlp:${1:-3}:128" "lenet:${2:-2}:64"; do
  IFS=: read -r model epochs batch <<< "$spec"
  total=$((epochs + 1))
  "$nnrun" train "Models/$model.yaml" --epochs "$total" --threads 2 --quiet --metrics "$work/one.jsonl" > /dev/null
  mpirun -np 2 --oversubscribe --bind-to core "${root[@]}" "$nnrun" train "Models/$model.yaml" --epochs "$total" --threads 1 --quiet \
    --metrics "$work/two.jsonl" > /dev/null
  one=$(mean "$work/one.jsonl" samples_per_second)
  two=$(mean "$work/two.jsonl" samples_per_second)
  share=$(python3 -c "import json; r=[json.loads(l) for l in open('$work/two.jsonl')][1:]; print(sum(x['allreduce_seconds'] for x in r)/sum(x['seconds'] for x in r))")
  if torch=$(/usr/bin/python3 Benchmarks/ddp.py "$model" "$epochs" "$batch" "$data" 2> "$work/ddp.err" | tail -1) && [ -n "$torch" ]; then
    ddp=$(python3 -c "import json; print(json.loads('$torch')['samples_per_second'])")
    versus=$(python3 -c "print(f'{$two/$ddp:.2f}×')"); ddp_text=$(printf '%.0f' "$ddp")
  else
    ddp_text="missing ($(tail -1 "$work/ddp.err"))"; versus="-"
  fi
  python3 -c "print(f'| $model | {$one:.0f} | {$two:.0f} | {$share*100:.1f} % | $ddp_text | {$two/$one:.2f}× | $versus |')"
done
