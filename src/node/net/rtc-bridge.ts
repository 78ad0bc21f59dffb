/**
 * The worker half of the WebRTC bridge (protocol in src/shared/protocol/rtc.ts): an
 * `RTCPeerConnection` look-alike whose calls run on the page's real peer connection, and whose
 * data channels are the real ones, transferred here. libp2p's WebRTC transport and
 * webtorrent's simple-peer use it unchanged through `globalThis.RTCPeerConnection`.
 */
import type { PcSnapshot, RtcEvent, RtcOp } from '../../shared/protocol/rtc.ts'

type Port = {
  postMessage(msg: RtcOp): void
  onmessage: ((e: MessageEvent<RtcEvent>) => void) | null
}

let port: Port | null = null
const queued: RtcOp[] = []
const pcs = new Map<number, BridgedPeerConnection>()
const pendingChannels = new Map<number, BridgedDataChannel>()
const replies = new Map<
  number,
  { resolve(v: unknown): void; reject(e: unknown): void; pc: number }
>()
let nextId = 1

function post(msg: RtcOp): void {
  if (port) port.postMessage(msg)
  else queued.push(msg)
}

/** Connects the bridge to the page's port (sent with the worker's init message). */
export function attachRtcBridge(p: Port): void {
  port = p
  p.onmessage = (e) => onEvent(e.data)
  for (const msg of queued.splice(0)) p.postMessage(msg)
}

function onEvent(msg: RtcEvent): void {
  switch (msg.type) {
    case 'reply': {
      const r = replies.get(msg.id)
      if (!r) return
      replies.delete(msg.id)
      if (msg.ok) {
        pcs.get(r.pc)?.apply(msg.snapshot)
        r.resolve(msg.result)
      } else r.reject(new DOMException(msg.error.message, msg.error.name))
      return
    }
    case 'state':
      pcs.get(msg.pcId)?.onState(msg.event, msg.snapshot)
      return
    case 'icecandidate':
      pcs.get(msg.pcId)?.onCandidate(msg.candidate, msg.snapshot)
      return
    case 'icecandidateerror': {
      // Not the whole message: an Event's own `type` is read-only.
      const { errorCode, errorText, url } = msg
      const event = Object.assign(new Event('icecandidateerror'), { errorCode, errorText, url })
      pcs.get(msg.pcId)?.fire(event)
      return
    }
    case 'datachannel':
      pcs.get(msg.pcId)?.fire(Object.assign(new Event('datachannel'), { channel: msg.channel }))
      return
    case 'channel':
      pendingChannels.get(msg.dcId)?.attach(msg.channel)
      pendingChannels.delete(msg.dcId)
      return
  }
}

/** Dispatches `event` to listeners and to the matching `on<type>` handler property. */
function fireOn(target: EventTarget, event: Event): void {
  const handler = (target as unknown as Record<string, unknown>)[`on${event.type}`]
  if (typeof handler === 'function') handler.call(target, event)
  target.dispatchEvent(event)
}

export class BridgedSessionDescription {
  readonly type: RTCSdpType
  readonly sdp: string
  constructor(init: RTCSessionDescriptionInit) {
    this.type = init.type
    this.sdp = init.sdp ?? ''
  }
  toJSON(): RTCSessionDescriptionInit {
    return { type: this.type, sdp: this.sdp }
  }
}

export class BridgedIceCandidate {
  readonly candidate: string
  readonly sdpMid: string | null
  readonly sdpMLineIndex: number | null
  readonly usernameFragment: string | null
  constructor(init: RTCIceCandidateInit = {}) {
    this.candidate = init.candidate ?? ''
    this.sdpMid = init.sdpMid ?? null
    this.sdpMLineIndex = init.sdpMLineIndex ?? null
    this.usernameFragment = init.usernameFragment ?? null
  }
  toJSON(): RTCIceCandidateInit {
    return {
      candidate: this.candidate,
      sdpMid: this.sdpMid,
      sdpMLineIndex: this.sdpMLineIndex,
      usernameFragment: this.usernameFragment,
    }
  }
}

export class BridgedPeerConnection extends EventTarget {
  readonly id = nextId++
  connectionState: RTCPeerConnectionState = 'new'
  iceConnectionState: RTCIceConnectionState = 'new'
  iceGatheringState: RTCIceGatheringState = 'new'
  signalingState: RTCSignalingState = 'stable'
  localDescription: BridgedSessionDescription | null = null
  remoteDescription: BridgedSessionDescription | null = null
  onconnectionstatechange: ((e: Event) => void) | null = null
  oniceconnectionstatechange: ((e: Event) => void) | null = null
  onicegatheringstatechange: ((e: Event) => void) | null = null
  onsignalingstatechange: ((e: Event) => void) | null = null
  onicecandidate: ((e: Event & { candidate: BridgedIceCandidate | null }) => void) | null = null
  onicecandidateerror: ((e: Event) => void) | null = null
  ondatachannel: ((e: Event & { channel: RTCDataChannel }) => void) | null = null

  constructor(config?: RTCConfiguration) {
    super()
    pcs.set(this.id, this)
    post({ type: 'create', pcId: this.id, config })
  }

  createOffer(options?: RTCOfferOptions): Promise<RTCSessionDescriptionInit> {
    return this.request({
      type: 'createOffer',
      pcId: this.id,
      id: 0,
      options,
    }) as Promise<RTCSessionDescriptionInit>
  }
  createAnswer(): Promise<RTCSessionDescriptionInit> {
    return this.request({
      type: 'createAnswer',
      pcId: this.id,
      id: 0,
    }) as Promise<RTCSessionDescriptionInit>
  }
  async setLocalDescription(description?: RTCSessionDescriptionInit): Promise<void> {
    await this.request({
      type: 'setLocalDescription',
      pcId: this.id,
      id: 0,
      description: plain(description),
    })
  }
  async setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    await this.request({
      type: 'setRemoteDescription',
      pcId: this.id,
      id: 0,
      description: plain(description)!,
    })
  }
  async addIceCandidate(candidate?: RTCIceCandidateInit | null): Promise<void> {
    const init =
      candidate && 'toJSON' in candidate ? (candidate as BridgedIceCandidate).toJSON() : candidate
    await this.request({ type: 'addIceCandidate', pcId: this.id, id: 0, candidate: init ?? null })
  }

  createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
    const channel = new BridgedDataChannel(label, init)
    pendingChannels.set(channel.bridgeId, channel)
    post({ type: 'createDataChannel', pcId: this.id, dcId: channel.bridgeId, label, init })
    return channel as unknown as RTCDataChannel
  }

  close(): void {
    if (this.connectionState === 'closed') return
    post({ type: 'close', pcId: this.id })
    this.connectionState = 'closed'
    this.signalingState = 'closed'
    pcs.delete(this.id)
    fireOn(this, new Event('connectionstatechange'))
  }

  /**
   * The page's real report: simple-peer (webtorrent) polls it until it finds the selected
   * candidate pair, so an empty report would keep its connections from ever becoming ready.
   */
  async getStats(): Promise<RTCStatsReport> {
    if (this.connectionState === 'closed') return new Map() as unknown as RTCStatsReport
    const values = (await this.request({ type: 'getStats', pcId: this.id, id: 0 }).catch(
      () => [],
    )) as { id: string }[]
    return new Map(values.map((v) => [v.id, v])) as unknown as RTCStatsReport
  }

  /** @internal */ apply(s: PcSnapshot): void {
    this.connectionState = s.connectionState
    this.iceConnectionState = s.iceConnectionState
    this.iceGatheringState = s.iceGatheringState
    this.signalingState = s.signalingState
    this.localDescription = s.localDescription
      ? new BridgedSessionDescription(s.localDescription)
      : null
    this.remoteDescription = s.remoteDescription
      ? new BridgedSessionDescription(s.remoteDescription)
      : null
  }
  /** @internal */ onState(type: string, s: PcSnapshot): void {
    this.apply(s)
    if (s.connectionState === 'closed') pcs.delete(this.id)
    fireOn(this, new Event(type))
  }
  /** @internal */ onCandidate(init: RTCIceCandidateInit | null, s: PcSnapshot): void {
    this.apply(s)
    const candidate = init ? new BridgedIceCandidate(init) : null
    fireOn(this, Object.assign(new Event('icecandidate'), { candidate }))
  }
  /** @internal */ fire(event: Event): void {
    fireOn(this, event)
  }

  private request(msg: Extract<RtcOp, { id: number }>): Promise<unknown> {
    msg.id = nextId++
    return new Promise((resolve, reject) => {
      replies.set(msg.id, { resolve, reject, pc: this.id })
      post(msg)
    })
  }
}

function plain(d?: RTCSessionDescriptionInit | null): RTCSessionDescriptionInit | undefined {
  return d ? { type: d.type, sdp: d.sdp ?? '' } : undefined
}

const FORWARDED = ['open', 'message', 'bufferedamountlow', 'error', 'closing', 'close'] as const

/**
 * A channel this worker asked for. `createDataChannel` must answer synchronously, but the real
 * channel is created on the page and arrives a moment later; until then this stands in as a
 * `connecting` channel, and afterwards it forwards every property and event to the real one.
 */
export class BridgedDataChannel extends EventTarget {
  readonly bridgeId = nextId++
  readonly label: string
  readonly ordered: boolean
  readonly negotiated: boolean
  readonly protocol: string
  readonly maxRetransmits: number | null
  readonly maxPacketLifeTime: number | null
  onopen: ((e: Event) => void) | null = null
  onmessage: ((e: MessageEvent) => void) | null = null
  onbufferedamountlow: ((e: Event) => void) | null = null
  onerror: ((e: Event) => void) | null = null
  onclosing: ((e: Event) => void) | null = null
  onclose: ((e: Event) => void) | null = null
  private real: RTCDataChannel | null = null
  private closeRequested = false
  private _binaryType: BinaryType = 'blob'
  private _threshold = 0
  private readonly _id: number | null

  constructor(label: string, init: RTCDataChannelInit = {}) {
    super()
    this.label = label
    this.ordered = init.ordered ?? true
    this.negotiated = init.negotiated ?? false
    this.protocol = init.protocol ?? ''
    this.maxRetransmits = init.maxRetransmits ?? null
    this.maxPacketLifeTime = init.maxPacketLifeTime ?? null
    this._id = init.id ?? null
  }

  get id(): number | null {
    return this.real?.id ?? this._id
  }
  get readyState(): RTCDataChannelState {
    if (this.real) return this.real.readyState
    return this.closeRequested ? 'closed' : 'connecting'
  }
  get bufferedAmount(): number {
    return this.real?.bufferedAmount ?? 0
  }
  get bufferedAmountLowThreshold(): number {
    return this._threshold
  }
  set bufferedAmountLowThreshold(v: number) {
    this._threshold = v
    if (this.real) this.real.bufferedAmountLowThreshold = v
  }
  get binaryType(): BinaryType {
    return this._binaryType
  }
  set binaryType(v: BinaryType) {
    this._binaryType = v
    if (this.real) this.real.binaryType = v
  }

  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
    if (!this.real)
      throw new DOMException('RTCDataChannel.readyState is not open', 'InvalidStateError')
    this.real.send(data as ArrayBuffer)
  }

  close(): void {
    this.closeRequested = true
    this.real?.close()
  }

  /** @internal The real channel arrived from the page. */
  attach(real: RTCDataChannel): void {
    this.real = real
    real.binaryType = this._binaryType
    real.bufferedAmountLowThreshold = this._threshold
    for (const type of FORWARDED) {
      real.addEventListener(type, (e) => {
        const copy =
          type === 'message'
            ? new MessageEvent('message', { data: (e as MessageEvent).data })
            : new Event(type)
        fireOn(this, copy)
      })
    }
    if (this.closeRequested) real.close()
    else if (real.readyState === 'open') fireOn(this, new Event('open'))
  }
}

/** Installs the bridge as the worker's WebRTC globals, where the platform has none. */
export function installRtcBridge(scope: Record<string, unknown> = globalThis as never): boolean {
  if (typeof scope.RTCPeerConnection === 'function') return false
  scope.RTCPeerConnection = BridgedPeerConnection
  scope.RTCSessionDescription = BridgedSessionDescription
  scope.RTCIceCandidate = BridgedIceCandidate
  return true
}
