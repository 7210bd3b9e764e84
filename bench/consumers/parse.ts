/**
 * Child process of the relay benchmark's baseline: reads the same watch
 * stream from the fake API server over plain node:http and JSON.parses each
 * line, as client-node's Watch does before handing an event over, and does
 * nothing else. Prints one JSON line of figures per round and exits after
 * the last.
 */
import { get } from "node:http";
import { createInterface } from "node:readline";
import { Rounds } from "./figures";

const rounds = new Rounds();
const url = new URL(`${process.env.BENCH_SERVER}/apis/batch/v1/namespaces/ci/jobs`);
url.searchParams.set("watch", "true");
url.searchParams.set("allowWatchBookmarks", "true");
url.searchParams.set("resourceVersion", process.env.BENCH_FROM ?? "0");

const rssAtReadyKb = Math.round(process.memoryUsage().rss / 1024);
let count = 0;
get(url, { headers: { authorization: `Bearer ${process.env.BENCH_TOKEN}` } }, (response) => {
  // The rounds follow each other in the history this one stream replays: each begins where the last ended.
  rounds.begin();
  createInterface(response).on("line", (line) => {
    const event = JSON.parse(line) as { type?: string };
    if (event.type !== "ADDED" && event.type !== "MODIFIED") return;
    if (!rounds.endsRound(++count)) return;
    if (rounds.counted(count, rssAtReadyKb)) process.exit(0);
    rounds.begin();
  });
});
