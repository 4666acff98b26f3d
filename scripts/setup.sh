# Set-up shared by ./lth and .ci/run (POSIX sh; source it, then call lth_setup). Each step
# checks first and does nothing when its part is already there, so running it again is free:
#   - Deno, the pinned version: the one on PATH if it is that version, else a project-local
#     copy in .tools/deno-<version>/ (git-ignored), installed from the npm package `deno`;
#   - a Vulkan driver: Mesa's lavapipe (apt-get install mesa-vulkan-drivers) when no Vulkan
#     ICD is installed and we are root on Debian/Ubuntu; otherwise the command is printed and
#     runs fall back to GL;
#   - the npm dependencies, with `deno install --frozen`: deno.lock is never rewritten;
#   - Fashion-MNIST on request (lth_ensure_fashion_mnist, called by .ci/run, not by lth_setup):
#     Debian's dataset-fashion-mnist, installed as root with apt-get.
# Messages go to stderr, prefixed "setup:", so they never mix with a command's results.

LTH_DENO_VERSION=2.9.6
LTH_ROOT=${LTH_ROOT:-$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)}
LTH_TOOLS=$LTH_ROOT/.tools/deno-$LTH_DENO_VERSION

lth_say() { printf 'setup: %s\n' "$*" >&2; }

# The npm platform package that carries the binary for this machine.
lth_deno_platform() {
  case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) echo linux-x64-glibc ;;
  Linux-aarch64 | Linux-arm64) echo linux-arm64-glibc ;;
  Darwin-x86_64) echo darwin-x64 ;;
  Darwin-arm64) echo darwin-arm64 ;;
  *) return 1 ;;
  esac
}

lth_deno_is_pinned() { # lth_deno_is_pinned BINARY
  [ -x "$1" ] && "$1" --version 2>/dev/null | head -n 1 | grep -q "^deno $LTH_DENO_VERSION "
}

# Puts the pinned Deno first on PATH; installs it into .tools/ when no such Deno exists.
lth_ensure_deno() {
  if lth_deno_is_pinned "$(command -v deno 2>/dev/null)"; then return 0; fi
  if ! lth_deno_is_pinned "$LTH_TOOLS/bin/deno"; then
    if ! command -v npm >/dev/null 2>&1; then
      lth_say "Deno $LTH_DENO_VERSION is not on PATH and npm is missing to install it; install Node.js and npm (Debian: apt-get install npm) or Deno $LTH_DENO_VERSION, then run this again"
      return 1
    fi
    lth_platform=$(lth_deno_platform) || {
      lth_say "no Deno build for $(uname -s) $(uname -m) in the npm package deno; install Deno $LTH_DENO_VERSION by hand"
      return 1
    }
    lth_say "installing Deno $LTH_DENO_VERSION into $LTH_TOOLS (npm package deno@$LTH_DENO_VERSION)"
    mkdir -p "$LTH_TOOLS/bin" || return 1
    # --prefix keeps npm's package.json and node_modules inside .tools/, away from the work tree.
    # npm's summary goes to stdout (dropped: stdout is for results); its errors to stderr.
    npm install --prefix "$LTH_TOOLS" --no-audit --no-fund --loglevel=error \
      "deno@$LTH_DENO_VERSION" >/dev/null || {
      lth_say "npm install deno@$LTH_DENO_VERSION failed (above); check the network or the npm registry, then run this again"
      return 1
    }
    # The binary ships in the platform package; the `deno` package's postinstall only links it,
    # and npm may skip install scripts, so take the platform package's copy.
    lth_binary=$LTH_TOOLS/node_modules/@deno/$lth_platform/deno
    [ -x "$lth_binary" ] || lth_binary=$LTH_TOOLS/node_modules/deno/deno
    ln -sf "$lth_binary" "$LTH_TOOLS/bin/deno" || return 1
    lth_deno_is_pinned "$LTH_TOOLS/bin/deno" || {
      lth_say "the installed $lth_binary is not Deno $LTH_DENO_VERSION"
      return 1
    }
  fi
  PATH=$LTH_TOOLS/bin:$PATH
  export PATH
}

lth_vulkan_icd_present() {
  [ -n "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ] && return 0
  for dir in /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d; do
    for file in "$dir"/*.json; do [ -e "$file" ] && return 0; done
  done
  return 1
}

# Installs Mesa's Vulkan drivers (lavapipe, the software adapter) when no Vulkan driver exists.
# Never fails the set-up: without Vulkan, --backend auto falls back to GL.
lth_ensure_vulkan() {
  if lth_vulkan_icd_present; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    lth_say "no Vulkan driver found; installing Mesa's (apt-get install mesa-vulkan-drivers)"
    if DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        mesa-vulkan-drivers >&2; then
      return 0
    fi
    lth_say "apt-get install mesa-vulkan-drivers failed; runs use the GL backend (slower)"
    return 0
  fi
  lth_say "no Vulkan driver found; runs use the GL backend (slower). For Vulkan run: sudo apt-get install mesa-vulkan-drivers"
  return 0
}

LTH_FASHION_MNIST_DIR=/usr/share/datasets/fashion-mnist

# Installs Fashion-MNIST (Debian's dataset-fashion-mnist: the four gzipped IDX files in
# $LTH_FASHION_MNIST_DIR, where src/data/fashion_mnist.ts reads them) when it is missing. Not part
# of lth_setup: only experiments on Fashion-MNIST (ticket-scaling) and their tests need it, and
# .ci/run calls it. Fails, saying what to run, when it cannot install.
lth_ensure_fashion_mnist() {
  if [ -e "$LTH_FASHION_MNIST_DIR/train-images-idx3-ubyte.gz" ] ||
    [ -e "$LTH_FASHION_MNIST_DIR/train-images-idx3-ubyte" ]; then
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    lth_say "Fashion-MNIST not found in $LTH_FASHION_MNIST_DIR; installing it (apt-get install dataset-fashion-mnist)"
    if DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        dataset-fashion-mnist >&2; then
      return 0
    fi
    lth_say "apt-get install dataset-fashion-mnist failed (above); check the Debian mirror, or pass --data-dir to an experiment on Fashion-MNIST alone"
    return 1
  fi
  lth_say "Fashion-MNIST not found in $LTH_FASHION_MNIST_DIR; install it with: sudo apt-get install dataset-fashion-mnist"
  return 1
}

# Installs Debian's chromium for the dashboard's browser test (tests/dashboard/browser_test.ts)
# when no Chromium is on PATH and we are root. Not part of lth_setup: `./lth test` and .ci/run
# call it. Never fails: without Chromium that test fails and says how to install or skip it.
lth_ensure_chromium() {
  if [ -n "${LTH_CHROMIUM:-}" ] || command -v chromium >/dev/null 2>&1 ||
    command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1; then
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    lth_say "no Chromium found; installing Debian's (apt-get install chromium) for the dashboard's browser test"
    if DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        chromium >&2; then
      return 0
    fi
    lth_say "apt-get install chromium failed (above); the dashboard's browser test will fail (LTH_ALLOW_NO_BROWSER=1 skips it)"
    return 0
  fi
  lth_say "no Chromium found: the dashboard's browser test will fail; install it (sudo apt-get install chromium) or set LTH_ALLOW_NO_BROWSER=1"
  return 0
}

# npm dependencies into node_modules/, from deno.lock only.
lth_ensure_deps() {
  (cd "$LTH_ROOT" && deno install --frozen --quiet) || {
    lth_say "deno install --frozen failed: deno.lock does not match deno.json or a package could not be fetched; run git checkout deno.json deno.lock (the set-up never rewrites them) and check the network"
    return 1
  }
}

# Mesa's drivers warn on stderr without a runtime directory; give the run a private one.
lth_ensure_runtime_dir() {
  if [ -z "${XDG_RUNTIME_DIR:-}" ] || [ ! -d "$XDG_RUNTIME_DIR" ]; then
    XDG_RUNTIME_DIR=$(mktemp -d "${TMPDIR:-/tmp}/lth-xdg-XXXXXX") || return 1
    chmod 700 "$XDG_RUNTIME_DIR"
    export XDG_RUNTIME_DIR
  fi
}

lth_setup() {
  lth_ensure_deno && lth_ensure_vulkan && lth_ensure_deps && lth_ensure_runtime_dir
}
