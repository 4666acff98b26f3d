#!/usr/bin/env bash
# One-shot check on a lent GPU machine (the `device` tool; see README "Measuring on a GPU").
# Expects, carried from the developer machine: .gl/*.deb (Vulkan loader), .device/deno.xz,
# .device/mnist.tar.xz, .device/node_modules.tar.xz. Writes logs and results under $OUT.
# Usage there: bash bench/device_check.sh [quick-profile-timeout-seconds]
set -uo pipefail
out=${OUT:-/tmp/out}
mkdir -p "$out"
quick_timeout=${1:-240}
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
if [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
mkdir -p /tmp/deno-bin /tmp/mnist node_modules
xz -dc .device/deno.xz >/tmp/deno-bin/deno && chmod +x /tmp/deno-bin/deno
export PATH=/tmp/deno-bin:$PATH
tar -C /tmp/mnist -xJf .device/mnist.tar.xz
tar -C node_modules -xJf .device/node_modules.tar.xz
export DENO_NO_UPDATE_CHECK=1
{
  deno --version
  nvidia-smi --query-gpu=name,driver_version --format=csv 2>&1 | tail -n 1
  deno eval 'import { acquireGpu } from "./src/gpu/mod.ts"; const g = await acquireGpu(); console.log(JSON.stringify(g.provenance));'
} >"$out/adapter.txt" 2>&1
cat "$out/adapter.txt"
timeout 200 deno test -A --no-check tests/nn/ >"$out/kernel-tests.txt" 2>&1
tail -n 3 "$out/kernel-tests.txt"
timeout 200 deno bench -A --no-check bench/kernels_bench.ts bench/train_bench.ts >"$out/bench.txt" 2>&1
cat "$out/bench.txt" | tail -n 30
# weak-lth first: supermask's quick profile then reads its dense network from the trained cache.
for experiment in weak-lth supermask strong-lth; do
  timeout "$quick_timeout" deno run -A --no-check src/cli.ts reproduce "$experiment" --profile quick \
    --data-dir /tmp/mnist --out "$out/results" >"$out/quick-$experiment.txt" 2>&1
  echo "$experiment quick exit: $?"
  tail -n 8 "$out/quick-$experiment.txt"
done
# Checkpoints stay behind: only the reports, summaries and CSVs come back.
tar -C "$out" -czf "$out/results.tgz" --exclude='*.safetensors' results 2>/dev/null &&
  rm -rf "$out/results"
# The paper profile for a bounded time: its progress lines give the cost of a round on this GPU.
timeout 90 deno run -A --no-check src/cli.ts reproduce weak-lth --profile paper --trials 1 \
  --data-dir /tmp/mnist --out /tmp/paper-probe >"$out/paper-probe.txt" 2>&1
tail -n 4 "$out/paper-probe.txt"
