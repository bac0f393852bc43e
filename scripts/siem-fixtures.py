#!/usr/bin/env python3
"""Builds fixtures/siem-*: the events of fixtures/syslog.ndjson as SIEMs export them.

Each shape follows a public sample or the vendor's own code (the test that reads these files names them):
- Sentinel Okta_CL: Azure/Azure-Sentinel "Sample Data/Custom/Okta_CL.json" (JSON rows) and the
  "OktaSSO" parser's column list; the portal's CSV export adds " [UTC]" to time columns and writes
  times as "4/21/2024, 12:47:34.228 PM".
- Sentinel OktaV2_CL: the transformKql of the V2 connector's data collection rule
  (Solutions/Okta Single Sign-On/Data Connectors/OktaNativePollerConnectorV2/OktaSSOv2_DCR.json).
- Splunk: the search/jobs/export endpoint's JSON lines ({"preview":false,"offset":N,"result":{...}}),
  and the CSV export with a _raw column; Splunk Add-on for Okta Identity Cloud's sourcetype OktaIM2:log.
- Elastic: elastic/integrations packages/okta data_stream/system ingest pipeline (default.yml) and
  sample_event.json: okta.* in snake case, @timestamp from published, empty values dropped.

Run from the repository root: python3 scripts/siem-fixtures.py
"""

import csv
import io
import json
from datetime import datetime

EVENTS = [json.loads(line) for line in open("fixtures/syslog.ndjson", encoding="utf-8")]
TENANT = "a123456z-a123-1234-1234-1234aabbcc56"
INGESTED = "2024-04-21T13:05:03.402Z"


def sentinel_row(e):
    """One Okta_CL row as the Sentinel connector's Log Analytics table holds it."""
    row = {
        "TenantId": TENANT,
        "SourceSystem": "RestAPI",
        "MG": "",
        "ManagementGroupName": "",
        "TimeGenerated": INGESTED,
        "Computer": "",
        "RawData": "",
    }

    def flat(prefix, value):
        if isinstance(value, dict):
            for k, v in value.items():
                flat(f"{prefix}_{k}" if prefix else k, v)
            return
        if prefix in ("target", "request_ipChain"):
            # Lists are kept as JSON text, pretty-printed with CRLF as in the public sample.
            text = json.dumps(value if value is not None else [], indent=2, ensure_ascii=False)
            row[prefix + "_s"] = text.replace("\n", "\r\n")
            return
        if prefix in ("uuid",):
            row["uuid_g"] = value
        elif prefix == "published":
            row["published_t"] = value
        elif isinstance(value, bool):
            row[prefix + "_b"] = "TRUE" if value else "FALSE"
        elif isinstance(value, (int, float)):
            row[prefix + "_d"] = str(value)
        elif isinstance(value, list):
            row[prefix + "_s"] = json.dumps(value)
        else:
            row[prefix + "_s"] = "" if value is None else str(value)

    for key, value in e.items():
        flat(key, value)
    row["Type"] = "Okta_CL"
    row["_ResourceId"] = ""
    return row


def portal_time(iso):
    t = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ")
    hour = t.hour % 12 or 12
    return f"{t.month}/{t.day}/{t.year}, {hour}:{t.minute:02}:{t.second:02}.{t.microsecond // 1000:03} {'AM' if t.hour < 12 else 'PM'}"


def write_sentinel():
    rows = [sentinel_row(e) for e in EVENTS]
    with open("fixtures/siem-sentinel.json", "w", encoding="utf-8") as f:
        json.dump(rows, f, indent=2, ensure_ascii=False)
        f.write("\n")
    with open("fixtures/siem-sentinel.ndjson", "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    columns = []
    for r in rows:
        columns += [c for c in r if c not in columns]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([c + " [UTC]" if c in ("TimeGenerated", "published_t") else c for c in columns])
    for r in rows:
        w.writerow([portal_time(r[c]) if c in ("TimeGenerated", "published_t") else r.get(c, "") for c in columns])
    with open("fixtures/siem-sentinel.csv", "w", encoding="utf-8", newline="") as f:
        f.write("\ufeff" + out.getvalue())


def sentinel_v2_row(e):
    """One OktaV2_CL row, as the V2 connector's transformKql projects the event."""
    actor, client = e.get("actor") or {}, e.get("client") or {}
    outcome, tx = e.get("outcome") or {}, e.get("transaction") or {}
    return {
        "TenantId": TENANT,
        "TimeGenerated": e["published"],
        "ActorDisplayName": actor.get("displayName") or "",
        "OriginalUserId": actor.get("id") or "",
        "OriginalActorAlternateId": actor.get("alternateId") or "",
        "OriginalUserType": actor.get("type") or "",
        "SrcIpAddr": client.get("ipAddress") or "",
        "SrcZone": client.get("zone") or "",
        "DebugData": (e.get("debugContext") or {}).get("debugData"),
        "EventMessage": e.get("displayMessage") or "",
        "EventOriginalType": e.get("eventType") or "",
        "LegacyEventType": e.get("legacyEventType") or "",
        "EventOriginalUid": e.get("uuid") or "",
        "EventOriginalResultDetails": outcome.get("reason") or "",
        "EventResult": {"SUCCESS": "Success", "ALLOW": "Success", "DENY": "Failure", "SKIPPED": "Failure",
                        "FAILURE": "Failure", "CHALLENGE": "Partial"}.get(outcome.get("result"), "NA"),
        "OriginalOutcomeResult": outcome.get("result") or "",
        "EventSeverity": {"DEBUG": "Informational", "INFO": "Informational", "WARN": "Medium",
                          "ERROR": "High"}.get(e.get("severity"), ""),
        "OriginalSeverity": e.get("severity") or "",
        "OriginalTarget": e.get("target"),
        "Version": e.get("version") or "",
        "TransactionType": tx.get("type") or "",
        "TransactionId": tx.get("id") or "",
        "Type": "OktaV2_CL",
    }


def write_sentinel_v2():
    rows = [sentinel_v2_row(e) for e in EVENTS]
    with open("fixtures/siem-sentinel-v2.json", "w", encoding="utf-8") as f:
        json.dump(rows, f, indent=2, ensure_ascii=False)
        f.write("\n")
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    columns = list(rows[0])
    w.writerow([c + " [UTC]" if c == "TimeGenerated" else c for c in columns])
    for r in rows:
        cells = []
        for c in columns:
            v = r[c]
            if c == "TimeGenerated":
                v = portal_time(v)
            elif isinstance(v, (dict, list)) or v is None:
                v = "" if v is None else json.dumps(v, separators=(",", ":"), ensure_ascii=False)
            cells.append(v)
        w.writerow(cells)
    with open("fixtures/siem-sentinel-v2.csv", "w", encoding="utf-8", newline="") as f:
        f.write("\ufeff" + out.getvalue())


def splunk_result(e):
    raw = json.dumps(e, separators=(",", ":"), ensure_ascii=False)
    return {
        "_bkt": "okta~12~7B3F1E2A-4C5D-4E6F-8A9B-0C1D2E3F4A5B",
        "_cd": "12:4471",
        "_indextime": "1713704823",
        "_raw": raw,
        "_serial": "0",
        "_si": ["splunk-idx01", "okta"],
        "_sourcetype": "OktaIM2:log",
        "_time": e["published"].replace("Z", "+00:00"),
        "host": "acme.okta.com",
        "index": "okta",
        "linecount": "1",
        "source": "https://acme.okta.com/api/v1/logs",
        "sourcetype": "OktaIM2:log",
        "splunk_server": "splunk-idx01",
    }


def write_splunk():
    # Splunk returns the newest event first.
    events = list(reversed(EVENTS))
    with open("fixtures/siem-splunk.json", "w", encoding="utf-8") as f:
        for i, e in enumerate(events):
            line = {"preview": False, "offset": i}
            if i == len(events) - 1:
                line["lastrow"] = True
            line["result"] = splunk_result(e)
            f.write(json.dumps(line, separators=(",", ":"), ensure_ascii=False) + "\n")
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["_raw", "_time", "host", "index", "linecount", "source", "sourcetype", "splunk_server"])
    for e in events:
        r = splunk_result(e)
        w.writerow([r["_raw"], r["_time"].replace("+00:00", "+0000"), r["host"], r["index"], r["linecount"],
                    r["source"], r["sourcetype"], r["splunk_server"]])
    with open("fixtures/siem-splunk.csv", "w", encoding="utf-8", newline="") as f:
        f.write(out.getvalue())


def drop_empty(o):
    """The pipeline's first script: null and empty values go, recursively."""
    if isinstance(o, dict):
        o = {k: drop_empty(v) for k, v in o.items()}
        return {k: v for k, v in o.items() if v not in (None, "", {}, [])}
    if isinstance(o, list):
        o = [drop_empty(v) for v in o]
        return [v for v in o if v not in (None, "", {}, [])]
    return o


def elastic_doc(e):
    j = drop_empty(e)
    okta = {
        "uuid": j.get("uuid"),
        "event_type": j.get("eventType"),
        "display_message": j.get("displayMessage"),
        "actor": {
            "id": j.get("actor", {}).get("id"),
            "type": j.get("actor", {}).get("type"),
            "alternate_id": j.get("actor", {}).get("alternateId"),
            "display_name": j.get("actor", {}).get("displayName"),
        },
        "client": {"zone": j.get("client", {}).get("zone")},
        "outcome": j.get("outcome"),
        "transaction": {k: v for k, v in j.get("transaction", {}).items() if k in ("id", "type")},
        "authentication_context": {
            "authentication_step": j.get("authenticationContext", {}).get("authenticationStep"),
            "external_session_id": j.get("authenticationContext", {}).get("externalSessionId"),
        },
    }
    debug = j.get("debugContext", {}).get("debugData")
    if debug:
        okta["debug_context"] = {"debug_data": {"flattened": debug}}
        for src, dst in (("requestId", "request_id"), ("requestUri", "request_uri"), ("url", "url")):
            if src in debug:
                okta["debug_context"]["debug_data"][dst] = debug[src]
    if j.get("target"):
        okta["target"] = [
            {"id": t.get("id"), "type": t.get("type"), "alternate_id": t.get("alternateId"),
             "display_name": t.get("displayName")}
            for t in j["target"]
        ]
    result = okta["outcome"].get("result", "").lower()
    doc = {
        "@timestamp": j["published"],
        "data_stream": {"dataset": "okta.system", "namespace": "default", "type": "logs"},
        "ecs": {"version": "8.11.0"},
        "event": {
            "action": j.get("eventType"),
            "created": INGESTED,
            "dataset": "okta.system",
            "id": j.get("uuid"),
            "kind": "event",
            "outcome": {"success": "success", "allow": "success", "failure": "failure", "deny": "failure"}
            .get(result, "unknown"),
        },
        "input": {"type": "httpjson"},
        "okta": okta,
        "tags": ["forwarded", "okta-system"],
    }
    return drop_empty(doc)


def flatten(prefix, o, out):
    if isinstance(o, dict):
        for k, v in o.items():
            flatten(f"{prefix}.{k}" if prefix else k, v, out)
    else:
        out[prefix] = o
    return out


def write_elastic():
    docs = [elastic_doc(e) for e in EVENTS]
    with open("fixtures/siem-elastic.ndjson", "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    response = {
        "took": 4,
        "timed_out": False,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {
            "total": {"value": len(docs), "relation": "eq"},
            "max_score": 1.0,
            "hits": [
                {"_index": ".ds-logs-okta.system-default-2024.04.21-000001", "_id": d["okta"]["uuid"],
                 "_score": 1.0, "_source": d}
                for d in docs
            ],
        },
    }
    with open("fixtures/siem-elastic-search.json", "w", encoding="utf-8") as f:
        json.dump(response, f, indent=2, ensure_ascii=False)
        f.write("\n")
    with open("fixtures/siem-elastic-flat.ndjson", "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(flatten("", d, {}), ensure_ascii=False) + "\n")


write_sentinel()
write_sentinel_v2()
write_splunk()
write_elastic()
