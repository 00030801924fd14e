/*
 * plumb - coin_miners.yar: cryptocurrency miners and their configuration,
 * the commonest payload on compromised Linux servers.
 *
 * Copyright (c) 2026 the plumb developers
 * SPDX-License-Identifier: MIT (see LICENSE at the top of the plumb sources)
 */

rule Miner_XMRig_Binary : miner elf
{
    meta:
        author = "plumb"
        description = "XMRig (or a rebuild of it) as an ELF executable: its name with its hashing algorithms and pool options"
        reference = "https://github.com/xmrig/xmrig"
        date = "2026-11-23"
    strings:
        $name = "xmrig" ascii nocase
        $a1 = "randomx" ascii nocase
        $a2 = "cryptonight" ascii nocase
        $o1 = "donate-level" ascii
        $o2 = "nicehash" ascii
        $o3 = "stratum+tcp://" ascii
    condition:
        uint32(0) == 0x464c457f and $name and 1 of ($a*) and 1 of ($o*)
}

rule Miner_Stratum_Pool_Config : miner config
{
    meta:
        author = "plumb"
        description = "Miner configuration or launcher naming a stratum mining pool with a wallet/user and a mining algorithm or thread setting"
        reference = "https://en.bitcoin.it/wiki/Stratum_mining_protocol"
        date = "2026-11-23"
    strings:
        $url = /stratum\+(tcp|ssl|tls):\/\/[A-Za-z0-9.\-]{1,253}:[0-9]{2,5}/ nocase
        $user1 = /"user"\s*:\s*"[0-9A-Za-z]{20,}/
        $user2 = /\s(-u|--user)[ =][0-9A-Za-z]{40,}/
        $algo1 = /"algo"\s*:\s*"(rx|cn|argon2|kawpow|ghostrider)/
        $algo2 = /\s(-a|--algo)[ =](rx\/|cn\/|randomx|cryptonight|argon2|kawpow|ghostrider)/
        $thr = /"(max-threads-hint|cpu-max-threads-hint|donate-level)"\s*:/
    condition:
        $url and 1 of ($user*) and 1 of ($algo*, $thr) and filesize < 1MB
}

rule Miner_Dropper_Script : miner shell
{
    meta:
        author = "plumb"
        description = "Shell script that downloads a miner, makes it executable and starts it in the background while killing competing miners"
        reference = "https://attack.mitre.org/techniques/T1496/"
        date = "2026-11-23"
    strings:
        $dl = /(curl|wget)\s[^\n]{0,200}(xmrig|kdevtmpfsi|kinsing|xmr-stak|minerd)/ nocase
        $chmod = /chmod\s+(\+x|[0-7]?7[0-7][0-7])\s/
        $kill1 = /(pkill|killall)\s+(-9\s+)?(xmrig|kdevtmpfsi|kinsing|minerd|cpuminer)/ nocase
        $kill2 = /ps\s[^\n|]{0,20}\|\s*grep\s[^\n|]{0,40}(xmrig|kdevtmpfsi|kinsing|minerd|cryptonight|stratum)[^\n]{0,80}kill/ nocase
        // Started in the background.  A bare "&" is too short an atom for
        // YARA to search efficiently, so it comes with a space and what
        // follows it at the end of a command.
        $bg1 = /\bnohup\s/
        $bg2 = /\bsetsid\s/
        $bg3 = " &\n" ascii
        $bg4 = " &>/dev/null" ascii
    condition:
        $dl and $chmod and 1 of ($kill*) and 1 of ($bg*) and filesize < 1MB
}
