import type { PcSnapshot, RtcEvent, RtcOp } from '../../shared/protocol/rtc.ts'

/**
 * The page half of the WebRTC bridge (see src/shared/protocol/rtc.ts): creates and drives the
 * real `RTCPeerConnection`s for the node worker and transfers their data channels to it.
 * Returns the port to hand to the worker.
 */
export function hostRtcBridge(): MessagePort {
  const { port1, port2 } = new MessageChannel()
  const pcs = new Map<number, RTCPeerConnection>()
  const send = (msg: RtcEvent, transfer: Transferable[] = []) => port1.postMessage(msg, transfer)

  const snapshot = (pc: RTCPeerConnection): PcSnapshot => ({
    connectionState: pc.connectionState,
    iceConnectionState: pc.iceConnectionState,
    iceGatheringState: pc.iceGatheringState,
    signalingState: pc.signalingState,
    localDescription: pc.localDescription?.toJSON() ?? null,
    remoteDescription: pc.remoteDescription?.toJSON() ?? null,
  })

  const create = (pcId: number, config: RTCConfiguration | undefined) => {
    const pc = new RTCPeerConnection(config)
    pcs.set(pcId, pc)
    for (const type of [
      'connectionstatechange',
      'iceconnectionstatechange',
      'icegatheringstatechange',
      'signalingstatechange',
    ]) {
      pc.addEventListener(type, () => {
        send({ type: 'state', pcId, event: type, snapshot: snapshot(pc) })
        if (pc.connectionState === 'closed') pcs.delete(pcId)
      })
    }
    pc.addEventListener('icecandidate', (e) =>
      send({
        type: 'icecandidate',
        pcId,
        candidate: e.candidate?.toJSON() ?? null,
        snapshot: snapshot(pc),
      }),
    )
    pc.addEventListener('icecandidateerror', (e) =>
      send({
        type: 'icecandidateerror',
        pcId,
        errorCode: e.errorCode,
        errorText: e.errorText,
        url: e.url,
      }),
    )
    // Transfer in the same task the channel appears in: only then is it transferable.
    pc.addEventListener('datachannel', (e) =>
      send({ type: 'datachannel', pcId, channel: e.channel }, [
        e.channel as unknown as Transferable,
      ]),
    )
  }

  const call = async (pc: RTCPeerConnection, msg: RtcOp): Promise<unknown> => {
    switch (msg.type) {
      case 'createOffer':
        return plainDescription(await pc.createOffer(msg.options))
      case 'createAnswer':
        return plainDescription(await pc.createAnswer())
      case 'setLocalDescription':
        return pc.setLocalDescription(msg.description)
      case 'setRemoteDescription':
        return pc.setRemoteDescription(msg.description)
      case 'addIceCandidate':
        return pc.addIceCandidate(msg.candidate ?? undefined)
      case 'getStats':
        return [...(await pc.getStats()).values()].map((v) => ({ ...v }))
      default:
        throw new Error(`unknown call ${msg.type}`)
    }
  }

  port1.onmessage = (e: MessageEvent<RtcOp>) => {
    const msg = e.data
    if (msg.type === 'create') return create(msg.pcId, msg.config)
    const pc = pcs.get(msg.pcId)
    if (msg.type === 'close') {
      pc?.close()
      pcs.delete(msg.pcId)
      return
    }
    if (msg.type === 'createDataChannel') {
      if (!pc) return
      const channel = pc.createDataChannel(msg.label, msg.init)
      send({ type: 'channel', dcId: msg.dcId, channel }, [channel as unknown as Transferable])
      return
    }
    if (!pc) {
      send({
        type: 'reply',
        id: msg.id,
        ok: false,
        error: { name: 'InvalidStateError', message: 'The peer connection is closed.' },
      })
      return
    }
    call(pc, msg).then(
      (result) => send({ type: 'reply', id: msg.id, ok: true, result, snapshot: snapshot(pc) }),
      (err: Error) =>
        send({
          type: 'reply',
          id: msg.id,
          ok: false,
          error: { name: err.name, message: err.message },
        }),
    )
  }
  return port2
}

/** Session descriptions are host objects: send their plain form. */
function plainDescription(d: RTCSessionDescriptionInit): RTCSessionDescriptionInit {
  return { type: d.type, sdp: d.sdp ?? '' }
}
