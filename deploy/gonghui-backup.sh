#!/bin/sh
# Nightly backup (run by gonghui-backup.service as the gonghui user, with /etc/gonghui/gonghui.env):
#   1. the database, with `gonghui backup` (pg_dump custom format; never the keys);
#   2. the uploaded files under $GONGHUI_DATA_DIR/media (hardship files' authorization scans…);
#   3. `gonghui restore-check` on the new backup: restored into a scratch database and checked
#      (row counts, every sealed value opens with the keys at hand); its report is kept beside it;
#   4. backups older than $GONGHUI_BACKUP_KEEP_DAYS days removed.
# Any failure exits non-zero, so the unit fails and OnFailure= can alert someone.
set -eu

DIR=${GONGHUI_BACKUP_DIR:-/var/backups/gonghui}
KEEP_DAYS=${GONGHUI_BACKUP_KEEP_DAYS:-14}
GONGHUI=${GONGHUI_BIN:-/opt/gonghui/.venv/bin/gonghui}
DATA_DIR=${GONGHUI_DATA_DIR:-/var/lib/gonghui}

umask 077
mkdir -p "$DIR"
stamp=$(date +%Y%m%d-%H%M%S)
base="$DIR/gonghui-$stamp"

"$GONGHUI" backup "$base.backup" >/dev/null
if [ -d "$DATA_DIR/media" ]; then
    tar -C "$DATA_DIR" -czf "$base-media.tar.gz" media
fi
# The last line of restore-check's output is its JSON report; exit 1 when a check fails.
"$GONGHUI" restore-check "$base.backup" >"$base.check.txt"
tail -n 1 "$base.check.txt" >"$base.check.json"
rm -f "$base.check.txt"

find "$DIR" -maxdepth 1 -name 'gonghui-*' -type f -mtime +"$KEEP_DAYS" -delete
echo "backup $base.backup checked"
