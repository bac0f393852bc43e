#!/usr/bin/env bash
# The Action's diagnosis step, as GitHub runs it: the inputs arrive as PROVDIAG_* variables, the credentials as
# the Okta SDKs' own variables. It writes the JSON report, the report in the job's log, the step summary
# (GITHUB_STEP_SUMMARY) and the step's outputs (GITHUB_OUTPUT: exit-code, report, open). It does not fail the
# step itself: the action's last step turns the exit code into the verdict, after the report is uploaded and the
# state saved.
set -uo pipefail

out="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/provdiag"
mkdir -p "$out"
report="$out/report.json"
events="$out/events.ndjson"
read -r -a extra <<< "${PROVDIAG_ARGS:-}"
fail_on=(--fail-on "${PROVDIAG_FAIL_ON:-any}")
format="${PROVDIAG_FORMAT:-text}"

# An input left empty arrives as an empty variable: unset, so that it is not taken for a credential.
for var in OKTA_CLIENT_CLIENTID OKTA_CLIENT_PRIVATEKEY OKTA_API_TOKEN; do
  [ -n "${!var:-}" ] || unset "$var"
done

again=()
if [ -n "${PROVDIAG_ORG:-}" ]; then
  state="${PROVDIAG_STATE:-.provdiag/state.json}"
  mkdir -p "$(dirname "$state")"
  # The state as it was before this run: the log and the summary are written from the events saved, with it.
  [ -f "$state" ] && cp "$state" "$out/state-before.json"
  rm -f "$events"
  provdiag pull --org "$PROVDIAG_ORG" --since "${PROVDIAG_SINCE:-24h}" --state "$state" --save "$events" \
    --format json -o "$report" "${fail_on[@]}" "${extra[@]}"
  code=$?
  inputs=("$events")
  # Only a provdiag whose file diagnosis keeps a state (failures still open) can say what the pull said.
  if [ -f "$out/state-before.json" ] && provdiag --help | grep -q -- '--state'; then
    again=(--state "$out/state-again.json")
  fi
else
  read -r -d '' -a inputs <<< "${PROVDIAG_FILES:-}"
  provdiag --format json -o "$report" "${fail_on[@]}" "${extra[@]}" "${inputs[@]}"
  code=$?
fi

# The report again, for people: in the log, and in the step summary.
render() {
  if [ ${#again[@]} -gt 0 ]; then cp "$out/state-before.json" "$out/state-again.json"; fi
  provdiag --format "$1" "${fail_on[@]}" "${again[@]}" "${extra[@]}" "${inputs[@]}"
}
if [ -s "${inputs[0]:-}" ]; then
  render "$format" || true
  if [ "$format" != github ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    render markdown >> "$GITHUB_STEP_SUMMARY" || true
  fi
elif [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  echo "provdiag: no provisioning events were read (exit code $code)." >> "$GITHUB_STEP_SUMMARY"
fi

open=""
if [ -s "$report" ] && command -v jq >/dev/null 2>&1; then
  open="$(jq -r '.summary.open // empty' "$report")"
fi
{
  echo "exit-code=$code"
  echo "report=$report"
  echo "open=$open"
} >> "${GITHUB_OUTPUT:-/dev/null}"
exit 0
