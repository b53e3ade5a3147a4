// A real certificate and an address that outlives the frontend: the frontend uses a
// reserved public address from the network stack, and an ACME email in the settings
// asks the nginx role for Let's Encrypt (self-signed stays the default).
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return
   -- walks the synthesized Terraform JSON and parsed YAML untyped (Json in fixture.ts): the assertions check its shape */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { ensureBindings, fixtureSettings, Json, resources, ROOT, synthAll } from "./fixture";

const inventoryOf = (stacks: Record<string, Json>): string => resources(stacks.frontend, "null_resource")[0].triggers.inventory_sha256;

describe("HTTPS with a real certificate on a lasting address", () => {
  it("the service's public address is reserved in the network stack and held by the frontends' balancer, so re-created frontends keep it", () => {
    ensureBindings();
    const { stacks } = synthAll(fixtureSettings());
    const [address] = resources(stacks.network, "yandex_vpc_address");
    assert.deepEqual(address.external_ipv4_address, { zone_id: "ru-central1-a" });
    const [lb] = resources(stacks.frontend, "yandex_lb_network_load_balancer");
    for (const l of lb.listener) {
      assert.match(l.external_address_spec.address, /terraform_remote_state\.cross-stack-reference-input-network\.outputs\.[^}]*external_ipv4_address/);
    }
    // Each frontend keeps an address of its own for SSH and its packages.
    for (const vm of resources(stacks.frontend, "yandex_compute_instance")) {
      assert.equal(vm.network_interface[0].nat, true);
      assert.equal(vm.network_interface[0].nat_ip_address, undefined);
    }
  });

  it("self-signed by default; an ACME email turns Let's Encrypt on", () => {
    assert.ok(!/frontend_acme_email/.test(inventoryOf(synthAll(fixtureSettings()).stacks)));
    const { stacks } = synthAll(fixtureSettings({ tls: { acme_email: "ops@example.org" } }));
    assert.match(inventoryOf(stacks), /frontend_acme_email: ops@example\.org/);
    assert.equal(fixtureSettings({}, { BINGO_ACME_EMAIL: "ops@example.org" }).acmeEmail, "ops@example.org");
  });

  it("the nginx role answers HTTP-01 over plain HTTP and renews through certbot's timer, handing each certificate to nginx", () => {
    const role = path.join(ROOT, "ansible", "roles", "frontend");
    const site = fs.readFileSync(path.join(role, "templates", "bingo-site.conf.j2"), "utf8");
    assert.match(site, /\{% if frontend_acme_email \| length > 0 %\}\s*#[^\n]*\n\s*location \^~ \/\.well-known\/acme-challenge\/ \{\s*root \{\{ frontend_acme_webroot \}\};/);
    assert.ok(!/return 30[18]/.test(site), "plain HTTP answers, no redirect");
    const tasks = parseYaml(fs.readFileSync(path.join(role, "tasks", "acme.yml"), "utf8")) as Json[];
    const certbot = tasks.flatMap((t: Json) => t.block ?? [t]).find((t: Json) => t["ansible.builtin.command"]);
    const argv: string[] = certbot["ansible.builtin.command"].argv;
    for (const a of ["certonly", "--webroot", "--deploy-hook", "/usr/local/sbin/bingo-acme-deploy"]) assert.ok(argv.includes(a), a);
    assert.ok(tasks.some((t: Json) => t["ansible.builtin.systemd_service"]?.name === "certbot.timer"));
    const hook = fs.readFileSync(path.join(role, "templates", "bingo-acme-deploy.j2"), "utf8");
    assert.match(hook, /fullchain\.pem.*bingo\.crt[\s\S]*privkey\.pem.*bingo\.key[\s\S]*systemctl reload nginx/);
  });
});
