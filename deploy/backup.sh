#!/usr/bin/env bash
# Back up the Village Academy database: one `pg_dump -Fc` file per run, keeping the newest
# BACKUP_KEEP files. Restoring, and testing a restore: docs/deploy.md, "Backups".
#
#   DATABASE_URL         the bot's setting (postgresql+asyncpg://… is accepted as it is)
#   BACKUP_DATABASE_URL  used instead of DATABASE_URL when set (a libpq URL)
#   BACKUP_DIR           where the dumps go (default /var/backups/village-academy)
#   BACKUP_KEEP          how many dumps to keep (default 14)
set -euo pipefail

url="${BACKUP_DATABASE_URL:-${DATABASE_URL:-}}"
dir="${BACKUP_DIR:-/var/backups/village-academy}"
keep="${BACKUP_KEEP:-14}"

fail() {
  echo "backup.sh: $*" >&2
  exit 2
}

[ -n "$url" ] || fail "DATABASE_URL is not set (systemd reads it from /etc/village-academy/env)"
case "$url" in
  postgresql:* | postgresql+*:* | postgres:*) ;;
  *) fail "DATABASE_URL is not PostgreSQL; for SQLite see docs/deploy.md, \"Backups\"" ;;
esac
[[ "$keep" =~ ^[1-9][0-9]*$ ]] || fail "BACKUP_KEEP must be a whole number above 0, not '$keep'"

# pg_dump takes a libpq URL: drop SQLAlchemy's driver name (postgresql+asyncpg:// -> postgresql://).
url="${url/+asyncpg:/:}"

umask 077
mkdir -p "$dir"
file="$dir/academy-$(date -u +%Y%m%dT%H%M%SZ).dump"
partial="$file.partial"
trap 'rm -f "$partial"' EXIT

pg_dump --format=custom --dbname="$url" --file="$partial"
# A dump that pg_restore cannot read is not a backup.
pg_restore --list "$partial" >/dev/null
mv "$partial" "$file"

# The names sort by time, oldest first: remove all but the newest $keep.
shopt -s nullglob
dumps=("$dir"/academy-*.dump)
if ((${#dumps[@]} > keep)); then
  rm -f -- "${dumps[@]:0:${#dumps[@]}-keep}"
fi
echo "backup.sh: wrote $file ($(du -h "$file" | cut -f1)); keeping the newest $keep in $dir"
