// cloud-init user-data of every VM: the ansible user with the SSH key and, for
// a self-configuring VM, the playbooks that configure it with nobody connecting.
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { execFileSync } from "node:child_process";
import { stringify } from "yaml";
import { collectionsOfRoles, rolesOfPlaybook } from "./playbook-roles";

export interface SelfConfiguration {
  /** Inventory group the VM belongs to (its group_vars apply), e.g. "app". */
  readonly group: string;
  /** Playbook to run, relative to ansible/, e.g. "playbooks/app-self.yml"; the roles it uses are shipped with it. */
  readonly playbook: string;
  /** Variables of this VM (inventory host vars). */
  readonly vars: Readonly<Record<string, unknown>>;
  /** The ansible/ folder to ship. @default <repository>/ansible */
  readonly ansibleDir?: string;
  /** Variables read at boot from Lockbox secrets (never written into the user-data), one entry per secret. @default none */
  readonly secrets?: readonly LockboxVars[];
}

/** Variables read from one Lockbox secret. */
export interface LockboxVars {
  readonly secretId: string;
  /** Ansible variable name -> the secret's entry key. */
  readonly vars: Readonly<Record<string, string>>;
}

const FETCH_SECRETS = path.join(__dirname, "files", "bingo-fetch-secrets.py");
const SECRETS_FILE = "/etc/bingo/secrets.json";
const COLLECTIONS_DIR = "/opt/bingo-ansible/collections";

/**
 * Lines of the self-configure script that install Ansible: ansible-core as a package,
 * without its Recommends, and the collections the roles use taken from Debian's ansible
 * package without installing it. That package (which ansible-core recommends) is some
 * 40,000 files of collections the VM never uses: a minute of dpkg alone, several when the
 * VMs of a deploy boot together on the same cores.
 */
function installAnsibleLines(collections: readonly string[]): string[] {
  const members = collections.map((c) => `'./usr/lib/python3/dist-packages/ansible_collections/${c.replace(".", "/")}/*'`);
  return [
    "export DEBIAN_FRONTEND=noninteractive",
    "for attempt in 1 2 3; do apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends ansible-core acl && break; sleep 10; done",
    "command -v ansible-playbook >/dev/null || exit 1",
    ...(collections.length === 0
      ? []
      : [
          `mkdir -p ${COLLECTIONS_DIR} && cd ${COLLECTIONS_DIR} || exit 1`,
          "for attempt in 1 2 3; do apt-get download -q ansible && break; sleep 10; done",
          `dpkg-deb --fsys-tarfile ansible_*.deb | tar -x --wildcards ${members.join(" ")} || exit 1`,
          "rm -f ansible_*.deb && cd /",
          `export ANSIBLE_COLLECTIONS_PATH=${COLLECTIONS_DIR}/usr/lib/python3/dist-packages`,
        ]),
  ];
}

export interface UserDataProps {
  readonly sshUser: string;
  readonly sshPublicKey: string;
  readonly selfConfigure?: SelfConfiguration;
}

const tarballCache = new Map<string, string>();

/**
 * A gzipped tarball (base64) of what the playbook needs: ansible.cfg, group_vars,
 * playbooks and the listed roles. Built byte-for-byte reproducibly (sorted names,
 * fixed times and owners), so the user-data only changes when a role changes.
 */
export function ansibleTarballBase64(ansibleDir: string, roles: readonly string[]): string {
  const key = `${ansibleDir}|${[...roles].sort().join(",")}`;
  const cached = tarballCache.get(key);
  if (cached) return cached;
  const members = ["ansible.cfg", "group_vars", "playbooks", ...[...roles].sort().map((r) => path.join("roles", r))];
  const tar = execFileSync(
    "tar",
    [
      "--sort=name",
      "--mtime=@0",
      "--owner=0",
      "--group=0",
      "--numeric-owner",
      "--mode=u+rw,go+r,go-w",
      "--exclude=*.md",
      "--exclude=__pycache__",
      "-C",
      path.dirname(ansibleDir),
      "-cf",
      "-",
      ...members.map((m) => path.join(path.basename(ansibleDir), m)),
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const b64 = zlib.gzipSync(tar, { level: 9 }).toString("base64");
  tarballCache.set(key, b64);
  return b64;
}

/**
 * The command that writes every secret's variables into one file (constructs/files/bingo-fetch-secrets.py):
 * the first secret's id, the file, its VAR=KEY pairs, then each further secret's id and pairs.
 */
function fetchSecretsCommand(secrets: readonly LockboxVars[]): string {
  const args = secrets.map((secret, i) => {
    // The helper tells ids from VAR=KEY pairs by the "=".
    if (/[\s=]/.test(secret.secretId)) throw new Error(`cloud-init: secret id "${secret.secretId}" is not a Lockbox id`);
    const pairs = Object.entries(secret.vars).map(([name, key]) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(name) || !/^[-_./@0-9a-zA-Z]+$/.test(key)) {
        throw new Error(`cloud-init: secret variable ${name}=${key} must be an Ansible name and a Lockbox key`);
      }
      return `${name}=${key}`;
    });
    if (pairs.length === 0) throw new Error(`cloud-init: secret ${secret.secretId} names no variable to read from it`);
    return [secret.secretId, ...(i === 0 ? [SECRETS_FILE] : []), ...pairs].join(" ");
  });
  return `/usr/local/sbin/bingo-fetch-secrets ${args.join(" ")}`;
}

/** The #cloud-config document. Keys are cloud-init's own (see cloud-init docs). */
export function renderUserData(props: UserDataProps): string {
  const doc: Record<string, unknown> = {
    users: [
      {
        name: props.sshUser,
        groups: ["sudo"],
        shell: "/bin/bash",
        sudo: "ALL=(ALL) NOPASSWD:ALL",
        lock_passwd: true,
        ssh_authorized_keys: [props.sshPublicKey],
      },
    ],
    ssh_pwauth: false,
    package_update: true,
  };
  const sc = props.selfConfigure;
  const secrets = sc?.secrets?.length ? sc.secrets : undefined;
  if (sc) {
    const ansibleDir = sc.ansibleDir ?? path.resolve(__dirname, "..", "ansible");
    const inventory = {
      all: {
        children: {
          [sc.group]: {
            hosts: { localhost: { ansible_connection: "local", ansible_python_interpreter: "/usr/bin/python3", ...sc.vars } },
          },
        },
      },
    };
    const roles = rolesOfPlaybook(ansibleDir, sc.playbook);
    doc.write_files = [
      { path: "/etc/bingo/ansible.tar.gz", encoding: "b64", permissions: "0600", content: ansibleTarballBase64(ansibleDir, roles) },
      { path: "/etc/bingo/inventory.yml", permissions: "0600", content: stringify(inventory) },
      {
        path: "/usr/local/sbin/bingo-self-configure",
        permissions: "0755",
        content: [
          "#!/bin/sh",
          "# Applies this VM's tier to itself (also safe to run again by hand).",
          "set -u",
          "rm -rf /opt/bingo-ansible && mkdir -p /opt/bingo-ansible",
          "tar -xzf /etc/bingo/ansible.tar.gz -C /opt/bingo-ansible",
          "export ANSIBLE_CONFIG=/opt/bingo-ansible/ansible/ansible.cfg HOME=/root",
          ...installAnsibleLines(collectionsOfRoles(ansibleDir, roles)),
          ...(secrets ? [`${fetchSecretsCommand(secrets)} || exit 1`] : []),
          "for attempt in 1 2 3; do",
          `  if ansible-playbook -i /etc/bingo/inventory.yml ${secrets ? `-e @${SECRETS_FILE} ` : ""}/opt/bingo-ansible/ansible/${sc.playbook}; then exit 0; fi`,
          '  echo "attempt $attempt failed, retrying in 30 s" >&2; sleep 30',
          "done",
          "exit 1",
          "",
        ].join("\n"),
      },
    ];
    if (secrets) {
      // Base64: instance-group metadata reads braces as its own placeholders.
      (doc.write_files as unknown[]).push({
        path: "/usr/local/sbin/bingo-fetch-secrets",
        encoding: "b64",
        permissions: "0755",
        content: fs.readFileSync(FETCH_SECRETS).toString("base64"),
      });
    }
    doc.runcmd = [["sh", "-c", "/usr/local/sbin/bingo-self-configure >/var/log/bingo-self-configure.log 2>&1"]];
  }
  return "#cloud-config\n" + stringify(doc, { lineWidth: 0 });
}
