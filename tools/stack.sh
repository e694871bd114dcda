# stack.sh — the local stack shared by ./serve and ./check (sourced, not run).
#
# Installs what is missing, builds, and starts a throwaway PostgreSQL
# cluster, a Redis and lighttpd with the FastCGI responders, all owned by
# this checkout: nothing touches a system cluster or a system service.  Every
# server started here is recorded in STACK_PIDS and stopped by stack_stop.
#
# Inputs (set by the caller before stack_init):
#   ECOM_VAR        state directory (default <checkout>/var)
#   ECOM_PORT       web port;   ECOM_PG_PORT, ECOM_REDIS_PORT likewise
#   STACK_BUILD     build directory (default <checkout>/build)

STACK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STACK_PIDS=()
STACK_PG_STARTED=

# Debian packages the platform needs to build, run and test.
STACK_PACKAGES="build-essential autoconf automake libtool pkg-config
  libfcgi-dev libfcgi-bin lighttpd postgresql postgresql-contrib libpq-dev
  redis-server libhiredis-dev libjson-c-dev libjwt-dev liburiparser-dev
  libssl-dev libcrypt-dev check libcurl4-openssl-dev librdkafka-dev libmagickwand-6.q16-dev imagemagick curl
  openssl ca-certificates"
STACK_TEST_PACKAGES="chromium nodejs npm wrk clang-14 libclang-rt-14-dev valgrind cppcheck
  apache2 libapache2-mod-fcgid"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# stack_install PACKAGES... — apt-get install whichever are missing.
stack_install() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	# Debian names nodejs's npm differently on some hosts; skip npm if node ships it.
	if command -v npm >/dev/null 2>&1; then
		missing=("${missing[@]/npm/}")
	fi
	if command -v node >/dev/null 2>&1; then
		missing=("${missing[@]/nodejs/}")
	fi
	local want=()
	for p in "${missing[@]}"; do [ -n "$p" ] && want+=("$p"); done
	[ ${#want[@]} -eq 0 ] && return 0
	say "installing ${want[*]}"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${want[@]}" >/dev/null
}

# stack_free_port — print a TCP port on 127.0.0.1 nobody listens on, below
# the kernel's ephemeral range: a port from that range can be taken by any
# outgoing connection between this check and the server's bind (seen with
# ./check beside busy test clients).
stack_free_port() {
	local p low=32768
	read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
	[ "$low" -gt 11000 ] 2>/dev/null || low=32768
	for _ in $(seq 1 200); do
		p=$((10000 + RANDOM % (low - 10000)))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	die "no free port found"
}

stack_init() {
	ECOM_VAR=${ECOM_VAR:-$STACK_ROOT/var}
	STACK_BUILD=${STACK_BUILD:-$STACK_ROOT/build}
	mkdir -p "$ECOM_VAR"/{run,log,media,keys,mail}
	# PostgreSQL runs as 'postgres' when we are root and needs every parent
	# of its data directory to be traversable, so it lives under /var/tmp,
	# named after this state directory and kept between runs.
	local tag
	tag=$(printf '%s' "$ECOM_VAR" | md5sum | cut -c1-10)
	if [ "$(id -u)" = 0 ]; then
		STACK_PGDIR=/var/tmp/ecommerce-$tag
	else
		STACK_PGDIR=$ECOM_VAR/pg
	fi
	export ECOM_VAR ECOM_ROOT=$STACK_ROOT ECOM_CONFIG=$ECOM_VAR/ecommerce.conf
}

# stack_build [configure args] — autoreconf (first time), configure, make.
stack_build() {
	if [ ! -x "$STACK_ROOT/configure" ] || [ "$STACK_ROOT/configure.ac" -nt "$STACK_ROOT/configure" ]; then
		say "autoreconf"
		(cd "$STACK_ROOT" && mkdir -p m4 && autoreconf -fi >/dev/null 2>&1) ||
			(cd "$STACK_ROOT" && autoreconf -fi) || die "autoreconf failed"
	fi
	mkdir -p "$STACK_BUILD"
	if [ ! -f "$STACK_BUILD/Makefile" ]; then
		say "configure ($STACK_BUILD)"
		(cd "$STACK_BUILD" && "$STACK_ROOT/configure" -q "$@") || die "configure failed"
	fi
	say "make"
	make -s -C "$STACK_BUILD" -j"$(nproc)" all >/dev/null || make -C "$STACK_BUILD" all ||
		die "build failed"
	make -s -C "$STACK_BUILD" -j"$(nproc)" check TESTS= >/dev/null ||
		die "building the tests failed"
}

# stack_secrets — JWT key pair and the HMAC secret, generated once per state dir.
stack_secrets() {
	local k=$ECOM_VAR/keys
	if [ ! -s "$k/jwt.pem" ]; then
		openssl genrsa -out "$k/jwt.pem" 2048 2>/dev/null || die "openssl genrsa failed"
		openssl rsa -in "$k/jwt.pem" -pubout -out "$k/jwt.pub" 2>/dev/null
	fi
	[ -s "$k/secret" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$k/secret"
	chmod 600 "$k/jwt.pem" "$k/secret"
}

# stack_config — the key=value file every responder and tool reads.
stack_config() {
	cat >"$ECOM_CONFIG" <<EOF
# Written by tools/stack.sh; edit the caller's environment instead.
ECOM_ENV=${ECOM_ENV:-dev}
ECOM_DB_URL=host=$STACK_PGDIR port=$ECOM_PG_PORT dbname=ecommerce user=postgres
ECOM_REDIS_URL=redis://127.0.0.1:$ECOM_REDIS_PORT/0
ECOM_BASE_URL=http://127.0.0.1:$ECOM_PORT
ECOM_TEMPLATE_DIR=$STACK_ROOT/templates
ECOM_SQL_DIR=$STACK_ROOT/sql
ECOM_MEDIA_ROOT=$ECOM_VAR/media
ECOM_MAIL_DIR=$ECOM_VAR/mail
ECOM_JWT_PUBLIC_KEY=$ECOM_VAR/keys/jwt.pub
ECOM_JWT_PRIVATE_KEY=$ECOM_VAR/keys/jwt.pem
ECOM_SECRET_FILE=$ECOM_VAR/keys/secret
ECOM_STORE_NAME=${ECOM_STORE_NAME:-Northwind Goods}
ECOM_LOG_LEVEL=${ECOM_LOG_LEVEL:-info}
EOF
	# Security settings a caller may pass through (bench/run can switch
	# the read limit off with ECOM_RATE_LIMITS=read=off).  The test stack
	# sits behind no proxy, so it trusts loopback: the security suite then
	# names a fresh client per test with X-Forwarded-For.  The credential
	# classes are raised there because every suite signs in and registers
	# from 127.0.0.1, twice per run (release and sanitizer builds); the
	# read limit stays at its default, which the security suite reaches.
	local proxies=${ECOM_TRUSTED_PROXIES:-} limits=${ECOM_RATE_LIMITS:-} cors=${ECOM_CORS_ORIGINS:-}
	if [ "${ECOM_ENV:-dev}" = test ]; then
		proxies=${proxies:-127.0.0.1,::1}
		limits=${limits:-write=2000/60,login=1000/60,register=1000/600,password=1000/600}
		cors=${cors:-https://app.example.test}
	fi
	[ -n "$proxies" ] && echo "ECOM_TRUSTED_PROXIES=$proxies" >>"$ECOM_CONFIG"
	[ -n "$limits" ] && echo "ECOM_RATE_LIMITS=$limits" >>"$ECOM_CONFIG"
	[ -n "$cors" ] && echo "ECOM_CORS_ORIGINS=$cors" >>"$ECOM_CONFIG"
	# New orders are mailed to every admin unless an address is set; the
	# suites make dozens of admins and hundreds of orders, so the test
	# shop names one (check_notifications tests the admins' default)
	[ "${ECOM_ENV:-dev}" = test ] && echo "ECOM_ORDERS_NOTIFY_EMAIL=orders@example.com" >>"$ECOM_CONFIG"
	return 0
}

stack_postgres() {
	local bin
	bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -n "$bin" ] || die "PostgreSQL server binaries not found (apt-get install postgresql)"
	local run=()
	if [ "$(id -u)" = 0 ]; then run=(runuser -u postgres --); fi
	mkdir -p "$STACK_PGDIR"
	[ "$(id -u)" = 0 ] && chown postgres:postgres "$STACK_PGDIR"
	if [ ! -s "$STACK_PGDIR/data/PG_VERSION" ]; then
		say "initdb $STACK_PGDIR/data"
		"${run[@]}" "$bin/initdb" -D "$STACK_PGDIR/data" -U postgres -A trust \
			-E UTF8 --locale=C.UTF-8 --no-sync >/dev/null || die "initdb failed"
	fi
	if "${run[@]}" "$bin/pg_ctl" -D "$STACK_PGDIR/data" status >/dev/null 2>&1; then
		"${run[@]}" "$bin/pg_ctl" -D "$STACK_PGDIR/data" -m fast stop >/dev/null
	fi
	say "postgres on port $ECOM_PG_PORT"
	"${run[@]}" "$bin/pg_ctl" -D "$STACK_PGDIR/data" -l "$STACK_PGDIR/server.log" -w \
		-o "-k $STACK_PGDIR -p $ECOM_PG_PORT -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
		start >/dev/null || { tail -n 20 "$STACK_PGDIR/server.log" >&2; die "postgres did not start"; }
	STACK_PG_STARTED="${run[*]} $bin/pg_ctl -D $STACK_PGDIR/data -m fast stop"
	psql -h "$STACK_PGDIR" -p "$ECOM_PG_PORT" -U postgres -tAc \
		"SELECT 1 FROM pg_database WHERE datname='ecommerce'" | grep -q 1 ||
		createdb -h "$STACK_PGDIR" -p "$ECOM_PG_PORT" -U postgres ecommerce
}

stack_psql() {
	psql -X -q -v ON_ERROR_STOP=1 -h "$STACK_PGDIR" -p "$ECOM_PG_PORT" -U postgres -d ecommerce "$@"
}

stack_redis() {
	mkdir -p "$ECOM_VAR/redis"
	say "redis on port $ECOM_REDIS_PORT"
	redis-server --bind 127.0.0.1 --port "$ECOM_REDIS_PORT" --save '' --appendonly no \
		--daemonize no --dir "$ECOM_VAR/redis" --logfile "$ECOM_VAR/log/redis.log" &
	STACK_PIDS+=($!)
	for _ in $(seq 1 50); do
		redis-cli -p "$ECOM_REDIS_PORT" ping >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	die "redis did not start (see $ECOM_VAR/log/redis.log)"
}

# stack_data — migrations, then the demo shop (idempotent).
stack_data() {
	say "migrations"
	"$STACK_BUILD/tools/ecomctl" migrate || die "migrations failed"
	if [ "${ECOM_DEMO:-1}" = 1 ]; then
		say "demo catalog"
		local f
		for f in "$STACK_ROOT"/sql/demo/*.sql; do
			[ -e "$f" ] && { stack_psql -f "$f" >/dev/null || die "loading $f failed"; }
		done
		[ -x "$STACK_ROOT/tools/demo-images" ] &&
			"$STACK_ROOT/tools/demo-images" "$ECOM_VAR/media/demo" >&2
		# the demo rows were written with SQL, not through the catalog,
		# so no event told the search indexer about them
		say "search documents"
		"$STACK_BUILD/tools/ecomctl" search reindex >/dev/null || die "search reindex failed"
	fi
	return 0
}

# stack_accounts — the demo admin (TOTP enrolled) and the demo customer,
# created once per state dir; their logins are kept in
# $ECOM_VAR/demo-credentials as key=value lines for people, scripts and tests.
stack_accounts() {
	local f=$ECOM_VAR/demo-credentials
	if [ ! -s "$f" ]; then
		local a c t
		a="admin-$(head -c 12 /dev/urandom | base32 | tr -d '=' | tr 'A-Z' 'a-z')"
		c="shopper-$(head -c 12 /dev/urandom | base32 | tr -d '=' | tr 'A-Z' 'a-z')"
		t=$(head -c 20 /dev/urandom | base32 | tr -d '=')
		printf '%s\n' "admin_email=admin@example.com" "admin_password=$a" \
			"admin_totp_secret=$t" "customer_email=customer@example.com" \
			"customer_password=$c" >"$f.tmp"
		chmod 600 "$f.tmp"
		mv "$f.tmp" "$f"
	fi
	local admin_email admin_password admin_totp_secret customer_email customer_password
	# shellcheck disable=SC1090
	. "$f"
	say "demo accounts ($f)"
	demo_user "$admin_email" "$admin_password" admin Admin --totp-secret "$admin_totp_secret"
	demo_user "$customer_email" "$customer_password" customer Customer
}

# demo_user EMAIL PASSWORD ROLE LAST-NAME [ecomctl options] — exit 3 (the
# account exists from an earlier run) is fine.
demo_user() {
	local rc=0 out
	out=$(printf '%s\n' "$2" | "$STACK_BUILD/tools/ecomctl" user create --email "$1" \
		--role "$3" --first-name Demo --last-name "$4" "${@:5}" 2>&1) || rc=$?
	[ $rc = 0 ] || [ $rc = 3 ] || { echo "$out" >&2; die "creating the demo $3 failed"; }
}

# stack_web [procs] — lighttpd with the responders, in the foreground as a job.
stack_web() {
	export ECOM_PORT ECOM_BIND=${ECOM_BIND:-127.0.0.1} ECOM_BIN=$ECOM_VAR/bin
	export ECOM_PROCS=${ECOM_PROCS:-2}
	# lighttpd spawns the responders from a stable directory so a rebuild
	# while serving does not swap binaries under a running process.
	mkdir -p "$ECOM_BIN"
	cp -f "$STACK_BUILD"/cgi-bin/*.fcgi "$ECOM_BIN"/
	rm -f "$ECOM_VAR"/run/*.sock*
	local conf=${STACK_LIGHTTPD_CONF:-$STACK_ROOT/httpd/lighttpd.conf}
	lighttpd -tt -f "$conf" >/dev/null || die "lighttpd config check failed ($conf)"
	say "lighttpd on http://$ECOM_BIND:$ECOM_PORT/"
	lighttpd -D -f "$conf" &
	STACK_PIDS+=($!)
	for _ in $(seq 1 100); do
		curl -fsS -o /dev/null "http://127.0.0.1:$ECOM_PORT/health/live" 2>/dev/null && return 0
		sleep 0.1
	done
	tail -n 20 "$ECOM_VAR/log/lighttpd.log" >&2
	die "lighttpd did not answer /health/live"
}

# stack_catalog_shm — the POSIX shared memory object holding the catalog
# cache's generation counter (lib/product/cache.c names it after the
# catalog's database URL with 64-bit FNV-1a).
stack_catalog_shm() {
	local db=${ECOM_DB_URL_CATALOG:-} h=1469598103934665603 i c
	[ -n "$db" ] || db=$(sed -n 's/^ECOM_DB_URL_CATALOG=//p' "$ECOM_CONFIG" | tail -n 1)
	[ -n "$db" ] || db=${ECOM_DB_URL:-}
	[ -n "$db" ] || db=$(sed -n 's/^ECOM_DB_URL=//p' "$ECOM_CONFIG" | tail -n 1)
	local LC_ALL=C
	for ((i = 0; i < ${#db}; i++)); do
		printf -v c '%d' "'${db:i:1}"
		h=$(((h ^ (c & 255)) * 1099511628211))
	done
	printf '/dev/shm/ecom-catalog-%016x\n' "$h"
}

# stack_apache PORT — Apache 2.4 with mod_fcgid (httpd/apache.conf) on PORT,
# beside lighttpd, serving the same responders from ECOM_VAR/bin, in the
# foreground as a job (stack_apache_stop ends it).  Started as root, Apache
# runs its children and the responders as www-data, so (ENVIRONMENT.md §2)
# www-data is given exactly what it needs and nothing is chmod-ed beyond
# ECOM_VAR: the checkout, the binaries and the config stay root's and
# world-readable; the two private keys become group www-data (0640); what
# the responders write — media/, mail/, the fcgid sockets and the catalog
# cache's counter — becomes www-data's.
stack_apache() {
	local port=$1 conf=${STACK_APACHE_CONF:-$STACK_ROOT/httpd/apache.conf}
	local bin=$ECOM_VAR/bin u=www-data shm f out
	command -v apache2 >/dev/null || die "apache2 is missing (apt-get install apache2 libapache2-mod-fcgid)"
	mkdir -p "$bin" "$ECOM_VAR"/{run/fcgid,log,media,mail}
	cp -f "$STACK_BUILD"/cgi-bin/*.fcgi "$bin"/
	rm -f "$ECOM_VAR"/run/fcgid/* "$ECOM_VAR"/run/fcgid_shm* "$ECOM_VAR"/run/apache.pid
	if [ "$(id -u)" = 0 ]; then
		chown -R "$u:$u" "$ECOM_VAR"/media "$ECOM_VAR"/mail "$ECOM_VAR"/run/fcgid
		for f in "$ECOM_VAR"/keys/jwt.pem "$ECOM_VAR"/keys/secret; do
			if [ -e "$f" ]; then chgrp "$u" "$f" && chmod 640 "$f"; fi
		done
		# the counter is created 0600 by whichever process maps it first;
		# root (lighttpd's responders, ecomctl) can still map www-data's
		shm=$(stack_catalog_shm)
		[ -e "$shm" ] || : >"$shm"
		chown "$u:$u" "$shm"
		for f in "$bin/store.fcgi" "$ECOM_CONFIG" "$STACK_ROOT/templates" "$ECOM_VAR/keys/jwt.pem"; do
			runuser -u "$u" -- test -r "$f" ||
				die "$u cannot read $f (every directory above it must be world-executable)"
		done
		runuser -u "$u" -- test -x "$bin/store.fcgi" || die "$u cannot run $bin/store.fcgi"
		runuser -u "$u" -- test -w "$ECOM_VAR/media" || die "$u cannot write $ECOM_VAR/media"
	fi
	out=$(ECOM_PORT=$port ECOM_BIND=127.0.0.1 ECOM_BIN=$bin ECOM_PROCS=${ECOM_PROCS:-2} \
		apache2 -f "$conf" -t 2>&1) || { echo "$out" >&2; die "apache2 config check failed ($conf)"; }
	say "apache on http://127.0.0.1:$port/ (mod_fcgid, log $ECOM_VAR/log/apache.log)"
	ECOM_PORT=$port ECOM_BIND=127.0.0.1 ECOM_BIN=$bin ECOM_PROCS=${ECOM_PROCS:-2} \
		apache2 -f "$conf" -DFOREGROUND &
	STACK_APACHE_PID=$!
	STACK_PIDS+=($!)
	for _ in $(seq 1 100); do
		curl -fsS -o /dev/null "http://127.0.0.1:$port/health/live" 2>/dev/null && return 0
		sleep 0.1
	done
	tail -n 20 "$ECOM_VAR/log/apache.log" >&2
	die "apache did not answer /health/live"
}

# stack_apache_stop — stop the Apache of stack_apache (and, through
# mod_fcgid, its responders); the rest of the stack keeps running.
stack_apache_stop() {
	local p keep=()
	[ -n "${STACK_APACHE_PID:-}" ] || return 0
	kill "$STACK_APACHE_PID" 2>/dev/null
	wait "$STACK_APACHE_PID" 2>/dev/null
	for p in "${STACK_PIDS[@]}"; do [ "$p" = "$STACK_APACHE_PID" ] || keep+=("$p"); done
	STACK_PIDS=("${keep[@]}")
	STACK_APACHE_PID=
	return 0
}

# stack_workers — the cron jobs of httpd/crontab, run by a background loop
# instead of cron: the janitor every 60 s (expired reservations return
# their stock) and the notifier (queued mail that failed is retried; new
# mail is written at once to var/mail by whoever queues it), and the relay,
# following the outboxes.  Each is recorded in STACK_PIDS like the servers.
stack_workers() {
	local janitor=$STACK_BUILD/workers/janitor notifier=$STACK_BUILD/workers/notifier
	[ -x "$janitor" ] || die "$janitor is missing (build first)"
	say "workers: janitor and notifier every 60 s (logs $ECOM_VAR/log/janitor.log, notifier.log)"
	(
		trap 'kill $! 2>/dev/null; exit 0' TERM INT
		while :; do
			"$janitor" >>"$ECOM_VAR/log/janitor.log" 2>&1
			# a failed run (database down) is in its log; the next one retries
			[ ! -x "$notifier" ] || "$notifier" --budget 0 >>"$ECOM_VAR/log/notifier.log" 2>&1 || :
			sleep 60 &
			wait $!
		done
	) &
	STACK_PIDS+=($!)
	# The outbox relay, continuously (cron runs it every minute with
	# --budget 55): events reach the consumers within moments.
	local relay=$STACK_BUILD/workers/relay
	[ -x "$relay" ] || die "$relay is missing (build first)"
	say "workers: relay --follow (log $ECOM_VAR/log/relay.log)"
	"$relay" --follow >>"$ECOM_VAR/log/relay.log" 2>&1 &
	STACK_PIDS+=($!)
}

stack_stop() {
	local p
	# a killed child's status is not a failure of the caller (set -e)
	for p in "${STACK_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${STACK_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	STACK_PIDS=()
	if [ -n "$STACK_PG_STARTED" ]; then
		$STACK_PG_STARTED >/dev/null 2>&1 || true
		STACK_PG_STARTED=
	fi
	return 0
}
