/*
 * plumb - persistence.yar: tricks that make malware survive a reboot or
 * hide it on Linux: cron and systemd entries running downloads or files in
 * world-writable directories, and LD_PRELOAD rootkits.
 *
 * Copyright (c) 2026 the plumb developers
 * SPDX-License-Identifier: MIT (see LICENSE at the top of the plumb sources)
 */

rule Persistence_Cron_Download_Exec : persistence cron
{
    meta:
        author = "plumb"
        description = "crontab line that downloads a script and pipes it into a shell on a schedule"
        reference = "https://attack.mitre.org/techniques/T1053/003/"
        date = "2026-11-23"
    strings:
        $line = /(^|\n)\s*(@(reboot|hourly|daily|weekly|monthly|yearly|annually)|([0-9*\/,\-]+\s+){4}[0-9*\/,\-A-Za-z]+)\s+([A-Za-z0-9_\-]+\s+)?[^\n]{0,120}(curl|wget)\s[^\n]{0,300}\|\s*(\/usr)?(\/bin\/)?(ba|da|z)?sh\b/
    condition:
        $line and filesize < 256KB
}

rule Persistence_Cron_Exec_World_Writable : persistence cron
{
    meta:
        author = "plumb"
        description = "crontab line running a program from /tmp, /var/tmp or /dev/shm, where any user can plant one"
        reference = "https://attack.mitre.org/techniques/T1053/003/"
        date = "2026-11-23"
    strings:
        $line = /(^|\n)\s*(@(reboot|hourly|daily|weekly|monthly|yearly|annually)|([0-9*\/,\-]+\s+){4}[0-9*\/,\-A-Za-z]+)\s+([A-Za-z0-9_\-]+\s+)?(nohup\s+|(ba)?sh\s+)?\/(tmp|var\/tmp|dev\/shm)\/[^\s\n]{1,200}/
    condition:
        $line and filesize < 256KB
}

rule Persistence_Systemd_Exec_World_Writable : persistence systemd
{
    meta:
        author = "plumb"
        description = "systemd unit whose ExecStart runs a program from /tmp, /var/tmp or /dev/shm, or pipes a download into a shell"
        reference = "https://attack.mitre.org/techniques/T1543/002/"
        date = "2026-11-23"
    strings:
        $svc = "[Service]" ascii
        $tmp = /\nExec(Start|StartPre|StartPost)=[-@:+!]{0,3}(\/bin\/(ba)?sh\s+-c\s+["']?)?\/(tmp|var\/tmp|dev\/shm)\// nocase
        $dl = /\nExec(Start|StartPre|StartPost)=[^\n]{0,200}(curl|wget)\s[^\n]{0,300}\|\s*(\/usr)?(\/bin\/)?(ba|da)?sh\b/
    condition:
        $svc and ($tmp or $dl) and filesize < 256KB
}

rule Persistence_LD_Preload_Rootkit : persistence rootkit elf
{
    meta:
        author = "plumb"
        description = "ELF shared object that hooks directory listing (readdir/readdir64 through dlsym(RTLD_NEXT)) and knows /etc/ld.so.preload: the shape of userland rootkits that hide files and processes"
        reference = "https://attack.mitre.org/techniques/T1574/006/"
        date = "2026-11-23"
    strings:
        $preload = "/etc/ld.so.preload" ascii
        $rd1 = "readdir64" ascii
        $rd2 = "readdir" ascii
        $dlsym = "dlsym" ascii
        $proc = "/proc/" ascii
    condition:
        uint32(0) == 0x464c457f and uint16(0x10) == 3 and
        $preload and $rd1 and $rd2 and $dlsym and $proc and filesize < 2MB
}
