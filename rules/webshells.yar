/*
 * plumb - webshells.yar: server-side scripts that run what a web request
 * tells them to (PHP, JSP, ASP.NET), the usual foothold on a compromised
 * web server.
 *
 * Each rule needs request input to flow straight into an execution
 * primitive, not merely both to appear in a file, which keeps ordinary web
 * applications (that use both, apart) from matching.
 *
 * Copyright (c) 2026 the plumb developers
 * SPDX-License-Identifier: MIT (see LICENSE at the top of the plumb sources)
 */

rule Webshell_PHP_Eval_Request : webshell php
{
    meta:
        author = "plumb"
        description = "PHP code evaluating request input directly (eval/assert/create_function of $_GET/$_POST/$_REQUEST/$_COOKIE, possibly through a decoder), the China Chopper one-liner family"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        date = "2026-11-23"
    strings:
        $php = "<?" ascii
        $eval = /(eval|assert|create_function)\s*\(\s*@?\s*((base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev|stripslashes|urldecode|hex2bin)\s*\(\s*)*\$_(GET|POST|REQUEST|COOKIE)\s*\[/ nocase
    condition:
        $php and $eval and filesize < 2MB
}

rule Webshell_PHP_Exec_Request : webshell php
{
    meta:
        author = "plumb"
        description = "PHP code handing request input straight to a shell (system/passthru/shell_exec/exec/popen/proc_open/pcntl_exec or backticks of $_GET/$_POST/$_REQUEST/$_COOKIE)"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        date = "2026-11-23"
    strings:
        $php = "<?" ascii
        $exec = /(system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec)\s*\(\s*@?\s*((base64_decode|urldecode|stripslashes|trim)\s*\(\s*)*\$_(GET|POST|REQUEST|COOKIE)\s*\[/ nocase
        $tick = /`\s*\$_(GET|POST|REQUEST|COOKIE)\s*\[[^\]]{1,40}\]\s*`/
    condition:
        $php and ($exec or $tick) and filesize < 2MB
}

rule Webshell_PHP_Preg_Replace_Eval : webshell php
{
    meta:
        author = "plumb"
        description = "PHP preg_replace with the /e modifier fed from request input, an old code-execution trick used by webshells"
        reference = "https://www.php.net/manual/en/reference.pcre.pattern.modifiers.php"
        date = "2026-11-23"
    strings:
        $php = "<?" ascii
        $pre = /preg_replace\s*\(\s*["'][^"']{0,64}\/e["']\s*,\s*\$_(GET|POST|REQUEST|COOKIE)/ nocase
    condition:
        $php and $pre and filesize < 2MB
}

rule Webshell_PHP_Known_Kits : webshell php
{
    meta:
        author = "plumb"
        description = "Markers of widespread PHP webshell kits (WSO, b374k, c99, r57) next to PHP code"
        reference = "https://github.com/tennc/webshell"
        date = "2026-11-23"
    strings:
        $php = "<?" ascii
        $wso1 = "FilesMan" ascii
        $wso2 = "WSO_VERSION" ascii
        $b3741 = "b374k" ascii nocase
        $b3742 = "b374k_pass" ascii nocase
        $c99 = "c99shell" ascii nocase
        $r57 = "r57shell" ascii nocase
        $uname = "php_uname" ascii
    condition:
        $php and filesize < 4MB and
        (($wso1 and $wso2) or $b3742 or ($b3741 and $uname) or
         (($c99 or $r57) and $uname))
}

rule Webshell_JSP_Exec_Request : webshell jsp
{
    meta:
        author = "plumb"
        description = "JSP page passing a request parameter to Runtime.exec or ProcessBuilder"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        date = "2026-11-23"
    strings:
        $jsp1 = "<%" ascii
        $exec1 = /Runtime\.getRuntime\(\)\.exec\(\s*request\.getParameter\(/
        $exec2 = /new\s+ProcessBuilder\([^;]{0,80}request\.getParameter\(/
    condition:
        $jsp1 and ($exec1 or $exec2) and filesize < 2MB
}

rule Webshell_ASPX_Eval_Request : webshell aspx
{
    meta:
        author = "plumb"
        description = "ASP/ASP.NET page evaluating request input (the JScript eval(Request.Item[...]) one-liner) or starting a process from it"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        date = "2026-11-23"
    strings:
        $asp = "<%" ascii
        $eval = /eval\s*\(\s*Request(\.Item)?\s*[\[\(]\s*["']/ nocase
        $proc = /Process\.Start\s*\([^;]{0,80}Request(\.Form|\.QueryString|\.Item)?\s*[\[\(]/ nocase
    condition:
        $asp and ($eval or $proc) and filesize < 2MB
}
