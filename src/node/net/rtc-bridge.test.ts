import { describe, expect, it } from 'vitest'
import type { PcSnapshot, RtcEvent, RtcOp } from '../../shared/protocol/rtc.ts'
import { attachRtcBridge, BridgedPeerConnection } from './rtc-bridge.ts'

const snapshot: PcSnapshot = {
  connectionState: 'connecting',
  iceConnectionState: 'checking',
  iceGatheringState: 'gathering',
  signalingState: 'have-local-offer',
  localDescription: { type: 'offer', sdp: 'v=0' },
  remoteDescription: null,
}

/** The page's end of the bridge port, in memory: what the worker posts, and a way to answer. */
function fakePage() {
  const sent: RtcOp[] = []
  const port = {
    onmessage: null as ((e: MessageEvent<RtcEvent>) => void) | null,
    postMessage: (msg: RtcOp) => void sent.push(msg),
  }
  const answer = (msg: RtcEvent) => port.onmessage?.({ data: msg } as MessageEvent<RtcEvent>)
  attachRtcBridge(port)
  return { sent, answer }
}

describe('the WebRTC bridge protocol (worker side)', () => {
  const page = fakePage()

  it('calls the page by `type` and matches the reply by `id`', async () => {
    const pc = new BridgedPeerConnection()
    expect(page.sent.at(-1)).toEqual({ type: 'create', pcId: pc.id, config: undefined })
    const offer = pc.createOffer()
    const call = page.sent.at(-1)
    expect(call).toMatchObject({ type: 'createOffer', pcId: pc.id })
    if (call?.type !== 'createOffer') throw new Error('no call')
    page.answer({
      type: 'reply',
      id: call.id,
      ok: true,
      result: { type: 'offer', sdp: 'v=0' },
      snapshot,
    })
    await expect(offer).resolves.toEqual({ type: 'offer', sdp: 'v=0' })
    expect(pc.signalingState).toBe('have-local-offer')
  })

  it('fires state and ICE error events', () => {
    const pc = new BridgedPeerConnection()
    const seen: string[] = []
    pc.onconnectionstatechange = (e) => seen.push(e.type)
    pc.addEventListener('icecandidateerror', (e) =>
      seen.push(`${e.type} ${(e as Event & { errorCode: number }).errorCode}`),
    )
    page.answer({ type: 'state', pcId: pc.id, event: 'connectionstatechange', snapshot })
    page.answer({
      type: 'icecandidateerror',
      pcId: pc.id,
      errorCode: 701,
      errorText: 'x',
      url: 'u',
    })
    expect(seen).toEqual(['connectionstatechange', 'icecandidateerror 701'])
    expect(pc.connectionState).toBe('connecting')
  })

  it('rejects a failed call with the page’s DOMException name', async () => {
    const pc = new BridgedPeerConnection()
    const p = pc.createAnswer()
    const call = page.sent.at(-1)
    if (call?.type !== 'createAnswer') throw new Error('no call')
    page.answer({
      type: 'reply',
      id: call.id,
      ok: false,
      error: { name: 'InvalidStateError', message: 'no' },
    })
    await expect(p).rejects.toMatchObject({ name: 'InvalidStateError' })
  })
})
