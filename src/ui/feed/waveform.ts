/**
 * The real preview of an audio file: a waveform image of its first minutes. Cover art would be
 * nicer, but reading ID3/MP4 tags needs a parser per container; a waveform works for whatever
 * the browser decodes. Only the file's first 4 MiB are decoded (a truncated MP3 or WAV still
 * decodes; a truncated M4A does not, and then there is no waveform).
 */

const HEAD_BYTES = 4 * 1024 * 1024

/** Draws the waveform on a canvas, or null when the audio cannot be decoded. */
export async function drawWaveform(
  file: Blob,
  width = 800,
  height = 160,
): Promise<OffscreenCanvas | null> {
  let samples: Float32Array
  try {
    const head = await file.slice(0, HEAD_BYTES).arrayBuffer()
    const buf = await new OfflineAudioContext(1, 1, 8000).decodeAudioData(head)
    samples = buf.getChannelData(0)
  } catch {
    return null
  }
  if (samples.length === 0) return null
  const canvas = new OffscreenCanvas(width, height)
  const ctx = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D
  ctx.fillStyle = '#14161c'
  ctx.fillRect(0, 0, width, height)
  ctx.fillStyle = '#7aa2f7'
  const bar = 4
  const per = Math.max(1, Math.floor(samples.length / (width / bar)))
  for (let x = 0, i = 0; x < width; x += bar, i += per) {
    let peak = 0
    for (let j = i; j < Math.min(i + per, samples.length); j++)
      peak = Math.max(peak, Math.abs(samples[j] as number))
    const h = Math.max(2, peak * (height - 8))
    ctx.fillRect(x, (height - h) / 2, bar - 1, h)
  }
  return canvas
}
