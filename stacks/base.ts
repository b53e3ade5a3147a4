import * as path from "node:path";
import { LocalBackend, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { DataYandexComputeImage } from "../.gen/providers/yandex/data-yandex-compute-image";
import { YandexProvider } from "../.gen/providers/yandex/provider";
import { Settings, VmSize } from "../settings";

/**
 * A stack that talks to Yandex Cloud: the provider (credentials come from the
 * environment, YC_TOKEN or YC_SERVICE_ACCOUNT_KEY_FILE, never from the
 * synthesized files) and a local state file per stack under settings.stateDir.
 */
export class YandexStack extends TerraformStack {
  constructor(
    scope: Construct,
    id: string,
    protected readonly settings: Settings,
  ) {
    super(scope, id);
    new YandexProvider(this, "Yandex", {
      folderId: settings.folderId,
      zone: settings.zone,
      ...(settings.cloudId ? { cloudId: settings.cloudId } : {}),
    });
    new LocalBackend(this, { path: path.join(settings.stateDir, `${id}.tfstate`) });
  }

  private imageData?: DataYandexComputeImage;

  /** The newest image of the configured family (one lookup per stack, shared by its machines). */
  protected image(): DataYandexComputeImage {
    this.imageData ??= new DataYandexComputeImage(this, "Image", {
      family: this.settings.imageFamily,
      folderId: this.settings.imageFolderId,
    });
    return this.imageData;
  }

  /**
   * What every machine of the stack takes from the settings: image, platform and SSH
   * login. The zone stays with each stack: where a
   * machine runs is the stack's choice.
   */
  protected machine(size: VmSize) {
    const s = this.settings;
    return {
      imageId: this.image().id,
      size,
      platformId: s.platformId,
      preemptible: s.preemptible,
      sshUser: s.ssh.user,
      sshPublicKey: s.ssh.publicKey,
    };
  }
}
