// The HTTP health check the cloud's instance group and network load balancer make:
// a GET of the check's path on its port that must answer 200 within its timeout.
import type { GroupHealthCheck } from "./apply";

export async function passesHealthCheck(address: string, hc: GroupHealthCheck): Promise<boolean> {
  try {
    const res = await fetch(`http://${address}:${hc.port}${hc.path}`, { signal: AbortSignal.timeout(hc.timeoutS * 1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}
