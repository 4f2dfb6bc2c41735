#!/usr/bin/env bash
# Restore drill: restores a dump into a throwaway mongod inside this one container and counts the
# documents of each collection. The replica set is not touched.
#   docker compose run --rm --no-deps backup bash /scripts/restore-drill.sh                 (newest dump)
#   docker compose run --rm --no-deps backup bash /scripts/restore-drill.sh /backups/feedback-bot-<time>.archive.gz
# A real restore uses the same mongorestore command against the replica set (docs/production.md).
set -euo pipefail
dir=${BACKUP_DIR:-/backups}
database=${MONGODB_DATABASE:-feedback_bot}
archive=${1:-}
if [ -z "$archive" ]; then
    archive=$(find "$dir" -maxdepth 1 -name 'feedback-bot-*.archive.gz' | sort | tail -n 1)
fi
if [ -z "$archive" ] || [ ! -s "$archive" ]; then
    echo "restore-drill: no dump found in $dir" >&2
    exit 1
fi

scratch=$(mktemp -d)
trap 'mongod --dbpath "$scratch" --shutdown > /dev/null 2>&1 || true; rm -rf "$scratch"' EXIT
mongod --dbpath "$scratch" --port 27099 --bind_ip 127.0.0.1 --wiredTigerCacheSizeGB 0.25 \
    --fork --logpath "$scratch/mongod.log" > /dev/null

echo "restore-drill: restoring $archive"
mongorestore --port 27099 --gzip --archive="$archive" --oplogReplay --drop --quiet
# shellcheck disable=SC2016  # JavaScript template literals, not shell expansions
DRILL_DATABASE=$database mongosh --quiet --norc --port 27099 --eval '
  const name = process.env.DRILL_DATABASE;
  const restored = db.getSiblingDB(name);
  const counts = restored.getCollectionNames().sort().map((c) => [c, restored.getCollection(c).estimatedDocumentCount()]);
  counts.forEach(([c, n]) => print(`  ${c}: ${n}`));
  if (counts.length === 0) { print(`restore-drill: database ${name} is empty or missing`); quit(1); }
  print(`restore-drill: OK, ${counts.length} collections restored in ${name}`);
'
