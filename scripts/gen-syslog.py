#!/usr/bin/env python3
"""Generate realistic Okta System Log data for provdiag's benchmark.

Full-size LogEvents shaped like those of Okta's System Log API (the LogEvent object of
https://developer.okta.com/docs/reference/api/system-log/): mostly sign-ins, SSO and successful pushes,
a small share of provisioning failures of every kind (the three of Okta's Troubleshoot provisioning article, others, null reasons, reasons that are
whole Tasks sentences), failed sign-ins whose reasons must not count, and targets in varied order.

    gen-syslog.py OUT_DIR [--events N] [--failure-rate R] [--seed S]
    gen-syslog.py - [--events N] [--failure-rate R] [--seed S]

writes OUT_DIR/syslog.ndjson, OUT_DIR/syslog-pretty.json (one API array, pretty-printed) and OUT_DIR/syslog.csv,
all holding the same events; with `-`, the NDJSON alone to stdout (to pipe millions of events into provdiag for
its memory, without files of tens of gigabytes).
"""

import argparse
import csv
import json
import os
import random
import sys
import uuid

FIRST = ["John", "Jane", "Zoë", "Ravi", "Mei", "Ana", "Olu", "Sven", "Priya", "Kofi", "Léa", "Tomás", "Aiko", "Omar"]
LAST = ["Doe", "Roe", "O'Brien", "Patel", "Chen", "Lima", "Adeyemi", "Larsen", "Nair", "Mensah", "Dubois", "Ruiz"]
APPS = ["Salesforce.com", "Box", "Workday", "Slack", "Zoom", "AWS IAM Identity Center", "Office 365", "Zendesk",
        "GitHub Enterprise Cloud", "Atlassian Cloud"]
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Okta Verify/9.14.0 (iPhone; iOS 17.4.1)",
]
CITIES = [("Paris", "Ile-de-France", "France", "75001", 48.8566, 2.3522),
          ("Chicago", "Illinois", "United States", 60601, 41.8781, -87.6298),
          ("Bengaluru", "Karnataka", "India", "560001", 12.9716, 77.5946)]

# (eventType, reason) of provisioning failures, in rough proportion; None reasons happen.
FAILURES = [
    ("application.provision.user.push", "Automatic provisioning of user {name} to app {app} failed: License Limit Exceeded."),
    ("application.provision.user.push", "LICENSE_LIMIT_EXCEEDED:License Limit Exceeded"),
    ("application.provision.user.push", "Matching user not found."),
    ("application.provision.user.push", "Automatic provisioning of user {name} to app {app} failed: Matching user not found."),
    ("application.provision.user.push_profile", "The credentials used to connect to the API were invalid; please check your configuration"),
    ("application.integration.authentication_failure", None),
    ("application.provision.user.deactivate", "Error while deactivating user {name} : User account is inactive"),
    ("application.provision.user.push", "Error while creating user {name} : Conflict. Errors reported by remote server: A user with userName \"{login}\" already exists"),
    ("application.integration.rate_limit_exceeded", "Rate Limit Exceeded"),
    ("application.provision.user.push", "Bad Request. Errors reported by remote server: department is required"),
    ("application.provision.user.push", "Error while creating user {name} : Bad Gateway. Errors reported by remote server: upstream timeout"),
    ("application.provision.group_push.push", None),
]
# Everything else an org logs, weighted: (eventType, result, reason, has app).
BACKGROUND = [
    ("user.session.start", "SUCCESS", None, False, 40),
    ("user.authentication.sso", "SUCCESS", None, True, 25),
    ("user.session.start", "FAILURE", "INVALID_CREDENTIALS", False, 5),
    ("user.authentication.sso", "FAILURE", "The credentials used to connect to the API were invalid; please check your configuration", True, 1),
    ("policy.evaluate_sign_on", "ALLOW", "Sign-on policy evaluation resulted in ALLOW", False, 10),
    ("application.provision.user.push", "SUCCESS", None, True, 8),
    ("application.provision.user.sync", "SUCCESS", None, True, 4),
    ("user.authentication.auth_via_mfa", "SUCCESS", None, False, 6),
    ("system.push.send_factor_verify_push", "SUCCESS", None, False, 1),
]
WEIGHTS = [b[4] for b in BACKGROUND]


def okta_id(prefix, key):
    """A 20-character Okta id, the same for the same key."""
    return prefix + uuid.uuid5(uuid.NAMESPACE_URL, key).hex[:17]


def person(rng):
    first, last = rng.choice(FIRST), rng.choice(LAST)
    name = f"{first} {last}"
    login = f"{first.lower()}.{last.lower().replace(chr(39), '')}{rng.randint(1, 999)}@example.com"
    return name, login


def event(rng, i, failure_rate):
    name, login = person(rng)
    app = rng.choice(APPS)
    published = f"2024-04-{1 + i * 29 // 10**7 % 29:02d}T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}.{rng.randint(0, 999):03d}Z"
    if rng.random() < failure_rate:
        event_type, reason = rng.choice(FAILURES)
        result, has_app = "FAILURE", True
        if reason is not None:
            reason = reason.format(name=name, app=app, login=login)
    else:
        event_type, result, reason, has_app, _ = rng.choices(BACKGROUND, WEIGHTS)[0]
    city = rng.choice(CITIES)
    # Okta ids are one per person and one per app instance (the random bits are still drawn, so that the rest
    # of the data is the same as before ids were stable).
    rng.getrandbits(128)
    user = {"id": okta_id("00u", login), "type": "User", "alternateId": login,
            "displayName": name, "detailEntry": None}
    targets = [user]
    if has_app:
        rng.getrandbits(128)
        rng.getrandbits(128)
        appuser = dict(user, id=okta_id("0ua", login + app), type="AppUser")
        instance = {"id": okta_id("0oa", app), "type": "AppInstance",
                    "alternateId": app, "displayName": app, "detailEntry": None}
        targets = [appuser, instance, user]
        rng.shuffle(targets)
    ip = f"203.0.113.{rng.randint(1, 254)}"
    return {
        "actor": {"id": user["id"], "type": "User", "alternateId": login, "displayName": name, "detailEntry": None},
        "client": {
            "userAgent": {"rawUserAgent": rng.choice(AGENTS), "os": "Windows 10", "browser": "CHROME"},
            "zone": "null", "device": "Computer", "id": None, "ipAddress": ip,
            "geographicalContext": {"city": city[0], "state": city[1], "country": city[2], "postalCode": city[3],
                                    "geolocation": {"lat": city[4], "lon": city[5]}},
        },
        "device": None,
        "authenticationContext": {"authenticationProvider": None, "credentialProvider": None,
                                  "credentialType": None, "issuer": None, "interface": None,
                                  "authenticationStep": 0, "externalSessionId": "102" + uuid.UUID(int=rng.getrandbits(128)).hex[:22]},
        "displayMessage": "User login to Okta" if "session" in event_type else "Push user to external application",
        "eventType": event_type,
        "outcome": {"result": result, "reason": reason},
        "published": published,
        "securityContext": {"asNumber": 64496, "asOrg": "example transit", "isp": "example isp",
                            "domain": "example.net", "isProxy": False},
        "severity": "WARN" if result == "FAILURE" else "INFO",
        "debugContext": {"debugData": {"requestId": uuid.UUID(int=rng.getrandbits(128)).hex, "requestUri": "/api/v1/authn",
                                       "threatSuspected": "false", "url": "/api/v1/authn?"}},
        "legacyEventType": "core.user_auth.login_success" if "session" in event_type else "app.user_management",
        "transaction": {"type": "WEB", "id": uuid.UUID(int=rng.getrandbits(128)).hex[:20], "detail": {}},
        "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "version": rng.choice(["0", 0]),
        "request": {"ipChain": [{"ip": ip, "version": "V4", "source": None}]},
        "target": targets,
    }


CSV_COLUMNS = ["uuid", "published", "severity", "eventType", "displayMessage", "actor.displayName",
               "actor.alternateId", "outcome.result", "outcome.reason", "client.ipAddress",
               "client.userAgent.rawUserAgent"] + [
                   f"target.{k}.{field}" for k in range(3) for field in ("id", "type", "displayName", "alternateId")]


def csv_row(e):
    row = [e["uuid"], e["published"], e["severity"], e["eventType"], e["displayMessage"], e["actor"]["displayName"],
           e["actor"]["alternateId"], e["outcome"]["result"], e["outcome"]["reason"] or "",
           e["client"]["ipAddress"], e["client"]["userAgent"]["rawUserAgent"]]
    for k in range(3):
        t = e["target"][k] if k < len(e["target"]) else {}
        row += [t.get("id", ""), t.get("type", ""), t.get("displayName", ""), t.get("alternateId", "")]
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir")
    ap.add_argument("--events", type=int, default=150_000)
    ap.add_argument("--failure-rate", type=float, default=0.005)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    if args.out_dir == "-":
        out = sys.stdout
        try:
            for i in range(args.events):
                out.write(json.dumps(event(rng, i, args.failure_rate), ensure_ascii=False, separators=(",", ":")) + "\n")
        except BrokenPipeError:
            pass
        return
    os.makedirs(args.out_dir, exist_ok=True)
    paths = [os.path.join(args.out_dir, n) for n in ("syslog.ndjson", "syslog-pretty.json", "syslog.csv")]
    with open(paths[0], "w", encoding="utf-8") as nd, open(paths[1], "w", encoding="utf-8") as pretty, \
            open(paths[2], "w", encoding="utf-8", newline="") as c:
        writer = csv.writer(c)
        writer.writerow(CSV_COLUMNS)
        pretty.write("[\n")
        for i in range(args.events):
            e = event(rng, i, args.failure_rate)
            nd.write(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n")
            body = json.dumps(e, ensure_ascii=False, indent=2)
            pretty.write(("  " + body.replace("\n", "\n  ")) + (",\n" if i + 1 < args.events else "\n"))
            writer.writerow(csv_row(e))
        pretty.write("]\n")


if __name__ == "__main__":
    main()
