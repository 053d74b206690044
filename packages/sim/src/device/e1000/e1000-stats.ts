/**
 * What the NIC counts: plain numbers, reset with the NIC, never by reads (unlike MPC, GPRC and GPTC).
 */

/** Counters of what the NIC did since the last `E1000Nic.reset`; plain numbers, never reset by reads. */
export interface NicStats {
  /** Frames written to driver memory through RX descriptors. */
  packetsReceived: number;
  /** Frames dropped because the receive FIFO was full (each also counted by MPC and signaled by RXO). */
  packetsMissed: number;
  /** Frames sent: TX descriptors with EOP processed. */
  packetsTransmitted: number;
  /** Packets that arrived while the receiver was disabled (RCTL.EN clear) or the link was down. */
  packetsIgnored: number;
  /** TX descriptors processed (written back or not). */
  descriptorsTransmitted: number;
  /** Rising edges of the INTx line. */
  lineAssertions: number;
  /** MSI and MSI-X messages queued for delivery (a vector already pending is not counted again). */
  messagesRaised: number;
  /** MSI-X messages the harness delivered. */
  messagesDelivered: number;
  /** Interrupts held back by ITR/EITR until their interval ended. */
  interruptsThrottled: number;
  /** MSI-X causes dropped because their IVAR entry is not valid or names a vector beyond 4. */
  messagesUnrouted: number;
  /** Link state changes (automatic or through {@link E1000Nic.setLinkUp}). */
  linkChanges: number;
  /** Accesses to offsets inside the window that this model does not implement (read 0, write dropped, reported). */
  unmodeledAccesses: number;
  /** Ticks at which more events were due than eventsPerTickMax; the rest ran at the next tick. */
  eventBoundHits: number;
}

/** Counters all at 0. */
export function newNicStats(): NicStats {
  return {
    packetsReceived: 0,
    packetsMissed: 0,
    packetsTransmitted: 0,
    packetsIgnored: 0,
    descriptorsTransmitted: 0,
    lineAssertions: 0,
    messagesRaised: 0,
    messagesDelivered: 0,
    interruptsThrottled: 0,
    messagesUnrouted: 0,
    linkChanges: 0,
    unmodeledAccesses: 0,
    eventBoundHits: 0,
  };
}
