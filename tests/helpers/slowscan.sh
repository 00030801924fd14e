# Sourced by e2e tests that need a scan which takes a while (the lock, the
# time budget, kill -9 at random points): slowscan DIR CONTROLS writes
# DIR/root (one directory of generated text per control under srv/), DIR/rules/slow.yar (a rule
# whose regular expression makes YARA read every byte slowly) and
# DIR/baseline.xml with CONTROLS yara controls, one per directory (cache off, so
# every run does the work again), plus two quick sysctl controls.
slowscan() {
	_d=$1
	_n=$2
	mkdir -p "$_d/root/srv" "$_d/root/etc" "$_d/root/proc/sys/kernel" "$_d/rules"
	printf '2\n' >"$_d/root/proc/sys/kernel/randomize_va_space"
	printf 'slowhost\n' >"$_d/root/etc/hostname"
	printf '0123456789abcdef0123456789abcdef\n' >"$_d/root/etc/machine-id"
	head -c "${SLOWSCAN_BYTES:-262144}" /dev/zero | tr '\0' 'a' |
	    fold -w 64 >"$_d/f.txt"
	_i=0
	while [ "$_i" -lt "$_n" ]; do
		mkdir -p "$_d/root/srv/d$_i"
		cp "$_d/f.txt" "$_d/root/srv/d$_i/f.txt"
		_i=$((_i + 1))
	done
	rm -f "$_d/f.txt"
	cat >"$_d/rules/slow.yar" <<'YAR'
rule plumb_test_slow
{
    strings:
        $a = /[a-z]{1,60}[0-9]{2}[a-z]{1,60}/
    condition:
        $a
}
YAR
	{
		printf '<?xml version="1.0" encoding="UTF-8"?>\n'
		printf '<baseline xmlns="urn:plumb:baseline:1" id="slow-scan" version="1.0.0">\n'
		printf '  <title>Slow scan for scheduling tests</title>\n'
		printf '  <control id="config.aslr" family="config" severity="low" owner="internal">\n'
		printf '    <title>ASLR</title><rationale>Quick.</rationale>\n'
		printf '    <check type="sysctl"><param name="key">kernel.randomize_va_space</param><param name="equals">2</param></check>\n'
		printf '  </control>\n'
		_i=0
		while [ "$_i" -lt "$_n" ]; do
			printf '  <control id="malware.sweep-%d" family="malware" severity="low" owner="internal">\n' "$_i"
			printf '    <title>Sweep %d</title><rationale>Slow.</rationale>\n' "$_i"
			printf '    <check type="yara"><param name="path">/srv/d%d</param><param name="rules">%s/rules/slow.yar</param><param name="cache">false</param></check>\n' "$_i" "$_d"
			printf '  </control>\n'
			_i=$((_i + 1))
		done
		printf '</baseline>\n'
	} >"$_d/baseline.xml"
}
