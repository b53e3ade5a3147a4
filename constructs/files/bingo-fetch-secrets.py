#!/usr/bin/python3
"""Writes this VM's secrets from Lockbox into one file of Ansible extra vars.

    bingo-fetch-secrets SECRET_ID OUT_FILE VAR=KEY [VAR=KEY ...] [SECRET_ID VAR=KEY ...]

Each VAR=KEY reads entry KEY of the secret named before it into variable VAR; more
secrets follow with their own pairs (the DB VMs read two). The VM's service account
(the metadata service hands out its token) may read just its secrets, so no secret
travels in the user-data. Retries for a while: a new grant takes some time to reach
Lockbox. BINGO_METADATA_URL and BINGO_LOCKBOX_URL point it elsewhere (tests, private
endpoints).
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request

METADATA_URL = os.environ.get(
    "BINGO_METADATA_URL",
    "http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token",
)
LOCKBOX_URL = os.environ.get("BINGO_LOCKBOX_URL", "https://payload.lockbox.api.cloud.yandex.net")
ATTEMPTS = int(os.environ.get("BINGO_FETCH_ATTEMPTS", "20"))
PAUSE_S = float(os.environ.get("BINGO_FETCH_PAUSE_S", "15"))


def get_json(url, headers):
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=15) as response:
        return json.load(response)


def fetch(secret_id):
    token = get_json(METADATA_URL, {"Metadata-Flavor": "Google"})["access_token"]
    payload = get_json(
        "%s/lockbox/v1/secrets/%s/payload" % (LOCKBOX_URL, secret_id),
        {"Authorization": "Bearer " + token},
    )
    return {entry["key"]: entry.get("textValue", "") for entry in payload.get("entries", [])}


USAGE = "usage: bingo-fetch-secrets SECRET_ID OUT_FILE VAR=KEY [VAR=KEY ...] [SECRET_ID VAR=KEY ...]"


def parse(argv):
    """The output file and, in order, each secret id with its {VAR: KEY} (at least one each)."""
    if len(argv) < 4 or "=" in argv[1] or "=" in argv[2]:
        sys.exit(USAGE)
    out_file = argv[2]
    secrets = [(argv[1], {})]
    for arg in argv[3:]:
        if "=" in arg:
            var, key = arg.split("=", 1)
            secrets[-1][1][var] = key
        else:
            secrets.append((arg, {}))
    if any(not wanted for _, wanted in secrets):
        sys.exit(USAGE)
    return out_file, secrets


def read_secret(secret_id):
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return fetch(secret_id)
        except (urllib.error.URLError, OSError, ValueError, KeyError) as err:
            print("attempt %d: cannot read secret %s: %s" % (attempt, secret_id, err), file=sys.stderr)
            if attempt == ATTEMPTS:
                sys.exit("giving up: check that this VM's service account may read secret %s (lockbox.payloadViewer)" % secret_id)
            time.sleep(PAUSE_S)
    return {}


def main(argv):
    out_file, secrets = parse(argv)
    values = {}
    for secret_id, wanted in secrets:
        entries = read_secret(secret_id)
        missing = sorted(key for key in wanted.values() if key not in entries)
        if missing:
            sys.exit("secret %s has no entry %s" % (secret_id, ", ".join(missing)))
        values.update({var: entries[key] for var, key in wanted.items()})
    os.umask(0o077)
    tmp = out_file + ".tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        json.dump(values, out)
    os.replace(tmp, out_file)


if __name__ == "__main__":
    main(sys.argv)
