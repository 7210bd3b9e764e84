/** The chaos engine shared by `npm run chaos` and the reduced run in `npm test`. */
export { runChaos, type ChaosObservation, type ChaosOptions } from "./engine";
export { guarantees, verifyChaos, type ChaosReport } from "./verify";
export { SeededRandom } from "./random";
export { buildLifecycles, interleave, type Lifecycle, type WorkloadMix } from "./workload";
