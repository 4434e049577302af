#!/usr/bin/env bash
# One-command set-up: system tools the tests use, pnpm, dependencies, then every package and cluster tree.
# `--check` only checks the tools and says how to get a missing one.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=10.34.8
NODE_MIN=20.19
APT_PACKAGES=(age etcd-server openssl)
KUBECTL_HINT="install kubectl ≥ 1.27 from upstream (it embeds kustomize v5; Debian's kubernetes-client 1.20 is too old):
      curl -LO \"https://dl.k8s.io/release/\$(curl -Ls https://dl.k8s.io/release/stable.txt)/bin/linux/amd64/kubectl\"   # arm64: linux/arm64
      sudo install -m 0755 kubectl /usr/local/bin/kubectl
    or the apt repository at https://pkgs.k8s.io (see https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/)"

problems=()

# kubectl with kustomize v5: the tests build every Flux path with `kubectl kustomize`.
check_kubectl() {
  if ! command -v kubectl >/dev/null 2>&1; then
    problems+=("kubectl is missing: $KUBECTL_HINT")
    return
  fi
  local kustomize
  kustomize=$(kubectl version --client -o json 2>/dev/null |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).kustomizeVersion??"")}catch{console.log("")}})')
  case "$kustomize" in
    v5.*) ;;
    "") problems+=("$(command -v kubectl) reports no kustomize version (kubectl version --client -o json): $KUBECTL_HINT") ;;
    *) problems+=("$(command -v kubectl) embeds kustomize $kustomize, the tests need v5: $KUBECTL_HINT") ;;
  esac
}

# A tool that runs with the given arguments, or a problem naming how to get it.
check_tool() {
  local name=$1 hint=$2
  shift 2
  if ! command -v "$name" >/dev/null 2>&1; then
    problems+=("$name is missing: $hint")
  elif ! "$name" "$@" >/dev/null 2>&1; then
    problems+=("$name is on PATH but \`$name $*\` fails: $hint")
  fi
}

check_node() {
  if ! node -e "const [a,b]=process.versions.node.split('.').map(Number);const [x,y]='$NODE_MIN'.split('.').map(Number);process.exit(a>x||(a===x&&b>=y)?0:1)" 2>/dev/null; then
    problems+=("Node ≥ $NODE_MIN is needed (found $(node --version 2>/dev/null || echo none)): install it from https://nodejs.org or with nvm/fnm")
  fi
}

check_tools() {
  problems=()
  check_node
  check_kubectl
  check_tool etcd "sudo apt-get install etcd-server (Debian/Ubuntu), or a release from https://github.com/etcd-io/etcd/releases" --version
  check_tool age "sudo apt-get install age, or a release from https://github.com/FiloSottile/age/releases" --version
  check_tool age-keygen "it ships with age: sudo apt-get install age" --version
  check_tool openssl "sudo apt-get install openssl" version
  if [ "${#problems[@]}" -gt 0 ]; then
    echo "setup: the tests need tools that are missing or too old:" >&2
    for problem in "${problems[@]}"; do echo "  - $problem" >&2; done
    return 1
  fi
}

if [ "${1:-}" = --check ]; then
  check_tools
  echo "setup: kubectl (kustomize v5), etcd, age, openssl and node are all there"
  exit 0
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "setup: installing ${missing[*]} with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Checked whether apt ran or not: the tools may come from elsewhere, and kubectl never comes from apt here.
check_tools

if [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm $PNPM_VERSION with npm (corepack cannot be used here)"
  npm install -g --silent "pnpm@$PNPM_VERSION"
fi

pnpm install --frozen-lockfile
pnpm turbo build
