#!/usr/bin/env bash
# Service backup: a consistent dump of the whole replica set (every database, users included, plus
# the oplog written while dumping: `mongodump --oplog`) into /backups, one gzip archive per night,
# kept RETENTION_DAYS days.
#   backup.sh        dump now unless a dump younger than 20 h exists, then every day at BACKUP_AT (UTC)
#   backup.sh once   one dump and the pruning, then exit:  docker compose exec backup bash /scripts/backup.sh once
# Restore: see restore-drill.sh and docs/production.md.
set -euo pipefail
dir=${BACKUP_DIR:-/backups}
at=${BACKUP_AT:-02:30}
keep_days=${RETENTION_DAYS:-14}
hosts=${MONGO_HOSTS:-mongo1:27017,mongo2:27017,mongo3:27017}
password_file=${MONGO_ROOT_PASSWORD_FILE:-/keys/root-password}

log() { echo "backup: $(date -u +%Y-%m-%dT%H:%M:%SZ) $*"; }

prune() {
    # -mtime +N matches files at least N+1 whole days old: keep_days - 1 keeps keep_days nightly dumps.
    find "$dir" -maxdepth 1 -name 'feedback-bot-*.archive.gz' -mtime +"$((keep_days - 1))" -print -delete |
        sed 's/^/backup: removed /'
    find "$dir" -maxdepth 1 -name 'feedback-bot-*.partial' -mtime +0 -delete
}

dump() {
    local name config status=0
    name="$dir/feedback-bot-$(date -u +%Y%m%dT%H%M%SZ).archive.gz"
    # The connection string holds the root password: it goes into a config file (mode 600), not onto
    # the command line. Read from a secondary where one is available, to spare the primary.
    config=$(mktemp)
    chmod 600 "$config"
    printf 'uri: "mongodb://root:%s@%s/?replicaSet=rs0&authSource=admin&readPreference=secondaryPreferred"\n' \
        "$(cat "$password_file")" "$hosts" > "$config"
    # --oplog: the oplog written while dumping is included, so the dump is one point in time
    # (mongorestore --oplogReplay).
    mongodump --config="$config" --oplog --gzip --archive="$name.partial" --quiet || status=$?
    rm -f "$config"
    if [ "$status" -ne 0 ]; then
        rm -f "$name.partial"
        log "FAILED (mongodump exit status $status)"
        return 1
    fi
    mv "$name.partial" "$name"
    log "written $name ($(du -h "$name" | cut -f1))"
    prune
}

seconds_until_next() {
    local now next
    now=$(date -u +%s)
    next=$(date -u -d "today $at" +%s)
    if [ "$next" -le "$now" ]; then
        next=$(date -u -d "tomorrow $at" +%s)
    fi
    echo $((next - now))
}

case ${1:-loop} in
    once)
        dump
        ;;
    loop)
        # PID 1 in the container: leave promptly on `docker compose stop`.
        trap 'log "stopping"; exit 0' TERM INT
        mkdir -p "$dir"
        if ! find "$dir" -maxdepth 1 -name 'feedback-bot-*.archive.gz' -mmin -1200 | grep -q .; then
            dump || true
        fi
        while true; do
            wait_for=$(seconds_until_next)
            log "next dump in ${wait_for}s (daily at $at UTC, keeping $keep_days days)"
            sleep "$wait_for" &
            wait $!
            # One retry an hour later; the service's healthcheck turns unhealthy if dumps keep failing.
            dump || { sleep 3600 & wait $!; dump || true; }
        done
        ;;
    *)
        echo "usage: backup.sh [loop|once]" >&2
        exit 2
        ;;
esac
