# Helpers to run a throwaway PostgreSQL cluster; sourced by scripts/test and scripts/run.
# initdb and postgres refuse to run as root, so as root the cluster runs as the user `sfdcpg`.

pg_bin_dir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

ensure_postgres() {
  if pg_bin_dir >/dev/null; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing PostgreSQL server binaries (apt-get)..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    pg_bin_dir >/dev/null && return 0
  fi
  echo "PostgreSQL server binaries (initdb, pg_ctl) are missing: install PostgreSQL 15 or newer." >&2
  return 1
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_pg DIR: starts a cluster in DIR on a free loopback port; sets PG_URL (superuser) and PG_DIR.
start_pg() {
  local dir=$1 bin port run=()
  bin=$(pg_bin_dir)
  port=$(free_port)
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    id sfdcpg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin sfdcpg
    chown -R sfdcpg "$dir"
    chmod 755 "$dir"
    # The cluster's user must be able to reach DIR through its parent (mktemp makes it 0700).
    chmod o+x "$(dirname "$dir")"
    run=(runuser -u sfdcpg --)
  fi
  "${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 -c shared_buffers=256MB" \
    start >/dev/null || { cat "$dir/postgres.log" >&2; return 1; }
  PG_DIR=$dir
  PG_URL="postgresql://postgres@127.0.0.1:$port/postgres"
  PG_STOP=("${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop)
}

stop_pg() {
  [ -n "${PG_DIR:-}" ] && "${PG_STOP[@]}" >/dev/null 2>&1 || true
}

# ensure_python_tools: a virtualenv under target/ with cfn-lint and moto's server.
ensure_python_tools() {
  local venv=$1
  if [ ! -x "$venv/bin/moto_server" ] || [ ! -x "$venv/bin/cfn-lint" ]; then
    echo "Installing cfn-lint and moto (PyPI) into $venv..." >&2
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check cfn-lint 'moto[server]' >&2
  fi
}
