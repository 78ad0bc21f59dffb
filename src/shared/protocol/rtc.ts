/**
 * Page↔node WebRTC bridge, spoken over its own MessagePort (sent with the init message) by the
 * node worker (src/node/net/rtc-bridge.ts) and the page (src/ui/lib/rtc-host.ts).
 *
 * Chromium has no `RTCPeerConnection` in workers, but `RTCDataChannel` is transferable. So the
 * page that hosts the node worker owns the peer connections and the worker drives them over a
 * MessagePort: signalling calls go page-ward, state and ICE events come back, and every data
 * channel is transferred to the worker the moment it exists, so payload bytes never cross
 * `postMessage`. This file is that port's protocol.
 */

export type PcSnapshot = {
  connectionState: RTCPeerConnectionState
  iceConnectionState: RTCIceConnectionState
  iceGatheringState: RTCIceGatheringState
  signalingState: RTCSignalingState
  localDescription: RTCSessionDescriptionInit | null
  remoteDescription: RTCSessionDescriptionInit | null
}

/** Worker → page. Calls with an `id` get a `reply` with that `id`. */
export type RtcOp =
  | { type: 'create'; pcId: number; config: RTCConfiguration | undefined }
  | { type: 'createOffer'; pcId: number; id: number; options?: RTCOfferOptions | undefined }
  | { type: 'createAnswer'; pcId: number; id: number }
  | {
      type: 'setLocalDescription'
      pcId: number
      id: number
      description?: RTCSessionDescriptionInit | undefined
    }
  | {
      type: 'setRemoteDescription'
      pcId: number
      id: number
      description: RTCSessionDescriptionInit
    }
  | { type: 'addIceCandidate'; pcId: number; id: number; candidate: RTCIceCandidateInit | null }
  | {
      type: 'createDataChannel'
      pcId: number
      dcId: number
      label: string
      init?: RTCDataChannelInit | undefined
    }
  | { type: 'close'; pcId: number }
  /** The report's values as plain objects (simple-peer reads the selected candidate pair). */
  | { type: 'getStats'; pcId: number; id: number }

/** Page → worker. */
export type RtcEvent =
  | { type: 'reply'; id: number; ok: true; result?: unknown; snapshot: PcSnapshot }
  | { type: 'reply'; id: number; ok: false; error: { name: string; message: string } }
  | { type: 'state'; pcId: number; event: string; snapshot: PcSnapshot }
  | {
      type: 'icecandidate'
      pcId: number
      candidate: RTCIceCandidateInit | null
      snapshot: PcSnapshot
    }
  | { type: 'icecandidateerror'; pcId: number; errorCode: number; errorText: string; url: string }
  /** A remote-opened channel, transferred. */
  | { type: 'datachannel'; pcId: number; channel: RTCDataChannel }
  /** The channel the worker asked for, transferred. */
  | { type: 'channel'; dcId: number; channel: RTCDataChannel }
