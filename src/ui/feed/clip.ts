/**
 * A short silent clip of a video for its real preview, made in the page: the `<video>` plays
 * (muted) from the poster frame while each new frame is drawn, downscaled, onto a canvas whose
 * `captureStream()` a MediaRecorder encodes to WebM. It runs in real time (a 3 s clip takes
 * about 3 s) — WebCodecs could go faster but would need an MP4/WebM demuxer; this works for
 * every format Chromium plays. The sound is left out: a preview autoplays muted anyway.
 */

/** Seconds of video in a clip. */
export const CLIP_SECONDS = 3
const TYPES = ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm']

export type ClipOptions = {
  seconds?: number
  /** The longer side of the clip, in pixels. */
  maxSide?: number
  bitsPerSecond?: number
  signal: AbortSignal
  onProgress?: (fraction: number) => void
}

/** Records a clip from the video's current position; null where MediaRecorder cannot. */
export async function recordClip(
  video: HTMLVideoElement,
  o: ClipOptions,
): Promise<Uint8Array | null> {
  const type =
    typeof MediaRecorder === 'undefined'
      ? undefined
      : TYPES.find((t) => MediaRecorder.isTypeSupported(t))
  if (!type || !video.videoWidth) return null
  const seconds = o.seconds ?? CLIP_SECONDS
  const scale = Math.min(1, (o.maxSide ?? 640) / Math.max(video.videoWidth, video.videoHeight))
  const even = (x: number) => Math.max(2, Math.round((x * scale) / 2) * 2)
  const canvas = document.createElement('canvas')
  canvas.width = even(video.videoWidth)
  canvas.height = even(video.videoHeight)
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D
  const draw = () => ctx.drawImage(video, 0, 0, canvas.width, canvas.height)
  draw()
  const stream = canvas.captureStream(30)
  const recorder = new MediaRecorder(stream, {
    mimeType: type,
    videoBitsPerSecond: o.bitsPerSecond ?? 800_000,
  })
  const chunks: Blob[] = []
  recorder.ondataavailable = (e) => {
    if (e.data.size > 0) chunks.push(e.data)
  }
  let running = true
  const next = () => {
    if (!running) return
    draw()
    schedule()
  }
  const schedule = () =>
    'requestVideoFrameCallback' in video
      ? video.requestVideoFrameCallback(next)
      : requestAnimationFrame(next)
  const start = video.currentTime
  const cleanup: (() => void)[] = []
  try {
    recorder.start(500)
    schedule()
    await video.play()
    await new Promise<void>((resolve, reject) => {
      const tick = () => {
        const f = (video.currentTime - start) / seconds
        o.onProgress?.(Math.min(1, f))
        if (f >= 1) resolve()
      }
      const abort = () => reject(o.signal.reason)
      const timer = setTimeout(resolve, (seconds * 3 + 5) * 1000) // a stalled decoder
      video.addEventListener('timeupdate', tick)
      video.addEventListener('ended', () => resolve(), { once: true })
      o.signal.addEventListener('abort', abort, { once: true })
      cleanup.push(
        () => clearTimeout(timer),
        () => video.removeEventListener('timeupdate', tick),
        () => o.signal.removeEventListener('abort', abort),
      )
    })
  } finally {
    running = false
    video.pause()
    for (const fn of cleanup) fn()
    const stopped = new Promise((r) => recorder.addEventListener('stop', r, { once: true }))
    if (recorder.state !== 'inactive') recorder.stop()
    await stopped
    for (const t of stream.getTracks()) t.stop()
  }
  const blob = new Blob(chunks, { type: 'video/webm' })
  return blob.size > 0 ? new Uint8Array(await blob.arrayBuffer()) : null
}
