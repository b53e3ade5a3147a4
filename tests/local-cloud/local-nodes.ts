// The local nodes as the local apply plays them (scripts/lib/local-nodes.conf): node name,
// the VM it stands for in the synthesized stacks, its address; the balancer's address too.
export const LOCAL_NODES = [
  { node: "db1", cloudName: "bingo-db-1", address: "172.30.77.68" },
  { node: "db2", cloudName: "bingo-db-2", address: "172.30.77.84" },
  { node: "db3", cloudName: "bingo-db-3", address: "172.30.77.100" },
  { node: "app1", cloudName: "bingo-app-1", address: "172.30.77.69" },
  { node: "app2", cloudName: "bingo-app-2", address: "172.30.77.70" },
  { node: "frontend1", cloudName: "bingo-frontend-1", address: "172.30.77.20" },
  { node: "frontend2", cloudName: "bingo-frontend-2", address: "172.30.77.28" },
  { node: "balancer", cloudName: "bingo-frontend", address: "172.30.77.252" },
];
