// Side effect only, imported first by the worker's entry: libp2p's WebRTC transport reads
// `globalThis.RTCPeerConnection` when its module is evaluated, so the bridge must be in place
// before any libp2p module runs.
import { installRtcBridge } from './rtc-bridge.ts'

installRtcBridge()
