/*
 * plumb - test_markers.yar: harmless test files that anti-malware tools are
 * expected to report, so a deployment can prove its sweeps work end to end.
 *
 * Copyright (c) 2026 the plumb developers
 * SPDX-License-Identifier: MIT (see LICENSE at the top of the plumb sources)
 */

rule EICAR_Test_File : test
{
    meta:
        author = "plumb"
        description = "EICAR anti-malware test file: the 68-byte string at the start of a file of at most 128 bytes, as the EICAR definition requires"
        reference = "https://www.eicar.org/download-anti-malware-testfile/"
        date = "2026-11-23"
    strings:
        // The test string is written as hex so this rule file is not itself
        // mistaken for the test file by other scanners.
        $eicar = { 58 35 4F 21 50 25 40 41 50 5B 34 5C 50 5A 58 35 34 28 50 5E
                   29 37 43 43 29 37 7D 24 45 49 43 41 52 2D 53 54 41 4E 44 41
                   52 44 2D 41 4E 54 49 56 49 52 55 53 2D 54 45 53 54 2D 46 49
                   4C 45 21 24 48 2B 48 2A }
    condition:
        $eicar at 0 and filesize <= 128
}

rule GTUBE_Test_Message : test
{
    meta:
        author = "plumb"
        description = "GTUBE, the generic test for unsolicited bulk email: a mail body that spam filters must flag"
        reference = "https://spamassassin.apache.org/gtube/"
        date = "2026-11-23"
    strings:
        $gtube = { 58 4A 53 2A 43 34 4A 44 42 51 41 44 4E 31 2E 4E 53 42 4E 33
                   2A 32 49 44 4E 45 4E 2A 47 54 55 42 45 2D 53 54 41 4E 44 41
                   52 44 2D 41 4E 54 49 2D 55 42 45 2D 54 45 53 54 2D 45 4D 41
                   49 4C 2A 43 2E 33 34 58 }
    condition:
        $gtube and filesize < 64KB
}

rule Plumb_Test_Marker : test
{
    meta:
        author = "plumb"
        description = "plumb's own sweep test marker: a file whose first line is PLUMB-YARA-TEST-MARKER followed by a version, for checking that scheduled sweeps and their reports reach the right people"
        reference = "rules/test_markers.yar in the plumb sources"
        date = "2026-11-23"
    strings:
        $marker = /PLUMB-YARA-TEST-MARKER v[0-9]+\r?\n/
    condition:
        $marker at 0 and filesize < 4KB
}
