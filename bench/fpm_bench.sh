#!/bin/sh
# The PHP-FPM benchmark row (issue 11, see fpm_bench.py): web requests through
# Debian's php-fpm over HTTPS with 10 ms RTT added by delay_proxy.py, the
# library (persistent pools) against the seeds' PHP, and the 1-RTT limit.
# Prints the table row and the ratio. Takes about half a minute.
#
# Needs php-cli, php-fpm, php-curl and python3 (Debian packages).
# Exit status: 0 when measured (the >= 3x target is reported, not enforced),
# 1 when a measurement failed, 2 when a tool is missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"

missing=""
command -v php >/dev/null 2>&1 || missing="$missing php-cli"
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
ls /usr/sbin/php-fpm* >/dev/null 2>&1 || command -v php-fpm >/dev/null 2>&1 || missing="$missing php-fpm"
if command -v php >/dev/null 2>&1; then
    php -r 'exit(function_exists("curl_init") ? 0 : 1);' || missing="$missing php-curl"
fi
if [ -n "$missing" ]; then
    echo "fpm_bench: missing tools; install the Debian packages:$missing" >&2
    exit 2
fi

cargo build --release
exec python3 "$here/fpm_bench.py"
