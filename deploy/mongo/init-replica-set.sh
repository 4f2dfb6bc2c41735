#!/usr/bin/env bash
# Service mongo-init (one-shot, after the three members are healthy, before the bots start):
# initiates replica set rs0 and creates the bot's database user from MONGODB_URI. Every step checks
# first, so it runs at every `docker compose up` without harm; changing the password in MONGODB_URI
# and running `docker compose up -d` again changes the user's password.
set -euo pipefail
MONGO_ROOT_PASSWORD=$(cat "${MONGO_ROOT_PASSWORD_FILE:-/keys/root-password}")
export MONGO_ROOT_PASSWORD
# mongo1 reports healthy already while its first-start initialisation runs on 127.0.0.1 only:
# wait until it answers on the network.
for attempt in $(seq 1 60); do
    if mongosh --quiet --norc "mongodb://mongo1:27017/?directConnection=true" \
        --eval "db.adminCommand('ping').ok" > /dev/null 2>&1; then
        break
    fi
    if [ "$attempt" = 60 ]; then
        echo "mongo-init: mongo1 does not answer on the network" >&2
        exit 1
    fi
    sleep 2
done
# Directly to mongo1: before rs.initiate there is no replica set to connect to. The script
# authenticates itself (the password is not put on the command line).
exec mongosh --quiet --norc "mongodb://mongo1:27017/admin?directConnection=true" \
    --file "$(dirname "$0")/init-replica-set.js"
