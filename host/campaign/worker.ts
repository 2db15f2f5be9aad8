// A campaign's worker thread (campaign.ts): takes block numbers from the main thread, runs
// each block, answers with its counts and failures.

import { parentPort, workerData } from "worker_threads";
import { campaignKind, runBlock, CampaignName } from "./campaign";

const { kind, seed, count } = workerData as { kind: CampaignName; seed: number; count: number };
const k = campaignKind(kind);
parentPort!.on("message", (block: number) => parentPort!.postMessage(runBlock(k, seed, count, block)));
