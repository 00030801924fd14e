/*
 * plumb - reverse_shells.yar: scripts and one-liners that connect a shell
 * to a remote host, as dropped in cron jobs, web roots and temp
 * directories after a compromise.
 *
 * Each rule asks for the connection and the shell together, in the shape
 * the common one-liners have, not for either alone.
 *
 * Copyright (c) 2026 the plumb developers
 * SPDX-License-Identifier: MIT (see LICENSE at the top of the plumb sources)
 */

rule RevShell_Bash_Dev_Tcp : reverse_shell shell
{
    meta:
        author = "plumb"
        description = "Interactive shell redirected to bash's /dev/tcp or /dev/udp pseudo-device (bash -i >& /dev/tcp/HOST/PORT 0>&1 and variants)"
        reference = "https://attack.mitre.org/techniques/T1059/004/"
        date = "2026-11-23"
    strings:
        $r1 = /(ba|z|k)?sh\s+-i\s*[0-9]?>&\s*\/dev\/(tcp|udp)\/[A-Za-z0-9.\-]{1,253}\/[0-9]{1,5}/
        $r2 = /exec\s+[0-9]{1,3}<>\s*\/dev\/(tcp|udp)\/[A-Za-z0-9.\-]{1,253}\/[0-9]{1,5}/
        $r3 = /\/dev\/(tcp|udp)\/[A-Za-z0-9.\-]{1,253}\/[0-9]{1,5}\s+0>&1/
    condition:
        any of them and filesize < 1MB
}

rule RevShell_Netcat_Exec : reverse_shell shell
{
    meta:
        author = "plumb"
        description = "netcat or ncat handing a shell to a connection (-e /bin/sh, -c sh), or the mkfifo | sh | nc pipe"
        reference = "https://attack.mitre.org/techniques/T1059/004/"
        date = "2026-11-23"
    strings:
        $nc = /\bn(c|cat|etcat)(\.traditional|\.openbsd)?\s+[^\n|;]{0,80}-(e|c)\s*\/?(usr\/)?(bin\/)?(ba|z|k|da)?sh\b/
        $fifo = /mkfifo\s+\/[^\s;]{1,100};\s*cat\s+\/[^\s|]{1,100}\s*\|\s*\/?(bin\/)?(ba|z|da)?sh\s+-i\s*2>&1\s*\|\s*nc\s/
    condition:
        any of them and filesize < 1MB
}

rule RevShell_Python_Socket_Dup2 : reverse_shell python
{
    meta:
        author = "plumb"
        description = "Python reverse shell: a connected socket dup2'ed onto stdin/stdout and a shell started"
        reference = "https://attack.mitre.org/techniques/T1059/006/"
        date = "2026-11-23"
    strings:
        $sock = "socket.socket(" ascii
        $conn = ".connect((" ascii
        $dup = /os\.dup2\(\s*[A-Za-z_][A-Za-z0-9_]*\.fileno\(\)\s*,\s*[012]\s*\)/
        $sh1 = /(subprocess\.call|subprocess\.Popen|os\.system|pty\.spawn|os\.execl?p?)\s*\(\s*\[?\s*["']\/bin\/(ba|z)?sh["']/
    condition:
        $sock and $conn and #dup >= 2 and $sh1 and filesize < 1MB
}

rule RevShell_Perl_Socket_Exec : reverse_shell perl
{
    meta:
        author = "plumb"
        description = "Perl reverse shell: Socket connect, STDIN/STDOUT reopened on the socket and /bin/sh executed"
        reference = "https://attack.mitre.org/techniques/T1059/"
        date = "2026-11-23"
    strings:
        $use = "use Socket" ascii
        $conn = /connect\s*\(\s*[A-Z_]+\s*,\s*sockaddr_in\(/
        $open = /open\s*\(\s*STD(IN|OUT|ERR)\s*,\s*["']?>&/
        $exec = /exec\s*\(?\s*["']\/bin\/(ba)?sh\s+-i["']/
    condition:
        $use and $conn and $open and $exec and filesize < 1MB
}

rule RevShell_PHP_Fsockopen_Exec : reverse_shell php
{
    meta:
        author = "plumb"
        description = "PHP reverse shell: fsockopen to a host and a shell whose descriptors are the socket's"
        reference = "https://attack.mitre.org/techniques/T1059/"
        date = "2026-11-23"
    strings:
        $sock = /fsockopen\s*\(/
        $exec = /(exec|shell_exec|system|passthru|popen|proc_open)\s*\(\s*["']\/bin\/(ba)?sh\s+-i\s*<&[0-9]/
    condition:
        $sock and $exec and filesize < 1MB
}

rule RevShell_Socat_Pty : reverse_shell shell
{
    meta:
        author = "plumb"
        description = "socat spawning an interactive shell on a pty towards a TCP peer"
        reference = "https://attack.mitre.org/techniques/T1059/004/"
        date = "2026-11-23"
    strings:
        $s = /socat\s+[^\n]{0,80}exec:["']?(\/bin\/)?(ba|z)?sh( -li?)?["']?,\s*pty[^\n]{0,120}tcp(4|6)?:[A-Za-z0-9.\-]{1,253}:[0-9]{1,5}/ nocase
    condition:
        $s and filesize < 1MB
}
