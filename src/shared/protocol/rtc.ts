/**
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

/** Worker → page. Calls with `reqId` get a `reply`. */
export type RtcOp =
  | { op: 'create'; pcId: number; config: RTCConfiguration | undefined }
  | { op: 'createOffer'; pcId: number; reqId: number; options?: RTCOfferOptions | undefined }
  | { op: 'createAnswer'; pcId: number; reqId: number }
  | {
      op: 'setLocalDescription'
      pcId: number
      reqId: number
      description?: RTCSessionDescriptionInit | undefined
    }
  | {
      op: 'setRemoteDescription'
      pcId: number
      reqId: number
      description: RTCSessionDescriptionInit
    }
  | { op: 'addIceCandidate'; pcId: number; reqId: number; candidate: RTCIceCandidateInit | null }
  | {
      op: 'createDataChannel'
      pcId: number
      dcId: number
      label: string
      init?: RTCDataChannelInit | undefined
    }
  | { op: 'close'; pcId: number }
  /** The report's values as plain objects (simple-peer reads the selected candidate pair). */
  | { op: 'getStats'; pcId: number; reqId: number }

/** Page → worker. */
export type RtcEvent =
  | { ev: 'reply'; reqId: number; ok: true; result?: unknown; snapshot: PcSnapshot }
  | { ev: 'reply'; reqId: number; ok: false; error: { name: string; message: string } }
  | { ev: 'state'; pcId: number; type: string; snapshot: PcSnapshot }
  | {
      ev: 'icecandidate'
      pcId: number
      candidate: RTCIceCandidateInit | null
      snapshot: PcSnapshot
    }
  | { ev: 'icecandidateerror'; pcId: number; errorCode: number; errorText: string; url: string }
  /** A remote-opened channel, transferred. */
  | { ev: 'datachannel'; pcId: number; channel: RTCDataChannel }
  /** The channel the worker asked for, transferred. */
  | { ev: 'channel'; dcId: number; channel: RTCDataChannel }
