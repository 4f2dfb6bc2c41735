#!/usr/bin/env bash
# Service mongo-keys (one-shot, runs before the MongoDB members): creates, once, in the mongo-keys
# volume
#   keyfile        the secret the three members authenticate each other with (--keyFile);
#   root-password  the password of MongoDB's `root` user (created on mongo1's first start).
# Existing files are never replaced: the members' data and users depend on them.
# Read the root password with: docker compose exec mongo1 cat /keys/root-password
set -euo pipefail
dir=${KEYS_DIR:-/keys}
umask 077

if [ ! -s "$dir/keyfile" ]; then
    # 512 random bytes as base64 (684 characters; mongod accepts 6 to 1024 base64 characters).
    head -c 512 /dev/urandom | base64 -w 0 > "$dir/keyfile.new"
    mv "$dir/keyfile.new" "$dir/keyfile"
    echo "mongo-keys: created $dir/keyfile"
fi
if [ ! -s "$dir/root-password" ]; then
    # Hex: nothing to escape in a URI or a YAML file.
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/root-password.new"
    mv "$dir/root-password.new" "$dir/root-password"
    echo "mongo-keys: created $dir/root-password"
fi

# mongod refuses a keyfile that others can read; 999 is the mongodb user of the official image.
chmod 0400 "$dir/keyfile" "$dir/root-password"
if [ "$(id -u)" = 0 ]; then
    chown 999:999 "$dir/keyfile" "$dir/root-password"
fi
echo "mongo-keys: ready"
