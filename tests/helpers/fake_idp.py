#!/usr/bin/env python3
"""fake_idp.py - a loopback identity-provider server for plumb's idp tests.

Plays Microsoft Graph, Okta, Google Workspace and Duo Admin API answers over
TLS (certificate and key given by the test, made with openssl in its scratch
directory), bound to 127.0.0.1 on an ephemeral port written to --port-file.
Each scenario lives under its own path prefix, /s/<scenario>/..., with its
own state (tokens issued, rate limits already played), so one server serves
a whole test run.  It stops by itself after --max-requests requests or
--timeout seconds.

It checks what a real provider checks: the client secret in token requests,
RS256 JWT assertions (Google's service-account grant, Okta's
private_key_jwt) verified with `openssl dgst -verify` against the test's
public key, bearer/SSWS tokens, and Duo's HMAC-SHA512 (v5) request
signature recomputed from the request - a wrong one is answered 401 40103
as Duo does.  Every request is appended to --log as one JSON line
(scenario, method, path, status, auth kind) for the test to assert on.

Scenarios (reference notes 3.5): entra-pass (two pages, 429 Retry-After,
empty page with a next link), entra-fail (expired token refreshed once,
admin without MFA, registered-not-enforced, report-only policy, break-glass
exclusion), entra-grow (a user without MFA
appears from the second scan on), entra-403, entra-offsite (a next link to
another host), entra-echo (an error quoting the secret), entra-slow (429
beyond the budget), entra-huge (an answer past the size cap), entra-hang (an
answer past the timeout), okta-mix (Link
paging, X-Rate-Limit-Reset 429, pending factor only, zone bypass, a Classic
Engine org), okta-oie (authentication policies, one of them one-factor), google-mix
(nextPageToken, enrolled-not-enforced), duo-mix (next_offset, bypass),
duo-badsig (signature refused).
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

CLIENT_ID = "plumb-test-app"
ARGS = None
STATE = {}
SERVED = [0]


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def verify_jwt(jwt, pubkey):
    """Returns the claims of an RS256 JWT whose signature openssl accepts."""
    try:
        h, c, s = jwt.split(".")
        header = json.loads(b64url_decode(h))
        claims = json.loads(b64url_decode(c))
        sig = b64url_decode(s)
    except ValueError:
        return None
    if header.get("alg") != "RS256":
        return None
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "in"), "wb") as f:
            f.write((h + "." + c).encode())
        with open(os.path.join(d, "sig"), "wb") as f:
            f.write(sig)
        r = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pubkey,
                            "-signature", os.path.join(d, "sig"),
                            os.path.join(d, "in")],
                           capture_output=True, check=False)
    if r.returncode != 0:
        return None
    now = time.time()
    if not claims.get("iat", 0) - 60 <= now <= claims.get("exp", 0):
        return None
    return claims


def duo_canon_params(query):
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    quoted = sorted((urllib.parse.quote(k, "~"), urllib.parse.quote(v, "~"))
                    for k, v in pairs)
    return "&".join("%s=%s" % kv for kv in quoted)


def duo_expected(skey, date, method, host, path, query):
    empty = hashlib.sha512(b"").hexdigest()
    canon = "\n".join([date, method.upper(), host.lower(), path,
                       duo_canon_params(query), empty, empty])
    return hmac.new(skey.encode(), canon.encode(), hashlib.sha512).hexdigest()


# ---- data ------------------------------------------------------------------

def graph_user(uid, upn, enabled=True, utype="Member"):
    return {"id": uid, "userPrincipalName": upn, "accountEnabled": enabled,
            "userType": utype}


def graph_reg(uid, upn, admin, registered, methods, utype="member"):
    return {"id": uid, "userPrincipalName": upn, "userDisplayName": upn,
            "isAdmin": admin, "isMfaRegistered": registered,
            "isMfaCapable": registered, "isSsprRegistered": False,
            "methodsRegistered": methods, "userType": utype,
            "lastUpdatedDateTime": "2026-08-19T23:10:05Z"}


def ca_policy(name, state, include, grant, exclude_groups=(),
              include_groups=(), include_roles=(), clients=("all",)):
    return {"id": "pol-" + name.replace(" ", "-").lower(),
            "displayName": name, "state": state,
            "conditions": {
                "users": {"includeUsers": list(include),
                          "excludeUsers": [],
                          "includeGroups": list(include_groups),
                          "excludeGroups": list(exclude_groups),
                          "includeRoles": list(include_roles),
                          "excludeRoles": []},
                "applications": {"includeApplications": ["All"]},
                "clientAppTypes": list(clients)},
            "grantControls": {"operator": "OR", "builtInControls": [grant]}}


ENTRA = {
    "entra-pass": {
        "users": [[graph_user("a1", "admin@smbco.example"),
                   graph_user("u1", "ana@smbco.example")],
                  [graph_user("g1", "guest_ext#EXT#@smbco.example",
                              utype="Guest"),
                   graph_user("d1", "leaver@smbco.example", enabled=False)]],
        "reg": [[graph_reg("a1", "admin@smbco.example", True, True,
                           ["fido2", "microsoftAuthenticatorPush"])],
                [],
                [graph_reg("u1", "ana@smbco.example", False, True,
                           ["microsoftAuthenticatorPush"]),
                 graph_reg("g1", "guest_ext#EXT#@smbco.example", False,
                           False, [], "guest"),
                 graph_reg("d1", "leaver@smbco.example", False, False, [])]],
        "policies": [ca_policy("Require MFA for all users", "enabled",
                               ["All"], "mfa", exclude_groups=["grp-bg"]),
                     ca_policy("Block legacy authentication", "enabled",
                               ["All"], "block",
                               clients=("exchangeActiveSync", "other"))],
        "groups": {"grp-bg": []},
        "roles": {},
        "secdefaults": False,
        "rate_limit_users_page2": True,
    },
    "entra-fail": {
        "users": [[graph_user("a1", "admin@smbco.example"),
                   graph_user("bg", "breakglass@smbco.example"),
                   graph_user("u1", "ana@smbco.example"),
                   graph_user("u2", "ben@smbco.example"),
                   graph_user("u3", "cy@smbco.example")]],
        "reg": [[graph_reg("a1", "admin@smbco.example", True, False, []),
                 graph_reg("bg", "breakglass@smbco.example", True, True,
                           ["fido2"]),
                 graph_reg("u1", "ana@smbco.example", False, True,
                           ["microsoftAuthenticatorPush"]),
                 graph_reg("u2", "ben@smbco.example", False, True,
                           ["softwareOneTimePasscode"]),
                 graph_reg("u3", "cy@smbco.example", False, True,
                           ["mobilePhone"])]],
        "policies": [ca_policy("Require MFA for staff", "enabled", [],
                               "mfa", include_groups=["grp-staff"],
                               exclude_groups=["grp-bg"]),
                     ca_policy("Require MFA for admins", "enabled", [],
                               "mfa", include_roles=["role-ga"],
                               exclude_groups=["grp-bg"]),
                     ca_policy("MFA pilot", "enabledForReportingButNotEnforced",
                               ["u3"], "mfa")],
        "groups": {"grp-staff": ["a1", "u1", "bg"], "grp-bg": ["bg"]},
        "roles": {"role-ga": ["a1", "bg"]},
        "secdefaults": False,
        "expire_first_token": True,
    },
    # Drift: from the second token on (the second scan) a new user
    # without MFA appears.
    "entra-grow": {
        "users": [[graph_user("a1", "admin@smbco.example")]],
        "reg": [[graph_reg("a1", "admin@smbco.example", True, True,
                           ["fido2"])]],
        "policies": [ca_policy("Require MFA for all users", "enabled",
                               ["All"], "mfa")],
        "groups": {}, "roles": {}, "secdefaults": False,
        "grow_after_first": (graph_user("n1", "newhire@smbco.example"),
                             graph_reg("n1", "newhire@smbco.example", False,
                                       False, [])),
    },
    "entra-403": {"forbid_reg": True},
    # A next link to another host: a token must never follow it.
    "entra-offsite": {"users": [[graph_user("a1", "admin@smbco.example")],
                                []],
                      "offsite_next": True},
    # A token endpoint that echoes the secret it was sent (entra-echo) is
    # handled in do_POST.
    "entra-slow": {"always_429": True},
    # An answer larger than plumb's cap, and one that comes too late.
    "entra-huge": {"huge": True},
    "entra-hang": {"hang": 3},
}


def okta_user(uid, login, status="ACTIVE"):
    return {"id": uid, "status": status, "created": "2025-01-01T00:00:00.000Z",
            "profile": {"login": login, "email": login}}


def okta_factor(ftype, status="ACTIVE"):
    return {"id": "f-" + ftype, "factorType": ftype, "provider": "OKTA",
            "status": status}


OKTA = {
    "users": [[okta_user("00uA", "alice@smbco.example"),
               okta_user("00uB", "bob@smbco.example")],
              [okta_user("00uC", "carol@smbco.example"),
               okta_user("00uD", "dave@smbco.example", "SUSPENDED")]],
    "factors": {"00uA": [okta_factor("webauthn")],
                "00uB": [okta_factor("question"),
                         okta_factor("token:software:totp",
                                     "PENDING_ACTIVATION")],
                "00uC": [okta_factor("push"), okta_factor("sms")],
                "00uD": []},
    "roles": {"00uC": [{"id": "ra1", "type": "SUPER_ADMIN",
                        "status": "ACTIVE"}]},
    "policies": [{"id": "pol1", "name": "Default Policy", "status": "ACTIVE",
                  "priority": 1, "type": "OKTA_SIGN_ON",
                  "conditions": {"people": {"groups": {
                      "include": ["grpEveryone"]}}}}],
    "rules": {"pol1": [
        {"id": "r2", "name": "MFA everywhere", "priority": 2,
         "status": "ACTIVE",
         "conditions": {"people": {"users": {"exclude": []}},
                        "network": {"connection": "ANYWHERE"}},
         "actions": {"signon": {"access": "ALLOW", "requireFactor": True,
                                "factorPromptMode": "ALWAYS"}}},
        {"id": "r1", "name": "Contractors on office network", "priority": 1,
         "status": "ACTIVE",
         "conditions": {"people": {"groups": {"include": ["grpContractors"]}},
                        "network": {"connection": "ZONE",
                                    "include": ["zone1"]}},
         "actions": {"signon": {"access": "ALLOW", "requireFactor": False}}}]},
    "groups": {"grpEveryone": ["00uA", "00uB", "00uC", "00uD"],
               "grpContractors": ["00uC"]},
}


def app_rule(rid, name, prio, people, mode):
    return {"id": rid, "name": name, "priority": prio, "status": "ACTIVE",
            "type": "ACCESS_POLICY",
            "conditions": {"people": people,
                           "network": {"connection": "ANYWHERE"}},
            "actions": {"appSignOn": {"access": "ALLOW", "verificationMethod": {
                "type": "ASSURANCE", "factorMode": mode,
                "reauthenticateIn": "PT2H"}}}}


# An Identity Engine org: the global session policy asks for one factor,
# the applications' authentication policies decide.
OKTA_OIE = dict(OKTA, **{
    "users": [[okta_user("00uA", "alice@smbco.example"),
               okta_user("00uB", "bob@smbco.example")]],
    "rules": {"pol1": [
        {"id": "r9", "name": "Default rule", "priority": 1,
         "status": "ACTIVE",
         "conditions": {"network": {"connection": "ANYWHERE"}},
         "actions": {"signon": {"access": "ALLOW", "requireFactor": False}}}],
        "app1": [app_rule("a1r", "Catch-all", 99, {}, "2FA")],
        "app2": [app_rule("a2r1", "Contractors one factor", 1,
                          {"groups": {"include": ["grpContractors"]}},
                          "1FA"),
                 app_rule("a2r2", "Catch-all", 99, {}, "2FA")]},
    "access_policies": [
        {"id": "app1", "name": "Office 365", "status": "ACTIVE",
         "priority": 1, "type": "ACCESS_POLICY"},
        {"id": "app2", "name": "Intranet", "status": "ACTIVE",
         "priority": 2, "type": "ACCESS_POLICY"}],
    "groups": {"grpEveryone": ["00uA", "00uB"],
               "grpContractors": ["00uB"]},
    "factors": {"00uA": [okta_factor("webauthn")],
                "00uB": [okta_factor("push")]},
    "roles": {},
})


def google_user(uid, email, admin=False, enrolled=False, enforced=False,
                suspended=False, org="/", delegated=False):
    return {"kind": "admin#directory#user", "id": uid, "primaryEmail": email,
            "isAdmin": admin, "isDelegatedAdmin": delegated,
            "suspended": suspended, "archived": False, "orgUnitPath": org,
            "isEnrolledIn2Sv": enrolled, "isEnforcedIn2Sv": enforced,
            "lastLoginTime": "2026-08-19T22:01:13.000Z"}


GOOGLE = [[google_user("101", "admin@smbco.example", admin=True,
                       enrolled=True, enforced=True)],
          [google_user("102", "eve@smbco.example", enrolled=True,
                       enforced=False, org="/Sales"),
           google_user("103", "sam@smbco.example", suspended=True),
           google_user("104", "del@smbco.example", delegated=True,
                       enrolled=True, enforced=True, org="/IT")]]


def duo_user(uid, name, status, enrolled, phones=(), webauthn=()):
    return {"user_id": uid, "username": name, "status": status,
            "is_enrolled": enrolled, "created": 1513376825,
            "last_login": None, "groups": [], "phones": list(phones),
            "tokens": [], "u2ftokens": [],
            "webauthncredentials": list(webauthn)}


DUO = [duo_user("DU1", "jsmith", "active", True,
                phones=[{"phone_id": "DP1", "activated": True,
                         "capabilities": ["auto", "push", "mobile_otp"]}]),
       duo_user("DU2", "contractor1", "bypass", False),
       duo_user("DU3", "old.account", "disabled", False),
       duo_user("DU4", "kim", "active", True,
                webauthn=[{"webauthnkey": "WA1", "label": "Security Key"}])]


# ---- the server ------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    server_version = "fake-idp/1"

    def log_message(self, fmt, *args):  # quiet: the JSON log is enough
        pass

    def answer(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or []):
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.status = status

    def record(self, scen, auth):
        SERVED[0] += 1
        with open(ARGS.log, "a", encoding="utf-8") as f:
            f.write(json.dumps({"scenario": scen, "method": self.command,
                                "path": self.path,
                                "status": getattr(self, "status", 0),
                                "auth": auth}) + "\n")

    def origin(self):
        return "https://" + self.headers.get("Host", "")

    def split(self):
        u = urllib.parse.urlsplit(self.path)
        parts = u.path.split("/")
        if len(parts) < 3 or parts[1] != "s":
            return None, None, None, None
        scen = parts[2]
        return scen, "/" + "/".join(parts[3:]), u.query, \
            dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))

    # -- tokens --

    def do_POST(self):
        scen, rest, _, _ = self.split()
        n = int(self.headers.get("Content-Length", "0") or 0)
        form = dict(urllib.parse.parse_qsl(self.rfile.read(n).decode()))
        st = STATE.setdefault(scen, {"tokens": 0, "valid": set()})
        ok = False
        if scen is None or not rest.endswith("/token"):
            self.answer(404, {"error": "not_found"})
        elif scen == "entra-echo":
            self.answer(401, {"error": "invalid_client",
                              "error_description": "client secret '%s' is "
                              "not valid for %s" % (
                                  form.get("client_secret"),
                                  form.get("client_id"))})
        elif scen.startswith("entra"):
            ok = (form.get("client_id") == CLIENT_ID and
                  form.get("client_secret") == ARGS.secret and
                  form.get("scope", "").endswith("/.default") and
                  form.get("grant_type") == "client_credentials")
            if not ok:
                self.answer(401, {"error": "invalid_client",
                                  "error_description":
                                  "AADSTS7000215: Invalid client secret "
                                  "provided."})
        elif scen.startswith("google"):
            c = verify_jwt(form.get("assertion", ""), ARGS.pubkey)
            ok = (form.get("grant_type") ==
                  "urn:ietf:params:oauth:grant-type:jwt-bearer" and c and
                  c.get("sub") == "admin@smbco.example" and
                  c.get("aud") == self.origin() + self.path and
                  "admin.directory.user.readonly" in c.get("scope", ""))
            if not ok:
                self.answer(400, {"error": "unauthorized_client",
                                  "error_description": "Client is "
                                  "unauthorized to retrieve access tokens"})
        elif scen.startswith("okta"):
            c = verify_jwt(form.get("client_assertion", ""), ARGS.pubkey)
            ok = (form.get("grant_type") == "client_credentials" and c and
                  c.get("iss") == CLIENT_ID and c.get("sub") == CLIENT_ID and
                  c.get("aud") == self.origin() + self.path)
            if not ok:
                self.answer(401, {"errorCode": "invalid_client",
                                  "errorSummary": "The client_assertion "
                                  "signature is invalid."})
        if ok:
            st["tokens"] += 1
            tok = "tok-%s-%d-%s" % (scen, st["tokens"], ARGS.token_canary)
            st["valid"].add(tok)
            self.answer(200, {"token_type": "Bearer", "expires_in": 3599,
                              "access_token": tok})
        self.record(scen, "none")

    # -- API --

    def do_GET(self):
        scen, rest, query, q = self.split()
        st = STATE.setdefault(scen, {"tokens": 0, "valid": set()})
        auth = self.headers.get("Authorization", "")
        kind = auth.split(" ")[0].lower() if auth else "none"
        if scen is None:
            self.answer(404, {"error": "not_found"})
        elif scen.startswith("entra"):
            self.graph(scen, st, rest, q, auth)
        elif scen.startswith("okta"):
            self.okta(st, scen, rest, q, auth)
        elif scen.startswith("google"):
            self.google(scen, st, rest, q, auth)
        elif scen.startswith("duo"):
            self.duo(scen, rest, query, q, auth)
        else:
            self.answer(404, {"error": "not_found"})
        self.record(scen, kind)

    def bearer_ok(self, st, auth, scen, expire_first=False):
        tok = auth[7:] if auth.startswith("Bearer ") else None
        if tok not in st["valid"]:
            return False
        if expire_first and tok.startswith("tok-%s-1-" % scen):
            if st.get("used_first"):
                st["valid"].discard(tok)
                return False
            st["used_first"] = True
        return True

    def graph(self, scen, st, rest, q, auth):
        d = ENTRA[scen]
        if not self.bearer_ok(st, auth, scen, d.get("expire_first_token")):
            self.answer(401, {"error": {"code": "InvalidAuthenticationToken",
                                        "message": "Access token has expired "
                                        "or is not yet valid."}})
            return
        if d.get("huge"):
            self.answer(200, {"value": [], "padding": "x" * (17 << 20)})
            return
        if d.get("hang"):
            time.sleep(d["hang"])
            try:
                self.answer(200, {"value": []})
            except OSError:  # the client gave up, as it should
                self.status = 0
            return
        if d.get("always_429"):
            self.answer(429, {"error": {"code": "TooManyRequests",
                                        "message": "Throttled"}},
                        [("Retry-After", "1000")])
            return
        page = int(q.get("page", "0"))
        base = self.origin() + "/s/" + scen + "/v1.0"
        if d.get("grow_after_first") and st["tokens"] >= 2:
            nu, nr = d["grow_after_first"]
            d = dict(d, users=[d["users"][0] + [nu]],
                     reg=[d["reg"][0] + [nr]])

        def paged(pages, path):
            body = {"@odata.context": "https://graph.microsoft.com/v1.0/"
                    "$metadata", "value": pages[page] if pages else []}
            if page + 1 < len(pages):
                body["@odata.nextLink"] = "%s%s?$skiptoken=X%%27%d%%27" \
                    "&page=%d" % (base, path, page, page + 1)
                if d.get("offsite_next"):
                    body["@odata.nextLink"] = body["@odata.nextLink"].replace(
                        "https://127.0.0.1:", "https://localhost:")
            self.answer(200, body)

        if rest == "/v1.0/users":
            if (d.get("rate_limit_users_page2") and page == 1 and
                    not st.get("limited")):
                st["limited"] = True
                self.answer(429, {"error": {"code": "TooManyRequests",
                                            "message": "Throttled"}},
                            [("Retry-After", "1")])
                return
            paged(d.get("users", [[]]), "/users")
        elif rest == "/v1.0/reports/authenticationMethods/" \
                     "userRegistrationDetails":
            if d.get("forbid_reg"):
                self.answer(403, {"error": {
                    "code": "Authorization_RequestDenied",
                    "message": "Insufficient privileges to complete the "
                               "operation."}})
                return
            paged(d["reg"], "/reports/authenticationMethods/"
                  "userRegistrationDetails")
        elif rest == "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy":
            self.answer(200, {"id": "00000000-0000-0000-0000-000000000005",
                              "displayName": "Security Defaults",
                              "isEnabled": d["secdefaults"]})
        elif rest == "/v1.0/identity/conditionalAccess/policies":
            paged([d["policies"]], "/identity/conditionalAccess/policies")
        elif rest.startswith("/v1.0/groups/") and \
                rest.endswith("/transitiveMembers"):
            gid = rest.split("/")[3]
            paged([[{"@odata.type": "#microsoft.graph.user", "id": m}
                    for m in d["groups"].get(gid, [])]], rest[5:])
        elif rest == "/v1.0/roleManagement/directory/roleAssignments":
            f = q.get("$filter", "")
            rid = f.split("'")[1] if "'" in f else ""
            paged([[{"id": "ra-" + m, "principalId": m,
                     "roleDefinitionId": rid}
                    for m in d["roles"].get(rid, [])]], rest[5:])
        else:
            self.answer(404, {"error": {"code": "NotFound",
                                        "message": rest}})

    def okta(self, st, scen, rest, q, auth):
        data = OKTA_OIE if scen == "okta-oie" else OKTA
        ok = (auth == "SSWS " + ARGS.secret or self.bearer_ok(st, auth, scen))
        if not ok:
            self.answer(401, {"errorCode": "E0000011",
                              "errorSummary": "Invalid token provided"})
            return
        base = self.origin() + "/s/" + scen
        parts = rest.split("/")
        if rest == "/api/v1/users":
            page = 1 if q.get("after") == "00uB" else 0
            links = [("Link", '<%s/api/v1/users?limit=200>; rel="self"'
                      % base)]
            if page + 1 < len(data["users"]):
                links.append(("Link", '<%s/api/v1/users?after=00uB&'
                              'limit=200>; rel="next"' % base))
            self.answer(200, data["users"][page], links)
        elif len(parts) == 6 and parts[3] == "users" and \
                parts[5] == "factors":
            if parts[4] == "00uB" and not st.get("limited"):
                st["limited"] = True
                self.answer(429, {"errorCode": "E0000047",
                                  "errorSummary": "API call exceeded rate "
                                  "limit due to too many requests."},
                            [("X-Rate-Limit-Reset",
                              str(int(time.time()) + 1))])
                return
            self.answer(200, data["factors"].get(parts[4], []))
        elif len(parts) == 6 and parts[3] == "users" and parts[5] == "roles":
            self.answer(200, data["roles"].get(parts[4], []))
        elif rest == "/api/v1/policies" and q.get("type") == "OKTA_SIGN_ON":
            self.answer(200, data["policies"])
        elif rest == "/api/v1/policies" and q.get("type") == "ACCESS_POLICY":
            if "access_policies" not in data:  # a Classic Engine org
                self.answer(400, {"errorCode": "E0000001",
                                  "errorSummary": "Api validation failed: "
                                  "type"})
                return
            self.answer(200, data["access_policies"])
        elif len(parts) == 6 and parts[3] == "policies" and \
                parts[5] == "rules":
            self.answer(200, data["rules"].get(parts[4], []))
        elif len(parts) == 6 and parts[3] == "groups" and parts[5] == "users":
            self.answer(200, [okta_user(m, m) for m in
                              data["groups"].get(parts[4], [])])
        else:
            self.answer(404, {"errorCode": "E0000007",
                              "errorSummary": "Not found: " + rest})

    def google(self, scen, st, rest, q, auth):
        if not self.bearer_ok(st, auth, scen):
            self.answer(401, {"error": {"code": 401,
                                        "message": "Invalid Credentials"}})
            return
        if rest != "/admin/directory/v1/users" or \
                q.get("customer") != "my_customer":
            self.answer(404, {"error": {"code": 404, "message": rest}})
            return
        page = 1 if q.get("pageToken") == "p2" else 0
        body = {"kind": "admin#directory#users", "users": GOOGLE[page]}
        if page == 0:
            body["nextPageToken"] = "p2"
        self.answer(200, body)

    def duo(self, scen, rest, query, q, auth):
        skey = ARGS.secret if scen != "duo-badsig" else "not-the-key"
        date = self.headers.get("Date", "")
        try:
            ikey, sig = base64.b64decode(auth[6:]).decode().split(":", 1)
        except (ValueError, UnicodeDecodeError):
            ikey, sig = "", ""
        want = duo_expected(skey, date, "GET", self.headers.get("Host", ""),
                            urllib.parse.urlsplit(self.path).path, query)
        if ikey != "DIXXXXXXXXXXXXXXXXXX" or \
                not hmac.compare_digest(sig, want):
            self.answer(401, {"stat": "FAIL", "code": 40103,
                              "message": "Invalid signature in request "
                              "credentials"})
            return
        if rest != "/admin/v1/users":
            self.answer(404, {"stat": "FAIL", "code": 40401,
                              "message": "Resource not found"})
            return
        off = int(q.get("offset", "0"))
        chunk = DUO[off:off + 2]
        meta = {"total_objects": len(DUO), "prev_offset": max(off - 2, 0)}
        if off + 2 < len(DUO):
            meta["next_offset"] = off + 2
        self.answer(200, {"stat": "OK", "response": chunk, "metadata": meta})


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--pubkey", required=True, help="verifies JWTs")
    p.add_argument("--secret", required=True,
                   help="client secret, Okta API token and Duo skey")
    p.add_argument("--token-canary", required=True,
                   help="embedded in every access token handed out")
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--max-requests", type=int, default=500)
    p.add_argument("--timeout", type=float, default=120)
    ARGS = p.parse_args()
    srv = HTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(ARGS.cert, ARGS.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.timeout = 0.5
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, ARGS.port_file)
    deadline = time.time() + ARGS.timeout
    while SERVED[0] < ARGS.max_requests and time.time() < deadline:
        srv.handle_request()
    srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
