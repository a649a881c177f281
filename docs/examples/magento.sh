#!/bin/sh
# Builds the Magento tree of README.md's audit and fix examples (run as root; real owners need it)
# and prints what permcheck says of it, so the README shows real output of this version:
#   sh docs/examples/magento.sh [/srv/shop]
set -eu
root=${1:-/srv/shop}
here=$(cd "$(dirname "$0")/../.." && pwd)
# The host's www-data, and a deploy user in its group (made here if missing, removed at the end).
if ! getent passwd deploy >/dev/null; then
  useradd --create-home --groups www-data deploy
  trap 'userdel -r deploy 2>/dev/null' EXIT
fi

rm -rf "$root" && mkdir -p "$root" && cd "$root"
mkdir -p app/etc bin vendor/magento/framework generated/code var/cache var/log pub/static/frontend pub/media/catalog
# env.php as Magento writes it: the crypt key and the database password.
printf '%s\n' '<?php' "return ['crypt' => ['key' => 'a1b2c3d4e5f60718293a4b5c6d7e8f90'], 'db' => ['connection' => ['default' => ['password' => 'shop-db-pass']]]];" >app/etc/env.php
for f in app/etc/config.php app/etc/di.xml app/bootstrap.php bin/magento vendor/autoload.php \
  vendor/magento/framework/App.php vendor/magento/framework/Url.php pub/index.php; do echo '<?php' >"$f"; done
touch generated/code/Interceptor.php var/log/system.log pub/static/frontend/styles.css pub/media/catalog/shoe.jpg var/cache/mage--a
echo 002 >magento_umask
# Magento's recommended layout: code deploy:www-data 2750/0640, what Magento writes 2770/0660.
chown -R deploy:www-data . && find . -type d -exec chmod 2750 {} + && find . -type f -exec chmod 0640 {} +
chmod 0750 bin/magento
chmod 2770 generated generated/code var var/cache var/log pub/static pub/static/frontend pub/media pub/media/catalog
chmod 0660 generated/code/Interceptor.php var/log/system.log pub/static/frontend/styles.css pub/media/catalog/shoe.jpg
# The faults: a cache file PHP-FPM wrote under umask 022 before magento_umask existed, a media
# directory someone closed, a readable env.php, a group-writable vendor file.
chown www-data:www-data var/cache/mage--a && chmod 0644 var/cache/mage--a
chmod 2700 pub/media
chmod 0644 app/etc/env.php
chmod 0664 vendor/magento/framework/Url.php

cd "$here"
echo "\$ sudo permcheck audit $root --trust deploy"
node bin/permcheck.js audit "$root" --trust deploy || true
echo
echo "\$ sudo permcheck fix $root --trust deploy --dry-run"
node bin/permcheck.js fix "$root" --trust deploy --dry-run
echo
echo "\$ sudo permcheck audit $root --trust deploy --format json"
node bin/permcheck.js audit "$root" --trust deploy --format json || true
echo
echo "\$ echo 022 > $root/magento_umask && sudo permcheck audit $root --trust deploy --format json --only var/cache/mage--a --only 'var/**'"
echo 022 >"$root/magento_umask"
node bin/permcheck.js audit "$root" --trust deploy --format json --only 'var/**' || true
echo 002 >"$root/magento_umask"
