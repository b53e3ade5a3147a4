#!/usr/bin/python3
"""Writes this VM's secrets from Lockbox into a file of Ansible extra vars.

    bingo-fetch-secrets SECRET_ID OUT_FILE VAR=KEY [VAR=KEY ...]

The VM's service account (the metadata service hands out its token) may read just
this secret, so no secret travels in the user-data. Retries for a while: a new
grant takes some time to reach Lockbox. BINGO_METADATA_URL and BINGO_LOCKBOX_URL
point it elsewhere (tests, private endpoints).
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


def main(argv):
    if len(argv) < 4 or any("=" not in pair for pair in argv[3:]):
        sys.exit("usage: bingo-fetch-secrets SECRET_ID OUT_FILE VAR=KEY [VAR=KEY ...]")
    secret_id, out_file = argv[1], argv[2]
    wanted = dict(pair.split("=", 1) for pair in argv[3:])
    for attempt in range(1, ATTEMPTS + 1):
        try:
            entries = fetch(secret_id)
            break
        except (urllib.error.URLError, OSError, ValueError, KeyError) as err:
            print("attempt %d: cannot read secret %s: %s" % (attempt, secret_id, err), file=sys.stderr)
            if attempt == ATTEMPTS:
                sys.exit("giving up: check that this VM's service account may read the secret (lockbox.payloadViewer)")
            time.sleep(PAUSE_S)
    missing = sorted(key for key in wanted.values() if key not in entries)
    if missing:
        sys.exit("secret %s has no entry %s" % (secret_id, ", ".join(missing)))
    os.umask(0o077)
    tmp = out_file + ".tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        json.dump({var: entries[key] for var, key in wanted.items()}, out)
    os.replace(tmp, out_file)


if __name__ == "__main__":
    main(sys.argv)
