#!/bin/sh
# Installs hostwatch as a systemd service: binary, unit, default config and watch lists,
# system user, logrotate snippet. See deploy/README.md.
#
# usage: deploy/install.sh [--no-build] [--binary PATH] [--no-check]
#
#   --no-build      do not run `swift build`; install .build/release/hostwatch as it is
#   --binary PATH   install PATH as the binary (implies --no-build)
#   --no-check      do not run `hostwatch check-config` on the installed config
#
# Environment:
#   PREFIX   where the binary goes: $PREFIX/bin/hostwatch (default /usr/local); the
#            unit's ExecStart is rewritten to match
#   DESTDIR  stage everything below this directory instead of / (for packaging and tests);
#            then neither systemd-sysusers nor the config check runs, since both concern
#            the target system
#
# Files the administrator edits (/etc/hostwatch/hostwatch.toml and the lists under
# /etc/hostwatch/rules/) are installed only if missing, never overwritten. The others
# belong to hostwatch and are replaced, so that a reinstall upgrades them; change the unit
# with a drop-in (`systemctl edit hostwatch`), not in place.
set -eu

say() { printf '%s\n' "$*"; }
die() {
    printf 'install.sh: %s\n' "$*" >&2
    exit 1
}
usage() { sed -n '5,9s/^# \{0,1\}//p' "$0"; }
usage_error() {
    usage >&2
    printf 'install.sh: %s\n' "$*" >&2
    exit 2
}

deploy=$(cd "$(dirname "$0")" && pwd)
repository=$(dirname "$deploy")
PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}

build=yes
binary=
check=yes
while [ $# -gt 0 ]; do
    case $1 in
        --no-build) build=no ;;
        --binary)
            [ $# -ge 2 ] || usage_error "--binary needs a path"
            binary=$2
            build=no
            shift
            ;;
        --binary=*)
            binary=${1#--binary=}
            build=no
            ;;
        --no-check) check=no ;;
        -h | --help)
            usage
            exit 0
            ;;
        *) usage_error "unknown argument: $1" ;;
    esac
    shift
done

case $PREFIX in
    /*) ;;
    *) usage_error "PREFIX must be an absolute path, not '$PREFIX'" ;;
esac

if [ "$build" = yes ]; then
    say "building: swift build -c release --product hostwatch"
    (cd "$repository" && swift build -c release --product hostwatch)
    binary="$(cd "$repository" && swift build -c release --show-bin-path)/hostwatch"
fi
[ -n "$binary" ] || binary="$repository/.build/release/hostwatch"
[ -f "$binary" ] && [ -x "$binary" ] || die "no executable at $binary (build it, or pass --binary PATH)"

umask 022
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# put SOURCE TARGET MODE: install SOURCE as $DESTDIR/TARGET, replacing what is there.
put() {
    install -D -m "$3" "$1" "$DESTDIR$2"
    say "installed $2"
}

# put_once SOURCE TARGET MODE: like put, but an existing TARGET (the administrator's) wins.
put_once() {
    if [ -e "$DESTDIR$2" ] || [ -L "$DESTDIR$2" ]; then
        say "kept      $2 (exists; compare with $1)"
    else
        put "$@"
    fi
}

bin="$PREFIX/bin/hostwatch"
put "$binary" "$bin" 0755

sed "s|/usr/local/bin/hostwatch|$bin|g" "$deploy/hostwatch.service" >"$work/hostwatch.service"
put "$work/hostwatch.service" /etc/systemd/system/hostwatch.service 0644

put_once "$deploy/hostwatch.toml" /etc/hostwatch/hostwatch.toml 0644
put_once "$repository/rules/watched.txt" /etc/hostwatch/rules/watched.txt 0644
put_once "$repository/rules/allow.txt" /etc/hostwatch/rules/allow.txt 0644
# User format definitions (parsers_dir = "parsers" in the config): edited copies are kept.
for definition in "$repository"/parsers/*.toml "$repository"/parsers/template.toml.example; do
    [ -e "$definition" ] || continue
    put_once "$definition" "/etc/hostwatch/parsers/$(basename "$definition")" 0644
done

put "$deploy/sysusers.d/hostwatch.conf" /etc/sysusers.d/hostwatch.conf 0644
if [ -n "$DESTDIR" ]; then
    say "skipped   systemd-sysusers (DESTDIR is set; the target creates the user at boot)"
elif command -v systemd-sysusers >/dev/null 2>&1; then
    systemd-sysusers /etc/sysusers.d/hostwatch.conf
    say "ran       systemd-sysusers: system user and group hostwatch"
else
    say "warning:  systemd-sysusers not found; create the user yourself:"
    say "          adduser --system --group --home /var/lib/hostwatch --no-create-home hostwatch"
fi

put "$deploy/logrotate/hostwatch" /etc/logrotate.d/hostwatch 0644
# The validator for Squid block files ([[blocklist]] validate = [".../squid-check-acl", "{}"]).
put "$deploy/squid-check-acl" "$PREFIX/lib/hostwatch/squid-check-acl" 0755

if [ "$check" = no ]; then
    say "skipped   hostwatch check-config (--no-check)"
elif [ -n "$DESTDIR" ]; then
    say "skipped   hostwatch check-config (DESTDIR is set; the config names paths on the target)"
else
    say "checking: $bin check-config /etc/hostwatch/hostwatch.toml"
    "$bin" check-config /etc/hostwatch/hostwatch.toml ||
        die "the config has errors: fix /etc/hostwatch/hostwatch.toml, then check it again"
fi

say ""
say "next steps:"
say "  1. point the [[source]] sections of /etc/hostwatch/hostwatch.toml at your logs and"
say "     fill /etc/hostwatch/rules/watched.txt"
say "  2. systemctl daemon-reload && systemctl enable --now hostwatch"
say "  3. systemctl status hostwatch; journalctl -u hostwatch -f"
