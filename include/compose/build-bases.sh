#!/bin/bash
# Air-gapped base images, built from the Debian mirror apt already uses (no registry):
#   feedwarehouse-airgap/python:3.11   python3.11 + pip at the paths of python:3.11-slim
#   feedwarehouse-airgap/postgres:15   Debian's postgresql-15 with the postgres image's env contract
#   feedwarehouse-airgap/redis:7       Debian's redis-server
# Each is `mmdebstrap --variant=minbase bookworm` piped into `docker import`; an image that
# exists is kept. The host's CA bundle goes into the python image, so pip and uv reach the
# package index through the same TLS-intercepting proxy the host trusts.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
suite=bookworm
apt_opts=(--aptopt='Acquire::Check-Valid-Until "false"' --aptopt='Acquire::Retries "3"')
ca=/etc/ssl/certs/ca-certificates.crt

build() {  # name, packages, hook, docker import --change options...
    local name=$1 packages=$2 hook=$3
    shift 3
    if docker image inspect "$name" > /dev/null 2>&1; then
        echo "$name: present"
        return
    fi
    echo "$name: mmdebstrap $suite + $packages"
    local tarball
    tarball=$(mktemp --suffix=.tar)
    # a file, not a pipe: a failed mmdebstrap must not leave a half image behind
    mmdebstrap --quiet --variant=minbase --include="$packages" "${apt_opts[@]}" \
        --customize-hook="$hook" \
        --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
        "$suite" "$tarball" && docker import "$@" "$tarball" "$name" > /dev/null
    local status=$?
    rm -f "$tarball"
    return $status
}

python_hook='for f in python3.11 python3 python pip pip3; do
  t=/usr/bin/$f; [ -e "$1$t" ] || t=/usr/bin/python3.11; ln -sf "$t" "$1/usr/local/bin/$f"; done'
[ -s "$ca" ] && python_hook="$python_hook; cp $ca \"\$1/usr/local/share/host-ca-bundle.crt\""
build feedwarehouse-airgap/python:3.11 \
    python3.11,python3-pip,python3-venv,ca-certificates,passwd "$python_hook" \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PIP_BREAK_SYSTEM_PACKAGES=1' \
    --change 'ENV SSL_CERT_FILE=/usr/local/share/host-ca-bundle.crt' \
    --change 'ENV PIP_CERT=/usr/local/share/host-ca-bundle.crt' \
    --change 'CMD ["python3"]' &

build feedwarehouse-airgap/postgres:15 postgresql-15,util-linux \
    "cp $here/postgres-entrypoint.sh \"\$1/usr/local/bin/docker-entrypoint.sh\"" \
    --change 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENTRYPOINT ["bash", "/usr/local/bin/docker-entrypoint.sh"]' &

build feedwarehouse-airgap/redis:7 redis-server,redis-tools true \
    --change 'CMD ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", "--save", ""]' &

status=0
for job in $(jobs -p); do wait "$job" || status=1; done
exit $status
