/**
 * A window on where a run is, for a watchdog that lives outside the simulation — one that measures
 * wall-clock time from another thread, where a driver looping without calling a DDI (so without
 * moving simulated time) cannot stop it. The simulation tells the probe of every role call and
 * every run; the probe must be cheap (it is called on the hot path) and must not throw.
 */
export interface RunProbe {
  /** A run of the simulation starts (`schedule`: its departures as text, '' for none; null when unscheduled). */
  run(seed: number, schedule: string | null): void;
  /** A role function was entered: `depth` frames are now on the stack, this one the innermost. */
  enter(name: string, role: string, depth: number, tick: number): void;
  /** The innermost role function returned or threw: `depth` frames are left. */
  exit(depth: number, tick: number): void;
  /**
   * Made non-zero (element 0) by the watcher when it is about to stop a run that hangs and asks
   * where the driver's code is. Driver code the harness sees run without a role call or a DDI —
   * a C driver's instrumented loads and stores, a TypeScript driver's reads and writes of its
   * contexts' tracked fields — answers with {@link tellWhere}. Optional.
   */
  readonly whereAsked?: Int32Array;
  /** Where the driver's code is now (`at Fn (file:line:col)`), told when asked (whereAsked). */
  tellWhere?(where: string): void;
}
