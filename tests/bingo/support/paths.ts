import { resolve } from "node:path";

export const ROOT = resolve(__dirname, "../../..");
export const BINGO = resolve(ROOT, "build/bingo");
