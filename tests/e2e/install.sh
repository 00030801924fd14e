# End to end: `make install PREFIX=/usr DESTDIR=...` puts the binary, the
# shipped baselines and their schemas, the YARA rules, the JSON Schemas and
# the systemd units where a package would, and the installed binary works
# from there.  Runs make with the BUILD directory of the binary under test,
# so nothing is rebuilt into the tree.
. "$PLUMB_TOP/tests/e2e/lib.sh"

D="$T_TMP/dest"
build=${PLUMB_BUILD:-$(dirname "$PLUMB")}
if make -s -C "$PLUMB_TOP" BUILD="$build" PREFIX=/usr DESTDIR="$D" install \
    >"$T_TMP/out" 2>&1; then
	ok "make install PREFIX=/usr DESTDIR=..."
else
	not_ok "make install PREFIX=/usr DESTDIR=..." "$(tail -n 20 "$T_TMP/out")"
fi
share="$D/usr/share/plumb"

if [ -x "$D/usr/bin/plumb" ] && "$D/usr/bin/plumb" --version >/dev/null; then
	ok "bin/plumb is installed and runs"
else
	not_ok "bin/plumb is installed and runs" "$(ls -lR "$D" 2>&1 | head -n 20)"
fi

# missing SRC_DIR DEST_DIR PATTERN: files of the tree not installed.
missing() {
	(cd "$1" && find . -type f -name "$3") | while read -r f; do
		[ -f "$2/$f" ] && cmp -s "$1/$f" "$2/$f" || echo "$f"
	done
}
for what in "baselines *.xml" "baselines *.xsd" "rules *.yar"; do
	set -- $what
	n=$(cd "$PLUMB_TOP/$1" && find . -type f -name "$2" | wc -l)
	m=$(missing "$PLUMB_TOP/$1" "$share/$1" "$2")
	if [ "$n" -gt 0 ] && [ -z "$m" ]; then ok "all $n $1/**/$2 installed"
	else not_ok "all $1/**/$2 installed" "tree has $n; missing: $m"; fi
done
n=0
m=""
for f in "$PLUMB_TOP"/output/*.schema.json; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	cmp -s "$f" "$share/schema/$(basename "$f")" || m="$m $(basename "$f")"
done
if [ "$n" -gt 0 ] && [ -z "$m" ]; then ok "all $n JSON Schemas installed"
else not_ok "all JSON Schemas installed" "tree has $n; missing:$m"; fi

# The installed baselines are found by id and lint clean.
if PLUMB_BASELINE_PATH="$share/baselines" "$D/usr/bin/plumb" baseline lint \
    smb-linux-workstation >"$T_TMP/out" 2>&1 &&
    grep -q "^$share/baselines/smb-linux-workstation/" "$T_TMP/out"; then
	ok "the installed default baseline is found by id and lints"
else
	not_ok "the installed default baseline is found by id and lints" \
	    "$(cat "$T_TMP/out")"
fi

# systemd units: a service and its timer, ExecStart naming the installed
# binary (the Makefile substitutes @BINDIR@).
units="$D/usr/lib/systemd/system"
svc=$(ls "$units"/*.service 2>/dev/null | head -n 1)
tmr=$(ls "$units"/*.timer 2>/dev/null | head -n 1)
if [ -n "$svc" ] && [ -n "$tmr" ]; then
	ok "a systemd service and timer are installed"
else
	not_ok "a systemd service and timer are installed" \
	    "contrib/systemd/ holds: $(ls "$PLUMB_TOP/contrib/systemd" 2>&1)"
fi
for u in "$units"/*.service "$units"/*.timer; do
	[ -f "$u" ] || continue
	if grep -q '@BINDIR@' "$u"; then
		not_ok "$(basename "$u"): @BINDIR@ substituted"
	else
		ok "$(basename "$u"): @BINDIR@ substituted"
	fi
done
if [ -n "$svc" ]; then
	if grep -q '^ExecStart=/usr/bin/plumb ' "$svc"; then
		ok "$(basename "$svc") runs /usr/bin/plumb"
	else
		not_ok "$(basename "$svc") runs /usr/bin/plumb" "$(cat "$svc")"
	fi
	if command -v systemd-analyze >/dev/null 2>&1; then
		# The installed units, pointed at the installed binary (it is
		# under DESTDIR, not yet at /usr/bin); --root would need a
		# whole systemd tree under DESTDIR.
		mkdir -p "$T_TMP/units"
		sed "s|^ExecStart=/usr/bin/plumb |ExecStart=$D/usr/bin/plumb |" \
		    "$svc" >"$T_TMP/units/plumb.service"
		cp "$tmr" "$T_TMP/units/plumb.timer"
		if systemd-analyze verify "$T_TMP/units/plumb.service" \
		    "$T_TMP/units/plumb.timer" >"$T_TMP/out" 2>&1; then
			ok "systemd-analyze verify accepts the units"
		else
			not_ok "systemd-analyze verify accepts the units" \
			    "$(cat "$T_TMP/out")"
		fi
	fi
fi

# uninstall removes what install put there.
make -s -C "$PLUMB_TOP" BUILD="$build" PREFIX=/usr DESTDIR="$D" uninstall \
    >/dev/null 2>&1
if [ ! -e "$D/usr/bin/plumb" ] && [ ! -e "$share" ]; then
	ok "make uninstall removes the binary and the data directory"
else
	not_ok "make uninstall removes the binary and the data directory"
fi

done_testing
